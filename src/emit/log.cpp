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

namespace tracegrep {
namespace {

// Writes all of `bytes`, retrying short writes; throws on failure.
void write_fully(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "writing log lines");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

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

// Whole lines gathered under a mutex and written together. A thread writes
// the buffer out every 100 ms, so a quiet service's lines still appear.
class BufferedFileSink : public Sink {
 public:
  explicit BufferedFileSink(int fd) : fd_(fd), flusher_([this] { run(); }) { buf_.reserve(kCapacity); }
  ~BufferedFileSink() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
    }
    wake_.notify_all();
    flusher_.join();
    flush_locked_noexcept();
    ::close(fd_);
  }
  BufferedFileSink(const BufferedFileSink&) = delete;
  BufferedFileSink& operator=(const BufferedFileSink&) = delete;

  void write(std::string_view line) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (buf_.size() + line.size() > kCapacity) flush_locked();
    if (line.size() >= kCapacity) {
      write_fully(fd_, line);
      return;
    }
    buf_.append(line);
  }
  void flush() override {
    std::lock_guard<std::mutex> lock(mutex_);
    flush_locked();
  }

 private:
  static constexpr std::size_t kCapacity = std::size_t{64} << 10;

  void flush_locked() {
    if (buf_.empty()) return;
    struct Clear {
      std::string& b;
      ~Clear() { b.clear(); }  // on failure the lines are dropped, not retried forever
    } clear{buf_};
    write_fully(fd_, buf_);
  }
  void flush_locked_noexcept() {
    try {
      flush_locked();
    } catch (const std::exception& e) {
      report_error(e.what());
    }
  }
  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!quit_) {
      wake_.wait_for(lock, std::chrono::milliseconds(100));
      flush_locked_noexcept();
    }
  }

  int fd_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string buf_;
  bool quit_ = false;
  std::thread flusher_;  // last: started once the rest exists
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
  char text[19];
};

void append_now(std::string& out, Clock clock) {
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
    cache.second = ts.tv_sec;
    cache.clock = clock;
  }
  out.append(cache.text, 19);
  const long ms = ts.tv_nsec / 1'000'000;
  const char frac[4] = {',', static_cast<char>('0' + ms / 100), static_cast<char>('0' + ms / 10 % 10),
                        static_cast<char>('0' + ms % 10)};
  out.append(frac, 4);
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

std::shared_ptr<Sink> file_sink(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    report_error(path + ": " + std::strerror(errno));
    return nullptr;
  }
  return std::make_shared<BufferedFileSink>(fd);
}

void set_error_handler(std::function<void(std::string_view)> handler) {
  std::lock_guard<std::mutex> lock(g_handler_mutex);
  g_handler = std::move(handler);
}

void report_error(std::string_view what) {
  // At most one report a second, whatever the rate of failing calls.
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
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

void append_prefix(std::string& out, Level level, std::string_view tag, Clock clock) {
  out.clear();
  append_now(out, clock);
  out += " - ";
  out += format::level_name(level);
  out += " - ";
  out += tag;
  out += " - ";
}

}  // namespace

void render_line(std::string& out, Level level, std::string_view tag, std::string_view message, Clock clock) {
  append_prefix(out, level, tag, clock);
  format::append_escaped_message(out, message);
  out += '\n';
}

Logger::Logger(std::shared_ptr<Sink> sink, LoggerOptions options)
    : sink_(std::move(sink)), threshold_(static_cast<int>(options.threshold)), clock_(options.clock) {}

void Logger::write(Level level, std::string_view message) {
  if (!enabled(level)) return;
  try {
    thread_local std::string line;
    render_line(line, level, detail::tag_of(detail::current_data()), message, clock_);
    if (sink_) {
      sink_->write(line);
      if (level >= Level::kError) sink_->flush();
    }
  } catch (const std::exception& e) {
    report_error(e.what());
  } catch (...) {
    report_error("a log sink failed");
  }
}

void Logger::vlog(Level level, fmt::string_view format, fmt::format_args args) {
  // The prefix and the message go into one fmt buffer (fmt writes fastest
  // into its own), and the message is escaped in place: one pass and no
  // copy in the common case.
  try {
    thread_local std::string prefix;
    thread_local fmt::memory_buffer line;
    thread_local std::string scratch;
    append_prefix(prefix, level, detail::tag_of(detail::current_data()), clock_);
    line.clear();
    line.append(prefix.data(), prefix.data() + prefix.size());
    const std::size_t start = line.size();
    fmt::vformat_to(fmt::appender(line), format, args);
    std::size_t i = start;
    for (; i < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(line[i]);
      if (c < 0x20 || c == 0x7f || c == '\\') break;
    }
    if (i < line.size()) {
      scratch.assign(line.data() + i, line.size() - i);
      line.resize(i);
      thread_local std::string escaped;
      escaped.clear();
      format::append_escaped_message(escaped, scratch);
      line.append(escaped.data(), escaped.data() + escaped.size());
    }
    line.push_back('\n');
    if (sink_) {
      sink_->write(std::string_view(line.data(), line.size()));
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
    render_line(entry, Level::kError, detail::tag_of(detail::current_data()), message, clock_);
    append_exception_lines(entry, e, 0);
    if (sink_) {
      sink_->write(entry);  // the entry and its lines in one piece
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
