// Logging in tracegrep's format, with the request context of context.hpp:
//
//   2024-01-15 10:30:15,123 - ERROR - [req=a1b2c3d4|session=12345678] - Payment gateway timeout
//
// Format strings are checked at compile time (fmt). A call below the level
// threshold costs one comparison. A call never throws into the caller: sink
// errors go to the error handler, at most once a second. Messages are
// escaped so that one call is one line (CWE-117).
#pragma once

#include <fmt/core.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "tracegrep/context.hpp"
#include "tracegrep/format.hpp"

namespace tracegrep {

using Level = format::Level;

/// Where lines go. write() receives one whole line, '\n' included, and
/// must write it at once; it may throw (the logger catches).
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(std::string_view line) = 0;
  /// The same, with the time the line was stamped with (nanoseconds since
  /// the epoch, CLOCK_REALTIME): a sink that puts the lines of several
  /// threads in time order uses it. The logger calls this one. A sink that
  /// wraps another passes the call on from within write_at, on the same
  /// thread, so the file sink's ordering still holds.
  virtual void write_at(std::string_view line, std::int64_t /*unix_ns*/) { write(line); }
  /// Makes what was written durable (the logger calls it after ERROR and
  /// CRITICAL lines, so a crash right after loses nothing that matters).
  virtual void flush() {}
};

/// Standard error or output, each line in one write(2), at once.
std::shared_ptr<Sink> stderr_sink();
std::shared_ptr<Sink> stdout_sink();
struct FileSinkOptions {
  /// How long a line may wait in memory before it is written.
  std::chrono::milliseconds interval{100};
  /// The permissions file_sink creates a new file with, less the umask, as
  /// open(2) takes them (0644: everyone may read; 0640 or 0600 for logs
  /// that hold what others must not read). An existing file keeps its own.
  unsigned mode = 0644;
};

/// A file opened for appending (O_APPEND). A log call never takes a lock
/// or makes a system call: each thread copies its lines into its own buffer
/// (512 KiB of address space per thread, touched as used) and a writer
/// thread merges the threads' lines by time and writes them, whole and many
/// per write(2), so threads and processes sharing it never tear or
/// interleave lines. The file is in time order: a line is not written while
/// a line stamped earlier by this process's logger may still arrive, however
/// long its thread is preempted between reading the clock and copying it
/// (a thread blocked over 250 ms inside another sink is not waited for;
/// lines given to write_at with a time of the caller's own get a 20 us
/// margin only). Lines reach the file within
/// options.interval (100 ms), when a thread's buffer is half full, after
/// ERROR and CRITICAL lines (the call returns once they are written), and
/// when the sink ends. fork() is safe: the child gets a writer of its own.
/// Returns null, and reports to the error handler, when it cannot be opened.
std::shared_ptr<Sink> file_sink(const std::string& path, FileSinkOptions options = {});

/// Standard output or error through the same buffers and writer thread as
/// file_sink (for a service whose logs go to a pipe, as in a container):
/// a log call makes no system call. On a pipe, socket or terminal the lines
/// are written in pieces of at most PIPE_BUF (4096) bytes, whole lines
/// only, so other processes writing to the same pipe never tear a line of
/// up to 4096 bytes. The descriptor is not closed.
std::shared_ptr<Sink> buffered_stdout_sink(FileSinkOptions options = {});
std::shared_ptr<Sink> buffered_stderr_sink(FileSinkOptions options = {});

enum class Clock { kLocal, kUtc };

struct LoggerOptions {
  Level threshold = Level::kInfo;
  Clock clock = Clock::kLocal;  ///< as Python's asctime: local time, no offset
};

/// Receives errors of the logging itself (a sink failed, a scope ended out
/// of order); rate-limited to one call a second. Default: a line on stderr.
/// Called on the thread that met the error: for a file sink's write
/// errors, its writer thread or the thread whose ERROR line flushed it (the
/// lines of that write are dropped).
void set_error_handler(std::function<void(std::string_view)> handler);
void report_error(std::string_view what);

namespace detail {
/// The clock the once-a-second limit of report_error reads (whole seconds
/// of a monotonic clock); null restores steady_clock. For tests, which must
/// not depend on when a calendar second turns.
using ReportClock = std::int64_t (*)();
void set_report_clock(ReportClock clock);
}  // namespace detail

/// How many characters of the session id are written (default 8, as the
/// article's filter cuts them). Takes effect for contexts built afterwards.
void set_session_length(std::size_t length);

class Logger {
 public:
  explicit Logger(std::shared_ptr<Sink> sink, LoggerOptions options = {});

  bool enabled(Level level) const {
    return static_cast<int>(level) >= threshold_.load(std::memory_order_relaxed);
  }
  void set_threshold(Level level) { threshold_.store(static_cast<int>(level), std::memory_order_relaxed); }

  template <typename... Args>
  void log(Level level, fmt::format_string<Args...> format, Args&&... args) {
    if (enabled(level)) vlog(level, format, fmt::make_format_args(args...));
  }
  template <typename... Args>
  void debug(fmt::format_string<Args...> f, Args&&... args) {
    log(Level::kDebug, f, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void info(fmt::format_string<Args...> f, Args&&... args) {
    log(Level::kInfo, f, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void warning(fmt::format_string<Args...> f, Args&&... args) {
    log(Level::kWarning, f, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void error(fmt::format_string<Args...> f, Args&&... args) {
    log(Level::kError, f, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void critical(fmt::format_string<Args...> f, Args&&... args) {
    log(Level::kCritical, f, std::forward<Args>(args)...);
  }

  /// An ERROR entry with `message`, then the exception and the exceptions
  /// nested in it (std::nested_exception) as indented continuation lines,
  /// as a Python traceback appears; they can never start an entry.
  void exception(std::string_view message, std::exception_ptr e = std::current_exception());

  /// Writes an already formatted message (escaped here).
  void write(Level level, std::string_view message);

  /// Writes out what the sink holds.
  void flush();

 private:
  void vlog(Level level, fmt::string_view format, fmt::format_args args);
  std::shared_ptr<Sink> sink_;
  std::atomic<int> threshold_;
  Clock clock_;
};

/// The logger the free functions use: stderr, INFO, until replaced.
Logger& default_logger();
void set_default_logger(std::shared_ptr<Logger> logger);

template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  default_logger().debug(f, std::forward<Args>(args)...);
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  default_logger().info(f, std::forward<Args>(args)...);
}
template <typename... Args>
void warning(fmt::format_string<Args...> f, Args&&... args) {
  default_logger().warning(f, std::forward<Args>(args)...);
}
template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  default_logger().error(f, std::forward<Args>(args)...);
}
template <typename... Args>
void critical(fmt::format_string<Args...> f, Args&&... args) {
  default_logger().critical(f, std::forward<Args>(args)...);
}

/// Renders one line as the logger writes it, into `out` (cleared first),
/// and returns its time in nanoseconds since the epoch. For adapters
/// (spdlog) and tests.
std::int64_t render_line(std::string& out, Level level, std::string_view tag, std::string_view message,
                         Clock clock = Clock::kLocal);

}  // namespace tracegrep
