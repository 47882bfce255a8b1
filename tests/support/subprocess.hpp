// Runs the built tracegrep as a user would: arguments, standard input, a
// working directory; captures both outputs and the exit status.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace tracegrep::test {

struct Result {
  int status = -1;  ///< exit code, or 128+signal
  std::string out;
  std::string err;
};

struct RunOptions {
  std::string input;             ///< written to stdin, then closed
  std::string cwd;               ///< empty: the test data directory
  std::vector<std::string> env;  ///< extra NAME=value
};

/// Options that only give standard input.
inline RunOptions with_stdin(std::string input) {
  RunOptions o;
  o.input = std::move(input);
  return o;
}

/// Runs `program` with `args` and waits (at most 60 s, then kills it).
Result run(const std::string& program, const std::vector<std::string>& args, const RunOptions& options = {});

/// Runs tracegrep in the testdata directory.
Result run_tracegrep(const std::vector<std::string>& args, const RunOptions& options = {});

/// `a` then `b`: an argument list built from parts.
std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b);

/// tracegrep index -q --db DB FILE..., run in `cwd` (empty: the test data).
Result index(const std::string& db, const std::vector<std::string>& files, const std::string& cwd = {});

/// A process kept running: write to its stdin, read what it printed so far.
class Live {
 public:
  Live(const std::string& program, const std::vector<std::string>& args);
  ~Live();
  Live(const Live&) = delete;
  Live& operator=(const Live&) = delete;
  void write(const std::string& bytes);
  /// Reads stdout until it contains `needle` or `timeout` passes; returns all read so far.
  std::string read_until(const std::string& needle, std::chrono::milliseconds timeout);
  /// Reads stdout for `duration`; returns all read so far.
  std::string read_for(std::chrono::milliseconds duration);
  void close_stdin();
  /// Closes stdin and waits for the exit status.
  int wait();
  void kill();
  /// SIGKILL: no chance to clean up.
  void kill_hard();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  std::string got_;
};

std::string testdata(const std::string& relative);
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& bytes);

/// The lines of `text`, without their '\n' (a last line without one too).
std::vector<std::string> lines_of(const std::string& text);
/// A fresh temporary directory, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace tracegrep::test
