// The file sink: per-thread buffers merged by time by a writer thread.
// What users rely on: the file is in time order across threads, lines get
// there without a flush, ERROR lines are there when the call returns, a
// clock set back does not hold lines up, and fork() neither hangs the child
// nor writes the parent's lines twice.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "emit/stamp.hpp"
#include "report_clock.hpp"
#include "tracegrep/context.hpp"
#include "tracegrep/log.hpp"

using namespace tracegrep;

namespace {

// A fresh path in the temporary directory, removed at the end.
struct TempLog {
  explicit TempLog(const std::string& name)
      : path((std::filesystem::temp_directory_path() /
              ("tracegrep-" + name + "-" + std::to_string(::getpid()) + ".log"))
                 .string()) {
    std::filesystem::remove(path);
  }
  ~TempLog() { std::filesystem::remove(path); }
  std::vector<std::string> lines() const {
    std::ifstream f(path);
    std::vector<std::string> out;
    for (std::string l; std::getline(f, l);) out.push_back(l);
    return out;
  }
  std::string path;
};

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Waits up to 2 s for `n` lines in the file.
std::vector<std::string> wait_for_lines(const TempLog& log, std::size_t n) {
  for (int i = 0; i < 200; ++i) {
    auto lines = log.lines();
    if (lines.size() >= n) return lines;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return log.lines();
}

}  // namespace

TEST_CASE("the file sink merges the threads' lines by time", "[emit]") {
  TempLog log("merge");
  // Rounds only at the flush: no round can fall between two threads' lines.
  auto sink = file_sink(log.path, {.interval = std::chrono::hours(1)});
  // Four threads write lines whose times interleave: thread t has times
  // t, t+4, t+8, ... (a second in the past, so no line is too young).
  const std::int64_t base = now_ns() - 1'000'000'000;
  constexpr int kThreads = 4, kEach = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const int n = i * kThreads + t;
        sink->write_at("line " + std::to_string(n) + "\n", base + n * 1000);
      }
    });
  }
  for (auto& th : threads) th.join();
  sink->flush();
  const auto lines = log.lines();
  REQUIRE(lines.size() == kThreads * kEach);
  for (int n = 0; n < kThreads * kEach; ++n)
    REQUIRE(lines[static_cast<std::size_t>(n)] == "line " + std::to_string(n));
}

TEST_CASE("the file sink keeps lines over 32 KiB whole and in time order", "[emit]") {
  TempLog log("large");
  auto sink = file_sink(log.path, {.interval = std::chrono::hours(1)});
  const std::int64_t base = now_ns() - 1'000'000'000;
  const std::string big(40'000, 'b');  // 50 of them stay under the queue's wake-up size
  std::thread other([&] {
    for (int i = 0; i < 100; i += 2) sink->write_at("small " + std::to_string(i) + "\n", base + i);
  });
  for (int i = 1; i < 100; i += 2) sink->write_at("large " + std::to_string(i) + " " + big + "\n", base + i);
  other.join();
  sink->flush();
  const auto lines = log.lines();
  REQUIRE(lines.size() == 100);
  for (int i = 0; i < 100; ++i) {
    const std::string want = (i % 2 ? "large " : "small ") + std::to_string(i);
    REQUIRE(lines[static_cast<std::size_t>(i)].substr(0, want.size()) == want);
    if (i % 2) REQUIRE(lines[static_cast<std::size_t>(i)].size() == want.size() + 1 + big.size());
  }
}

TEST_CASE("the file sink writes lines within 100 ms without a flush, and ERROR lines at once", "[emit]") {
  TempLog log("prompt");
  Logger logger(file_sink(log.path));
  logger.info("quiet service, one line");
  const auto lines = wait_for_lines(log, 1);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("quiet service, one line") != std::string::npos);

  logger.error("payment failed");  // flushed before the call returns
  const auto after = log.lines();
  REQUIRE(after.size() == 2);
  CHECK(after[1].find(" - ERROR - ") != std::string::npos);
}

TEST_CASE("a clock set back does not hold lines up", "[emit]") {
  TempLog log("clock");
  auto sink = file_sink(log.path);
  // Stamped an hour ahead of the clock, as lines are when the clock is then
  // set back an hour: written in the next round all the same.
  sink->write_at("from the future\n", now_ns() + 3600LL * 1'000'000'000);
  const auto lines = wait_for_lines(log, 1);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "from the future");
}

namespace {
// A log call held between reading the clock and handing its line to the
// sink, as a thread preempted there is; released by go().
class HeldCall {
 public:
  HeldCall(Sink& sink, std::string line) : sink_(sink), line_(std::move(line)) {
    thread_ = std::thread([this] {
      detail::Stamping stamping;
      const std::int64_t t = now_ns();
      stamping.stamped(t);
      stamped_ = true;
      while (!go_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      sink_.write_at(line_, t);
    });
    while (!stamped_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void go() {
    go_ = true;
    thread_.join();
  }

 private:
  Sink& sink_;
  std::string line_;
  std::atomic<bool> stamped_{false}, go_{false};
  std::thread thread_;
};
}  // namespace

TEST_CASE("a line stamped earlier but held up is never overtaken by younger lines", "[emit]") {
  TempLog log("held");
  auto sink = file_sink(log.path, {.interval = std::chrono::milliseconds(1)});
  Logger logger(sink);
  HeldCall held(*sink, "stamped first\n");  // a thread preempted for 100 ms after reading the clock
  for (int i = 0; i < 100; ++i) logger.info("younger {}", i);
  std::this_thread::sleep_for(
      std::chrono::milliseconds(100));  // ~100 writer rounds, 5000x the old 20 us hold
  CHECK(log.lines().empty());           // nothing younger was written past it
  held.go();
  logger.flush();
  const auto lines = log.lines();
  REQUIRE(lines.size() == 101);
  CHECK(lines[0] == "stamped first");
  CHECK(lines[1].find("younger 0") != std::string::npos);
}

TEST_CASE("a thread blocked in another sink does not hold a file's lines back", "[emit]") {
  TempLog log("blocked");
  auto sink = file_sink(log.path, {.interval = std::chrono::milliseconds(1)});
  Logger logger(sink);
  struct Elsewhere : Sink {
    void write(std::string_view) override {}
  } elsewhere;
  HeldCall blocked(elsewhere, "to a full pipe\n");  // blocked in its sink's write for over a second
  logger.info("meanwhile");
  const auto lines = wait_for_lines(log, 1);  // after detail::kStuckNs (250 ms), not when it is freed
  CHECK(lines.size() == 1);
  blocked.go();
}

TEST_CASE("lines of ended threads and of many short-lived sinks all arrive", "[emit]") {
  TempLog a("sinks-a"), b("sinks-b");
  for (int round = 0; round < 20; ++round) {
    Logger la(file_sink(a.path)), lb(file_sink(b.path));
    std::thread([&] {
      la.info("a {}", round);
      lb.info("b {}", round);
    }).join();
    la.info("a main {}", round);
    lb.info("b main {}", round);
  }
  CHECK(a.lines().size() == 40);
  CHECK(b.lines().size() == 40);
  for (const auto& l : a.lines()) CHECK(l.find(" - a ") != std::string::npos);
}

// Not under the sanitizers: TSan cannot start threads after fork(), and
// GCC 12's ASan does not hold its allocator's locks across fork(), so the
// child of a process with a second thread can hang in malloc (seen: the
// child's new thread stuck in free() inside pthread_getattr_np). glibc's
// malloc does hold them, and the release build runs this test.
#if !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
TEST_CASE("fork with a live file sink: the child logs, the parent's lines are written once", "[emit]") {
  TempLog log("fork");
  {
    Logger logger(file_sink(log.path));
    ContextScope scope([] {
      RequestMetadata m;
      m.session_id = "forktest";
      m.request_id = "parent00";
      return m;
    }());
    for (int i = 0; i < 100; ++i) logger.info("parent before fork {}", i);  // buffered, not flushed
    const pid_t child = ::fork();
    if (child == 0) {
      ::alarm(20);  // a hang kills the child, and the test fails instead of hanging
      for (int i = 0; i < 100; ++i) logger.info("child {}", i);
      logger.flush();
      std::thread([&] { logger.info("child thread"); }).join();
      logger.flush();
      ::_exit(0);
    }
    for (int i = 0; i < 100; ++i) logger.info("parent after fork {}", i);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  std::map<std::string, int> seen;
  for (const auto& l : log.lines()) {
    const auto at = l.rfind(" - ");
    REQUIRE(at != std::string::npos);
    ++seen[l.substr(at + 3)];
  }
  for (int i = 0; i < 100; ++i) {
    CHECK(seen["parent before fork " + std::to_string(i)] == 1);
    CHECK(seen["parent after fork " + std::to_string(i)] == 1);
    CHECK(seen["child " + std::to_string(i)] == 1);
  }
  CHECK(seen["child thread"] == 1);
  CHECK(seen.size() == 301);
}
#endif

TEST_CASE("a file that cannot be written: the error handler hears of it, calls go on", "[emit]") {
  if (!std::filesystem::exists("/dev/full")) return;
  std::vector<std::string> reports;
  test::FakeReportClock clock;  // reports are limited to one a second: all of these fall in one
  set_error_handler([&](std::string_view w) { reports.emplace_back(w); });
  {
    Logger logger(file_sink("/dev/full"));  // every write fails with ENOSPC
    for (int i = 0; i < 1000; ++i) CHECK_NOTHROW(logger.info("line {}", i));
    CHECK_NOTHROW(logger.error("flushed at once"));  // returns although nothing can be written
  }
  set_error_handler(nullptr);
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].find("No space left on device") != std::string::npos);
}

#if !defined(__SANITIZE_THREAD__)  // TSan cannot start threads after fork()
TEST_CASE("buffered stdout into a pipe shared by two processes: no line torn", "[emit]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::vector<pid_t> children;
  for (int child = 0; child < 2; ++child) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::alarm(20);
      ::close(fds[0]);
      ::dup2(fds[1], 1);
      ::close(fds[1]);
      {
        Logger logger(buffered_stdout_sink());
        std::vector<std::thread> threads;
        for (int t = 0; t < 3; ++t) {
          threads.emplace_back([&, t] {
            // Lines of 60 to 3,000 bytes: many share a piece, none may be torn.
            for (int i = 0; i < 2000; ++i)
              logger.info("p{} t{} n{} {}", child, t, i,
                          std::string(static_cast<std::size_t>(50 + (i * 37) % 2900), 'x'));
          });
        }
        for (auto& th : threads) th.join();
      }  // the sink's end writes the rest
      ::_exit(0);
    }
    children.push_back(pid);
  }
  ::close(fds[1]);
  std::string all;
  char buf[65536];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) all.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  for (pid_t pid : children) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  }
  std::istringstream in(all);
  std::size_t lines = 0;
  for (std::string line; std::getline(in, line);) {
    ++lines;
    INFO(line.substr(0, 120));
    REQUIRE(line.find(" - INFO - [req=none|session=none] - p") == 23);
    const std::size_t xs = line.find(" x");
    REQUIRE(xs != std::string::npos);
    REQUIRE(line.find_first_not_of('x', xs + 1) == std::string::npos);  // ends with its own x's, nothing else
  }
  CHECK(lines == 2 * 3 * 2000);
}
#endif

TEST_CASE("the file sink creates a new file with the mode it is given, less the umask", "[emit]") {
  const mode_t old_umask = ::umask(022);
  auto mode_of = [](const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
  };
  {
    TempLog log("mode-default");
    {
      auto sink = file_sink(log.path);
      REQUIRE(sink);
    }
    CHECK(mode_of(log.path) == 0644);  // as before: default 0644
  }
  {
    TempLog log("mode-private");
    FileSinkOptions o;
    o.mode = 0600;
    {
      auto sink = file_sink(log.path, o);
      REQUIRE(sink);
    }
    CHECK(mode_of(log.path) == 0600);
  }
  {
    TempLog log("mode-group");
    ::umask(0);
    FileSinkOptions o;
    o.mode = 0640;
    {
      auto sink = file_sink(log.path, o);
      REQUIRE(sink);
    }
    CHECK(mode_of(log.path) == 0640);
    // An existing file keeps its mode.
    ::chmod(log.path.c_str(), 0604);
    {
      auto sink = file_sink(log.path, o);
      REQUIRE(sink);
    }
    CHECK(mode_of(log.path) == 0604);
  }
  ::umask(old_umask);
}
