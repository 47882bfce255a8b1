#include "source/mapped.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tracegrep {
namespace {

constexpr std::size_t kWindow = std::size_t{64} << 20;
// Files smaller than this are not worth a second thread.
constexpr off_t kParallelMin = off_t{64} << 20;
const char* const kShrank =
    "file shrank while being read (truncated?); the entries after that point are not shown";

// The mapping each thread is reading, for the SIGBUS handler (which runs on
// the faulting thread).
thread_local char* g_map_begin = nullptr;
thread_local char* g_map_end = nullptr;
volatile sig_atomic_t g_truncated = 0;
std::size_t g_page = 4096;

// A read past the end of a file that shrank: map zeros over the rest of the
// window, note it, and let the read go on. Faults elsewhere stay fatal.
void on_sigbus(int, siginfo_t* info, void*) {
  char* const addr = static_cast<char*>(info->si_addr);
  char* const begin = g_map_begin;
  char* const end = g_map_end;
  if (begin && addr >= begin && addr < end) {
    char* const page = begin + ((addr - begin) & ~static_cast<std::ptrdiff_t>(g_page - 1));
    if (mmap(page, static_cast<std::size_t>(end - page), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
             -1, 0) != MAP_FAILED) {
      g_truncated = 1;
      return;
    }
  }
  signal(SIGBUS, SIG_DFL);  // the faulting access repeats and ends the process
}

void install_guard() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    struct sigaction sa {};
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, nullptr);
  });
}

// Passes entries on until the file is found truncated; then the entries
// still being assembled may hold the zeros mapped in its place: drop them.
class TruncationGuard : public EntrySink {
 public:
  explicit TruncationGuard(EntrySink& next) : next_(next) {}
  Flow entry(const Entry& e) override { return g_truncated ? Flow::kStop : next_.entry(e); }
  Flow late_lines(std::string_view lines) override {
    return g_truncated ? Flow::kStop : next_.late_lines(lines);
  }

 private:
  EntrySink& next_;
};

// Scans [start, stop) of the file, `start` being a line start, in windows.
// Does not flush the assembler: the caller decides whether the entry open at
// `stop` is complete.
FeedOutcome scan_range(int fd, off_t start, off_t stop, Assembler& assembler, std::size_t max_entry,
                       bool& mapped) {
  const auto page = static_cast<off_t>(g_page);
  // A window holds at least two entry limits past its first page, so a line
  // that has no '\n' in it is longer than the limit.
  const std::size_t window = std::max(kWindow, (2 * max_entry + 2 * g_page + g_page - 1) & ~(g_page - 1));
  off_t pos = start;      // the next byte to look at: a line start, unless skipping
  bool skipping = false;  // dropping the rest of a cut line
  mapped = true;
  while (pos < stop) {
    const off_t map_off = pos & ~(page - 1);
    const auto map_len =
        static_cast<std::size_t>(std::min<off_t>(static_cast<off_t>(window), stop - map_off));
    // Measured on a warm 1 GB log: MAP_POPULATE cost 60 ms more (the kernel
    // maps every page up front), MADV_SEQUENTIAL 20 ms more (it turns off
    // fault-around); plain faults are cheapest, as ripgrep found.
    void* m = mmap(nullptr, map_len, PROT_READ, MAP_SHARED, fd, map_off);
    if (m == MAP_FAILED) {
      if (pos == 0) {
        mapped = false;
        return {};
      }
      return {Flow::kContinue, Error::from_errno(errno)};
    }
    char* const base = static_cast<char*>(m);
    g_map_begin = base;
    g_map_end = base + map_len;
    const char* begin = base + (pos - map_off);
    const char* const end = base + map_len;
    const bool last_window = map_off + static_cast<off_t>(map_len) == stop;
    Flow flow = Flow::kContinue;
    if (skipping) {
      const void* nl = std::memchr(begin, '\n', static_cast<std::size_t>(end - begin));
      begin = nl ? static_cast<const char*>(nl) + 1 : end;
      skipping = nl == nullptr;
    }
    if (begin < end) {
      const void* last = last_window ? nullptr : memrchr(begin, '\n', static_cast<std::size_t>(end - begin));
      if (last_window) {
        flow = assembler.feed(std::string_view(begin, static_cast<std::size_t>(end - begin)));
        begin = end;
      } else if (last) {
        const char* after = static_cast<const char*>(last) + 1;
        flow = assembler.feed(std::string_view(begin, static_cast<std::size_t>(after - begin)));
        begin = after;
      } else {
        flow = assembler.feed_cut_line(std::string_view(begin, max_entry));
        begin = end;
        skipping = true;
      }
    }
    pos = map_off + (begin - base);
    g_map_begin = nullptr;
    g_map_end = nullptr;
    munmap(m, map_len);
    if (g_truncated) return {Flow::kContinue, Error::condition(kShrank)};
    if (flow == Flow::kStop) return {Flow::kStop, {}};
  }
  return {};
}

// Keeps the entries found in the second half of a file, to be printed after
// the first half's; gives up past kCollectCap bytes (then the first half's
// thread goes on into the second half itself).
class Collector : public EntrySink {
 public:
  explicit Collector(const std::atomic<bool>& cancel) : cancel_(cancel) {}
  Flow entry(const Entry& e) override {
    if (cancel_ || g_truncated || arena_.size() + e.text.size() > kCollectCap) {
      overflowed_ = !cancel_ && !g_truncated;
      return Flow::kStop;
    }
    records_.push_back({arena_.size(), e.text.size(), e.line, e.cut});
    arena_.append(e.text);
    return Flow::kContinue;
  }
  bool overflowed() const { return overflowed_; }

  // Sends the kept entries on, their line numbers moved on by `lines_before`.
  Flow replay(EntrySink& sink, std::uint64_t lines_before, std::size_t max_entry) const {
    Header header;
    for (const Record& r : records_) {
      const std::string_view text(arena_.data() + r.at, r.size);
      const auto nl = text.find('\n');
      const std::size_t first = nl == std::string_view::npos ? text.size() : nl + 1;
      parse_header(text.substr(0, std::min(first, max_entry)), header);
      const std::uint64_t line = r.line > 0 ? r.line + lines_before : 0;
      if (sink.entry(Entry{&header, text, r.cut, line}) == Flow::kStop) return Flow::kStop;
    }
    return Flow::kContinue;
  }

 private:
  static constexpr std::size_t kCollectCap = std::size_t{4} << 20;  // heap stays under 16 MiB
  struct Record {
    std::size_t at;
    std::size_t size;
    std::uint64_t line;
    bool cut;
  };
  const std::atomic<bool>& cancel_;
  std::string arena_;
  std::vector<Record> records_;
  bool overflowed_ = false;
};

// Where to cut a file in two: the first entry start after its middle, or -1.
off_t split_point(int fd, off_t size) {
  std::string buf(std::size_t{1} << 20, '\0');
  const off_t mid = size / 2;
  const ssize_t got = pread(fd, buf.data(), buf.size(), mid);
  if (got <= 0) return -1;
  buf.resize(static_cast<std::size_t>(got));
  for (std::size_t nl = buf.find('\n'); nl != std::string::npos; nl = buf.find('\n', nl + 1)) {
    const std::string_view line = std::string_view(buf).substr(nl + 1, 64);
    if (format::starts_entry(line.substr(0, line.find('\n')))) return mid + static_cast<off_t>(nl) + 1;
  }
  return -1;
}

}  // namespace

FeedOutcome scan_mapped(int fd, off_t size, Assembler& assembler, EntrySink& sink, std::size_t max_entry,
                        bool& mapped) {
  install_guard();
  g_truncated = 0;
  TruncationGuard guard(sink);
  // Restores the assembler's sink however this function returns.
  struct Retarget {
    Assembler& a;
    EntrySink& old;
    ~Retarget() { a.exchange_sink(old); }
  } retarget{assembler, assembler.exchange_sink(guard)};

  // With a literal to skip to, a large file is searched in two halves at
  // once: the page faults and the search of each half on its own core.
  const off_t split =
      size >= kParallelMin && assembler.skips_lines() && std::thread::hardware_concurrency() >= 2
          ? split_point(fd, size)
          : -1;
  if (split <= 0) {
    FeedOutcome out = scan_range(fd, 0, size, assembler, max_entry, mapped);
    if (!mapped || out.error || out.flow == Flow::kStop) return out;
    if (assembler.flush() == Flow::kStop) return {Flow::kStop, {}};
    return {};
  }
  std::atomic<bool> cancel{false};
  Collector collector(cancel);
  Assembler second = assembler.sibling(collector);
  FeedOutcome second_out;
  bool second_mapped = true;
  std::thread worker([&] {
    second_out = scan_range(fd, split, size, second, max_entry, second_mapped);
    if (second_mapped && !second_out.error && second_out.flow != Flow::kStop) second.flush();
  });
  FeedOutcome out = scan_range(fd, 0, split, assembler, max_entry, mapped);
  if (!mapped || out.error || out.flow == Flow::kStop) cancel = true;
  worker.join();
  if (!mapped || out.error || out.flow == Flow::kStop) return out;
  // `split` starts an entry, so the first half's last entry is complete.
  const std::uint64_t lines_before = assembler.line_no() - 1;
  if (assembler.flush() == Flow::kStop) return {Flow::kStop, {}};
  if (second_out.error) return second_out;
  if (second_mapped && !collector.overflowed()) {
    if (collector.replay(guard, lines_before, max_entry) == Flow::kStop) return {Flow::kStop, {}};
    return {};
  }
  // Too much to keep (or the second mapping failed): go on alone.
  out = scan_range(fd, split, size, assembler, max_entry, mapped);
  mapped = true;
  if (out.error || out.flow == Flow::kStop) return out;
  if (assembler.flush() == Flow::kStop) return {Flow::kStop, {}};
  return {};
}

}  // namespace tracegrep
