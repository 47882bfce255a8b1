// report/: the messages a user reads on stderr and the exit status, in one
// place (as ripgrep's messages.rs): every "tracegrep: NAME: reason" line is
// written by a Reporter, which remembers that the run errored; the exit
// status is computed from it and from whether anything matched.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "report/error.hpp"

namespace tracegrep {

class Output;

/// Exit codes as grep: 0 matched, 1 nothing matched, 2 an error occurred.
inline constexpr int kExitMatch = 0;
inline constexpr int kExitNoMatch = 1;
inline constexpr int kExitError = 2;

class Reporter {
 public:
  /// `out`, when given, is flushed before each message, so that stdout and
  /// stderr read in order on a terminal.
  explicit Reporter(Output* out = nullptr) : out_(out) {}

  /// "tracegrep: NAME: reason", and the run has errored. A missing input
  /// whose name looks like a mistyped subcommand gets a "did you mean".
  void error(std::string_view name, const Error& error);
  /// "tracegrep: what", and the run has errored.
  void error(std::string_view what);
  /// "tracegrep: NAME: what", not an error (a followed file was rotated).
  void notice(std::string_view name, std::string_view what);
  /// "tracegrep: what", not an error (a summary of work done).
  void say(std::string_view what) { write(what); }
  /// Marks the run as errored without a message (one was written already).
  void fail() { errored_ = true; }

  bool errored() const { return errored_; }
  int status(bool matched) const { return errored_ ? kExitError : matched ? kExitMatch : kExitNoMatch; }

  /// Held while writing to the Output from several threads (followed
  /// files); messages take it too (recursive: a printer may report).
  std::recursive_mutex& output_mutex() { return mutex_; }

 private:
  void write(std::string_view line);
  Output* out_;
  std::recursive_mutex mutex_;
  std::atomic<bool> errored_{false};
};

/// Messages more than one command writes: said once, here.
namespace messages {
std::string bad_level(std::string_view given);
std::string bad_max_entry_size(std::string_view given);
/// " (did you mean 'tracegrep index'?)" for a missing FILE named like a subcommand, else "".
std::string did_you_mean_command(std::string_view path);

/// The candidate closest to `word` (an edit or two away), or empty.
std::string closest(std::string_view word, const std::vector<std::string>& candidates);
}  // namespace messages

}  // namespace tracegrep
