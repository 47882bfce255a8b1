#include "source/mapped.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>

namespace tracegrep {
namespace {

constexpr std::size_t kWindow = std::size_t{64} << 20;

// The mapping being read, for the SIGBUS handler. One scan at a time.
std::atomic<char*> g_map_begin{nullptr};
std::atomic<char*> g_map_end{nullptr};
volatile sig_atomic_t g_truncated = 0;
std::size_t g_page = 4096;

// A read past the end of a file that shrank: map zeros over the rest of the
// window, note it, and let the read go on. Faults elsewhere stay fatal.
void on_sigbus(int, siginfo_t* info, void*) {
  char* const addr = static_cast<char*>(info->si_addr);
  char* const begin = g_map_begin.load();
  char* const end = g_map_end.load();
  if (begin && addr >= begin && addr < end) {
    char* const page = begin + ((addr - begin) & ~static_cast<std::ptrdiff_t>(g_page - 1));
    if (mmap(page, static_cast<std::size_t>(end - page), PROT_READ,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
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

}  // namespace

FeedOutcome scan_mapped(int fd, off_t size, Assembler& assembler, EntrySink& sink,
                        std::size_t max_entry, bool& mapped) {
  install_guard();
  g_truncated = 0;
  TruncationGuard guard(sink);
  // Restores the assembler's sink however this function returns.
  struct Retarget {
    Assembler& a;
    EntrySink& old;
    ~Retarget() { a.exchange_sink(old); }
  } retarget{assembler, assembler.exchange_sink(guard)};
  const auto page = static_cast<off_t>(g_page);
  // A window holds at least two entry limits past its first page, so a line
  // that has no '\n' in it is longer than the limit.
  const std::size_t window =
      std::max(kWindow, (2 * max_entry + 2 * g_page + g_page - 1) & ~(g_page - 1));
  off_t pos = 0;           // the next byte to look at: a line start, unless skipping
  bool skipping = false;   // dropping the rest of a cut line
  mapped = true;
  while (pos < size) {
    const off_t map_off = pos & ~(page - 1);
    const auto map_len = static_cast<std::size_t>(std::min<off_t>(static_cast<off_t>(window), size - map_off));
    // Measured on a warm 1 GB log: MAP_POPULATE cost 60 ms more (the kernel
    // maps every page up front), MADV_SEQUENTIAL 20 ms more (it turns off
    // fault-around); plain faults are cheapest, as ripgrep found.
    void* m = mmap(nullptr, map_len, PROT_READ, MAP_SHARED, fd, map_off);
    if (m == MAP_FAILED) {
      if (pos == 0) {
        mapped = false;
        return {};
      }
      return {Flow::kContinue, std::strerror(errno)};
    }
    char* const base = static_cast<char*>(m);
    g_map_begin = base;
    g_map_end = base + map_len;
    const char* begin = base + (pos - map_off);
    const char* const end = base + map_len;
    const bool at_eof = map_off + static_cast<off_t>(map_len) == size;
    Flow flow = Flow::kContinue;
    if (skipping) {
      const void* nl = std::memchr(begin, '\n', static_cast<std::size_t>(end - begin));
      begin = nl ? static_cast<const char*>(nl) + 1 : end;
      skipping = nl == nullptr;
    }
    if (begin < end) {
      const void* last = at_eof ? nullptr : memrchr(begin, '\n', static_cast<std::size_t>(end - begin));
      if (at_eof) {
        flow = assembler.feed(std::string_view(begin, static_cast<std::size_t>(end - begin)));
        begin = end;
      } else if (last) {
        const char* stop = static_cast<const char*>(last) + 1;
        flow = assembler.feed(std::string_view(begin, static_cast<std::size_t>(stop - begin)));
        begin = stop;
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
    if (g_truncated) {
      return {Flow::kContinue, "file shrank while being read (truncated?); the entries after that point are not shown"};
    }
    if (flow == Flow::kStop) return {Flow::kStop, {}};
  }
  if (assembler.flush() == Flow::kStop) return {Flow::kStop, {}};
  return {};
}

}  // namespace tracegrep
