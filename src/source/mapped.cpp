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

#include "parse/header.hpp"

namespace tracegrep {
namespace {

constexpr std::size_t kWindow = std::size_t{64} << 20;
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

}  // namespace

void begin_mapped_scan() {
  install_guard();
  g_truncated = 0;
}

bool mapped_file_shrank() { return g_truncated != 0; }

FeedOutcome scan_range(int fd, off_t start, off_t stop, LineSink& lines, std::size_t max_entry,
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
        flow = lines.feed(std::string_view(begin, static_cast<std::size_t>(end - begin)));
        begin = end;
      } else if (last) {
        const char* after = static_cast<const char*>(last) + 1;
        flow = lines.feed(std::string_view(begin, static_cast<std::size_t>(after - begin)));
        begin = after;
      } else {
        flow = lines.feed_cut_line(std::string_view(begin, max_entry));
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

// Where to cut a file in two: the first entry start after its middle, or -1.
off_t split_point(int fd, off_t size) {
  std::string buf(std::size_t{1} << 20, '\0');
  const off_t mid = size / 2;
  const ssize_t got = pread(fd, buf.data(), buf.size(), mid);
  if (got <= 0) return -1;
  buf.resize(static_cast<std::size_t>(got));
  for (std::size_t nl = buf.find('\n'); nl != std::string::npos; nl = buf.find('\n', nl + 1)) {
    const std::string_view rest = std::string_view(buf).substr(nl + 1);
    const std::size_t end = rest.find('\n');
    if (end == std::string_view::npos) break;
    // A line that begins an entry by itself: a timestamp first, a JSON
    // object, a logfmt line (untimed text lines depend on what precedes).
    Header h;
    if (parse_header(rest.substr(0, end), h)) return mid + static_cast<off_t>(nl) + 1;
  }
  return -1;
}

}  // namespace tracegrep
