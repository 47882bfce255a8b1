#include "support/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace tracegrep::test {
namespace {

struct Pipe {
  int r = -1, w = -1;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    r = fds[0];
    w = fds[1];
  }
};

std::vector<char*> argv_of(const std::string& program, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

pid_t spawn(const std::string& program, const std::vector<std::string>& args, const Pipe& in, const Pipe& out,
            const Pipe* err, const std::string& cwd, const std::vector<std::string>& extra_env) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in.r, 0);
  posix_spawn_file_actions_adddup2(&fa, out.w, 1);
  if (err) posix_spawn_file_actions_adddup2(&fa, err->w, 2);
  // The environment: ours, without colour or terminal hints, plus extras.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    const std::string s = *e;
    if (s.rfind("NO_COLOR=", 0) == 0 || s.rfind("TRACEGREP_", 0) == 0) continue;
    env_strings.push_back(s);
  }
  for (const auto& e : extra_env) env_strings.push_back(e);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  auto argv = argv_of(program, args);
  // posix_spawn has no chdir before glibc 2.29's _np extension: use it.
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  // The tests write a child's stdin: one that exits without reading it all
  // (a usage error) must give EPIPE, not kill the test with SIGPIPE. The
  // child gets SIGPIPE back, as a shell would give it.
  static const bool pipe_ignored = [] {
    ::signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)pipe_ignored;
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, program.c_str(), &fa, &attr, argv.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start " + program);
  return pid;
}

int decode(int wstatus) {
  if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
  return -1;
}

}  // namespace

std::string testdata(const std::string& relative) { return std::string(TRACEGREP_TESTDATA) + "/" + relative; }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    const auto nl = text.find('\n', at);
    out.push_back(text.substr(at, nl - at));
    at = nl == std::string::npos ? text.size() : nl + 1;
  }
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "tracegrep-test-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Result run(const std::string& program, const std::vector<std::string>& args, const RunOptions& options) {
  Pipe in, out, err;
  const pid_t pid = spawn(program, args, in, out, &err,
                          options.cwd.empty() ? std::string(TRACEGREP_TESTDATA) : options.cwd, options.env);
  ::close(in.r);
  ::close(out.w);
  ::close(err.w);
  Result result;
  std::size_t written = 0;
  int in_fd = in.w;
  if (options.input.empty()) {
    ::close(in_fd);
    in_fd = -1;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int open_outputs = 2;
  char buf[65536];
  while (open_outputs > 0) {
    pollfd fds[3] = {{out.r, POLLIN, 0}, {err.r, POLLIN, 0}, {in_fd, POLLOUT, 0}};
    const int n = ::poll(fds, in_fd >= 0 ? 3 : 2, 1000);
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      break;
    }
    if (n <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(got));
      } else {
        ::close(fds[i].fd);
        (i == 0 ? out.r : err.r) = -1;
        --open_outputs;
      }
    }
    if (in_fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t put = ::write(in_fd, options.input.data() + written,
                                  std::min<std::size_t>(options.input.size() - written, 65536));
      if (put > 0) written += static_cast<std::size_t>(put);
      if (put < 0 || written == options.input.size()) {
        ::close(in_fd);
        in_fd = -1;
      }
    }
  }
  if (in_fd >= 0) ::close(in_fd);
  if (out.r >= 0) ::close(out.r);
  if (err.r >= 0) ::close(err.r);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  result.status = decode(wstatus);
  return result;
}

Result run_tracegrep(const std::vector<std::string>& args, const RunOptions& options) {
  return run(TRACEGREP_BIN, args, options);
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Result index(const std::string& db, const std::vector<std::string>& files, const std::string& cwd) {
  RunOptions o;
  o.cwd = cwd;
  return run(TRACEGREP_BIN, concat({"index", "-q", "--db", db}, files), o);
}

Live::Live(const std::string& program, const std::vector<std::string>& args) {
  Pipe in, out;
  pid_ = spawn(program, args, in, out, nullptr, TRACEGREP_TESTDATA, {});
  ::close(in.r);
  ::close(out.w);
  in_ = in.w;
  out_ = out.r;
}

Live::~Live() {
  if (pid_ > 0) {
    kill();
    wait();
  }
  if (out_ >= 0) ::close(out_);
}

void Live::write(const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(in_, bytes.data() + done, bytes.size() - done);
    if (n <= 0) throw std::runtime_error("write to child failed");
    done += static_cast<std::size_t>(n);
  }
}

std::string Live::read_until(const std::string& needle, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (got_.find(needle) == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd pfd{out_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = ::read(out_, buf, sizeof buf);
    if (n <= 0) break;
    got_.append(buf, static_cast<std::size_t>(n));
  }
  return got_;
}

std::string Live::read_for(std::chrono::milliseconds duration) {
  return read_until(std::string(1, '\0') + "never", duration);
}

void Live::close_stdin() {
  if (in_ >= 0) ::close(in_);
  in_ = -1;
}

int Live::wait() {
  close_stdin();
  if (pid_ <= 0) return -1;
  int wstatus = 0;
  ::waitpid(pid_, &wstatus, 0);
  pid_ = -1;
  return decode(wstatus);
}

void Live::kill_hard() {
  if (pid_ > 0) ::kill(pid_, SIGKILL);
}

void Live::kill() {
  if (pid_ > 0) ::kill(pid_, SIGTERM);
}

}  // namespace tracegrep::test
