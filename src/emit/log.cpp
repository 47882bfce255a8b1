// The logger: render the line into a per-thread buffer (no allocation per
// call once warm), hand it to the sink in one piece, never throw.
#include "tracegrep/log.hpp"

#include <cxxabi.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "emit/stamp.hpp"
#include "emit/write.hpp"

namespace tracegrep {
namespace {

class FdSink : public Sink {
 public:
  FdSink(int fd, bool owned) : fd_(fd), owned_(owned) {}
  ~FdSink() override {
    if (owned_) ::close(fd_);
  }
  FdSink(const FdSink&) = delete;
  FdSink& operator=(const FdSink&) = delete;
  void write(std::string_view line) override { write_fully(fd_, line); }

 private:
  int fd_;
  bool owned_;
};

std::mutex g_handler_mutex;
std::function<void(std::string_view)> g_handler;
std::atomic<std::int64_t> g_last_report{-1};

// The default logger: one atomic load per call. Replaced loggers are kept
// alive (a thread may still be logging through one), so they are never freed.
std::mutex g_default_mutex;
std::atomic<Logger*> g_default{nullptr};
std::vector<std::shared_ptr<Logger>>& kept_loggers() {
  static auto* kept = new std::vector<std::shared_ptr<Logger>>();
  return *kept;
}

// "YYYY-MM-DD HH:MM:SS" is rendered once a second per thread.
struct SecondCache {
  std::int64_t second = -1;
  Clock clock = Clock::kLocal;
  char text[23];  // and ",mmm"
};

// Appends to a std::string or an fmt buffer.
void put(std::string& out, std::string_view s) { out.append(s); }
void put(fmt::memory_buffer& out, std::string_view s) { out.append(s.data(), s.data() + s.size()); }

// Appends the time and returns it in nanoseconds since the epoch.
template <typename Out>
std::int64_t append_now(Out& out, Clock clock) {
  thread_local SecondCache cache;
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  if (ts.tv_sec != cache.second || clock != cache.clock) {
    std::int64_t civil = ts.tv_sec;
    if (clock == Clock::kLocal) {
      tm local{};
      localtime_r(&ts.tv_sec, &local);
      civil += local.tm_gmtoff;
    }
    format::write_date_time(cache.text, civil);
    cache.text[19] = ',';
    cache.second = ts.tv_sec;
    cache.clock = clock;
  }
  const auto ms = static_cast<unsigned>(ts.tv_nsec / 1'000'000);
  cache.text[20] = static_cast<char>('0' + ms / 100);
  cache.text[21] = static_cast<char>('0' + ms / 10 % 10);
  cache.text[22] = static_cast<char>('0' + ms % 10);
  put(out, std::string_view(cache.text, format::kWrittenTimeLength));
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

std::string type_name(const std::exception& e) {
  int status = 0;
  char* name = abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status);
  std::string out = status == 0 && name ? name : typeid(e).name();
  std::free(name);
  // std::throw_with_nested wraps the type: show the one the user threw.
  constexpr std::string_view kNested = "std::_Nested_exception<";
  if (out.rfind(kNested, 0) == 0 && out.back() == '>')
    out = out.substr(kNested.size(), out.size() - kNested.size() - 1);
  return out;
}

// Appends one continuation line per exception, innermost last.
void append_exception_lines(std::string& out, std::exception_ptr e, int depth) {
  if (!e || depth > 16) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    out += depth == 0 ? "  " : "  caused by ";
    format::append_escaped_message(out, type_name(ex));
    out += ": ";
    format::append_escaped_message(out, ex.what());
    out += '\n';
    try {
      std::rethrow_if_nested(ex);
    } catch (...) {
      append_exception_lines(out, std::current_exception(), depth + 1);
    }
  } catch (...) {
    out += depth == 0 ? "  " : "  caused by ";
    out += "an exception that is not a std::exception\n";
  }
}

}  // namespace

std::shared_ptr<Sink> stderr_sink() { return std::make_shared<FdSink>(2, false); }
std::shared_ptr<Sink> stdout_sink() { return std::make_shared<FdSink>(1, false); }

void set_error_handler(std::function<void(std::string_view)> handler) {
  std::lock_guard<std::mutex> lock(g_handler_mutex);
  g_handler = std::move(handler);
}

namespace {
std::int64_t steady_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
std::atomic<detail::ReportClock> g_report_clock{&steady_seconds};
}  // namespace

void detail::set_report_clock(ReportClock clock) { g_report_clock = clock ? clock : &steady_seconds; }

void report_error(std::string_view what) {
  // At most one report a second, whatever the rate of failing calls.
  const std::int64_t now = g_report_clock.load()();
  std::int64_t last = g_last_report.load();
  if (last == now || !g_last_report.compare_exchange_strong(last, now)) return;
  try {
    std::lock_guard<std::mutex> lock(g_handler_mutex);
    if (g_handler) {
      g_handler(what);
    } else {
      std::string line = "tracegrep emitter: ";
      line += what;
      line += '\n';
      [[maybe_unused]] const ssize_t n = ::write(2, line.data(), line.size());
    }
  } catch (...) {
    // The handler itself failed: nothing more to tell anyone.
  }
}

namespace {

// Returns the line's time (nanoseconds since the epoch).
template <typename Out>
std::int64_t append_prefix(Out& out, Level level, std::string_view tag, Clock clock) {
  out.clear();
  const std::int64_t now = append_now(out, clock);
  put(out, format::kFieldSeparator);
  put(out, format::level_name(level));
  put(out, format::kFieldSeparator);
  put(out, tag);
  put(out, format::kFieldSeparator);
  return now;
}

}  // namespace

std::int64_t render_line(std::string& out, Level level, std::string_view tag, std::string_view message,
                         Clock clock) {
  const std::int64_t now = append_prefix(out, level, tag, clock);
  format::append_escaped_message(out, message);
  out += '\n';
  return now;
}

Logger::Logger(std::shared_ptr<Sink> sink, LoggerOptions options)
    : sink_(std::move(sink)), threshold_(static_cast<int>(options.threshold)), clock_(options.clock) {}

void Logger::write(Level level, std::string_view message) {
  if (!enabled(level)) return;
  try {
    thread_local std::string line;
    detail::Stamping stamping;
    const std::int64_t now =
        render_line(line, level, detail::tag_of(detail::current_data()), message, clock_);
    stamping.stamped(now);
    if (sink_) {
      sink_->write_at(line, now);
      if (level >= Level::kError) sink_->flush();
    }
  } catch (const std::exception& e) {
    report_error(e.what());
  } catch (...) {
    report_error("a log sink failed");
  }
}

namespace {

// A thread's line buffer for vlog. It keeps the last line's prefix
// ("time - LEVEL - [tag] - "): a call in the same second, at the same level
// and under the same tag rewrites only the milliseconds.
struct LineState {
  fmt::memory_buffer line;
  std::size_t prefix = 0;  // bytes of `line` that are the prefix
  std::int64_t second = -1;
  Clock clock = Clock::kLocal;
  Level level = Level::kInfo;
  std::string scratch, escaped;
};

// Starts `s.line` with the prefix; returns the time in ns since the epoch.
std::int64_t start_line(LineState& s, Level level, std::string_view tag, Clock clock) {
  const std::string_view name = format::level_name(level);
  constexpr std::size_t kSep = format::kFieldSeparator.size();
  const std::size_t tag_at = format::kWrittenTimeLength + kSep + name.size() + kSep;
  if (s.level == level && s.clock == clock && s.prefix == tag_at + tag.size() + kSep &&
      std::memcmp(s.line.data() + tag_at, tag.data(), tag.size()) == 0) {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec == s.second) {
      const auto ms = static_cast<unsigned>(ts.tv_nsec / 1'000'000);
      s.line.resize(s.prefix);
      s.line[20] = static_cast<char>('0' + ms / 100);
      s.line[21] = static_cast<char>('0' + ms / 10 % 10);
      s.line[22] = static_cast<char>('0' + ms % 10);
      return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
    }
  }
  const std::int64_t now = append_prefix(s.line, level, tag, clock);
  s.prefix = s.line.size();
  s.second = now / 1'000'000'000;
  s.level = level;
  s.clock = clock;
  return now;
}

}  // namespace

void Logger::vlog(Level level, fmt::string_view format, fmt::format_args args) {
  // The prefix and the message go into one fmt buffer (fmt writes fastest
  // into its own), and the message is checked 16 bytes at a step and
  // escaped only from its first unsafe byte: no copy in the common case.
  try {
    thread_local LineState state;
    auto& line = state.line;
    detail::Stamping stamping;
    const std::int64_t now = start_line(state, level, detail::tag_of(detail::current_data()), clock_);
    stamping.stamped(now);
    const std::size_t start = line.size();
    fmt::vformat_to(fmt::appender(line), format, args);
    const std::size_t i =
        start + format::first_to_escape(std::string_view(line.data() + start, line.size() - start));
    if (i < line.size()) {
      state.scratch.assign(line.data() + i, line.size() - i);
      line.resize(i);
      state.escaped.clear();
      format::append_escaped_message(state.escaped, state.scratch);
      line.append(state.escaped.data(), state.escaped.data() + state.escaped.size());
    }
    line.push_back('\n');
    if (sink_) {
      sink_->write_at(std::string_view(line.data(), line.size()), now);
      if (level >= Level::kError) sink_->flush();
    }
  } catch (const std::exception& e) {
    report_error(e.what());  // a sink failed, or a formatter of the caller's type threw
  } catch (...) {
    report_error("a log sink failed");
  }
}

void Logger::exception(std::string_view message, std::exception_ptr e) {
  if (!enabled(Level::kError)) return;
  try {
    thread_local std::string entry;
    detail::Stamping stamping;
    const std::int64_t now =
        render_line(entry, Level::kError, detail::tag_of(detail::current_data()), message, clock_);
    stamping.stamped(now);
    append_exception_lines(entry, e, 0);
    if (sink_) {
      sink_->write_at(entry, now);  // the entry and its lines in one piece
      sink_->flush();
    }
  } catch (const std::exception& ex) {
    report_error(ex.what());
  } catch (...) {
    report_error("a log sink failed");
  }
}

Logger& default_logger() {
  if (Logger* l = g_default.load(std::memory_order_acquire)) return *l;
  std::lock_guard<std::mutex> lock(g_default_mutex);
  if (!g_default.load()) {
    kept_loggers().push_back(std::make_shared<Logger>(stderr_sink()));
    g_default.store(kept_loggers().back().get(), std::memory_order_release);
  }
  return *g_default.load();
}

void Logger::flush() {
  try {
    if (sink_) sink_->flush();
  } catch (const std::exception& e) {
    report_error(e.what());
  }
}

void set_default_logger(std::shared_ptr<Logger> logger) {
  if (!logger) return;
  std::lock_guard<std::mutex> lock(g_default_mutex);
  // Default loggers are never destroyed: write out their buffers at exit.
  static const bool registered = [] {
    std::atexit([] {
      std::lock_guard<std::mutex> l(g_default_mutex);
      for (auto& kept : kept_loggers()) kept->flush();
    });
    return true;
  }();
  (void)registered;
  kept_loggers().push_back(logger);
  g_default.store(logger.get(), std::memory_order_release);
}

}  // namespace tracegrep
