// Scopes opened inside coroutines: they hold across co_await whichever
// threads resume the task, end correctly on whichever thread runs their
// destructor, and never disturb the scopes of the threads that resume them.
// Run under ASan and TSan too: the bug these guard against was a
// heap-use-after-free on the worker's next log call.
#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <coroutine>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "emit_helpers.hpp"
#include "report_clock.hpp"
#include "tracegrep/context.hpp"
#include "tracegrep/log.hpp"
#include "tracegrep/task.hpp"

using namespace tracegrep;

namespace {

using test::current_tag;
using test::md;

// A worker thread that holds a ContextScope of its own for its whole life
// and resumes the coroutines handed to it, as an I/O loop would. After each
// resumption it checks that its own context is still installed.
class Worker {
 public:
  explicit Worker(std::string name) : name_(std::move(name)), thread_([this] { run(); }) {}
  ~Worker() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  // Notifies under the lock: once the posting thread lets go of it, it no
  // longer touches this worker, which may then end (its last task done).
  void post(std::coroutine_handle<> h) {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(h);
    cv_.notify_all();
  }
  std::string own_tag() const { return "[req=" + name_ + "|session=" + name_ + "]"; }
  int wrong_after_resume() const { return wrong_.load(); }

  // co_await worker.hop(): the rest of the body runs on this worker.
  struct Hop {
    Worker* worker;
    bool await_ready() { return false; }
    void await_suspend(std::coroutine_handle<> h) { worker->post(h); }
    void await_resume() {}
  };
  Hop hop() { return Hop{this}; }

 private:
  void run() {
    ContextScope own(md(name_, name_));
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      cv_.wait(lock, [this] { return quit_ || !queue_.empty(); });
      if (queue_.empty()) return;
      auto h = queue_.front();
      queue_.pop_front();
      lock.unlock();
      h.resume();
      if (current_tag() != own_tag()) ++wrong_;
      lock.lock();
    }
  }
  std::string name_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::coroutine_handle<>> queue_;
  bool quit_ = false;
  std::atomic<int> wrong_{0};
  std::thread thread_;
};

// Waits for a flag set on another thread (bounded; the caller checks it).
void wait_for(const std::atomic<bool>& flag) {
  for (int i = 0; i < 2000 && !flag; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

// Collects the error handler's reports while alive, every one of them.
struct Reports {
  test::FakeReportClock clock;
  std::mutex mutex;
  std::vector<std::string> seen;
  Reports() {
    set_error_handler([this](std::string_view what) {
      std::lock_guard<std::mutex> lock(mutex);
      seen.emplace_back(what);
      clock.next_second();  // the next report is not rate-limited away
    });
  }
  ~Reports() { set_error_handler(nullptr); }
  std::size_t size() {
    std::lock_guard<std::mutex> lock(mutex);
    return seen.size();
  }
};

// The handler: a scope in the body, then co_await onto other threads.
Task<int> handler(Worker& a, Worker& b, std::vector<std::string>& log, std::atomic<bool>& done) {
  ContextScope scope(md("12345678abcdef", "a1b2c3d4"));
  log.push_back("before " + current_tag());
  co_await a.hop();
  log.push_back("after " + current_tag());
  co_await b.hop();
  {
    ContextScope inner(md("inner000", "i0000001"));
    log.push_back("inner " + current_tag());
    co_await a.hop();
    log.push_back("inner after " + current_tag());
  }
  log.push_back("end " + current_tag());
  done = true;
  co_return 1;
}

}  // namespace

TEST_CASE("a scope opened in a Task holds across co_await on other threads", "[emit][task]") {
  Reports reports;
  std::vector<std::string> log;
  std::atomic<bool> done{false};
  std::optional<Task<int>> task;  // destroyed after the workers have let go of it
  {
    Worker a("worker0a"), b("worker0b");
    {
      ContextScope request(md("caller00", "caller00"));  // the thread that starts the task has its own
      task.emplace(handler(a, b, log, done));
      task->start();
      CHECK(current_tag() == "[req=caller00|session=caller00]");  // given back at the first co_await
      wait_for(done);
    }  // ends on this thread after the task's scope ended on a worker: no report
    CHECK(current_tag() == "[req=none|session=none]");
    REQUIRE(done);
    CHECK(a.wrong_after_resume() == 0);  // the workers' own scopes were never disturbed
    CHECK(b.wrong_after_resume() == 0);
  }
  const std::string t = "[req=a1b2c3d4|session=12345678]";
  const std::string i = "[req=i0000001|session=inner000]";
  CHECK(log ==
        std::vector<std::string>{"before " + t, "after " + t, "inner " + i, "inner after " + i, "end " + t});
  CHECK(reports.size() == 0);
}

namespace {
Task<std::string> child(Worker& w) {
  ContextScope scope(md("child000", "child001"));
  co_await w.hop();
  co_return current_tag();
}

Task<std::string> parent(Worker& a, Worker& b, std::vector<std::string>& log, std::atomic<bool>& done) {
  ContextScope scope(md("parent00", "parent01"));
  const std::string from_child = co_await child(b);  // created under this scope, opens its own
  log.push_back("child saw " + from_child);
  log.push_back("parent after child " + current_tag());
  co_await a.hop();
  log.push_back("parent after hop " + current_tag());
  const std::string second = co_await child(a);
  log.push_back("child saw " + second);
  log.push_back("parent end " + current_tag());
  done = true;
  co_return current_tag();
}
}  // namespace

TEST_CASE("tasks awaited from tasks: each keeps its own scopes, none leaks into the other", "[emit][task]") {
  Reports reports;
  std::vector<std::string> log;
  std::atomic<bool> done{false};
  std::optional<Task<std::string>> task;  // destroyed after the workers have let go of it
  {
    Worker a("worker1a"), b("worker1b");
    task.emplace(parent(a, b, log, done));
    task->start();
    CHECK(current_tag() == "[req=none|session=none]");
    wait_for(done);
    REQUIRE(done);
    CHECK(a.wrong_after_resume() == 0);
    CHECK(b.wrong_after_resume() == 0);
  }
  const std::string p = "[req=parent01|session=parent00]";
  const std::string c = "[req=child001|session=child000]";
  CHECK(log == std::vector<std::string>{"child saw " + c, "parent after child " + p, "parent after hop " + p,
                                        "child saw " + c, "parent end " + p});
  CHECK(reports.size() == 0);
}

namespace {
// Suspends and never resumes: the task is destroyed while suspended.
struct Park {
  std::atomic<bool>* parked;
  bool await_ready() { return false; }
  void await_suspend(std::coroutine_handle<>) { *parked = true; }
  void await_resume() {}
};

Task<void> parks(std::atomic<bool>& parked, Worker* hop_first) {
  ContextScope scope(md("parked00", "parked01"));
  if (hop_first) co_await hop_first->hop();
  ContextScope inner(md("parked10", "parked11"));
  co_await Park{&parked};
}
}  // namespace

TEST_CASE("a task destroyed while suspended ends its scopes without touching any thread's", "[emit][task]") {
  Reports reports;
  SECTION("destroyed on the thread that suspended it") {
    ContextScope mine(md("mine0000", "mine0001"));
    std::atomic<bool> parked{false};
    {
      auto task = parks(parked, nullptr);
      task.start();
      CHECK(parked);
      CHECK(current_tag() == "[req=mine0001|session=mine0000]");
    }  // ~Task destroys the suspended frame: its two scopes end here, off the running chain
    CHECK(current_tag() == "[req=mine0001|session=mine0000]");
    {
      ContextScope after(md("after000", "after001"));  // the chain is intact: scopes still nest
      CHECK(current_tag() == "[req=after001|session=after000]");
    }
    CHECK(current_tag() == "[req=mine0001|session=mine0000]");
  }
  SECTION("suspended on a worker, destroyed on another thread") {
    std::atomic<bool> parked{false};
    std::optional<Task<void>> task;
    Worker w("worker2a");
    task.emplace(parks(parked, &w));
    task->start();
    wait_for(parked);  // suspended by the worker's resumption of it
    REQUIRE(parked);
    std::atomic<bool> destroyed{false};
    std::thread other([&] {
      ContextScope theirs(md("other000", "other001"));
      task.reset();
      destroyed = current_tag() == "[req=other001|session=other000]";
    });
    other.join();
    CHECK(destroyed);
    CHECK(w.wrong_after_resume() == 0);
  }
  CHECK(reports.size() == 0);
}

TEST_CASE("many concurrent tasks hopping between workers: every line has its own request's tag",
          "[emit][task]") {
  // The load: 200 requests, each a task with its own scope, hopping
  // across workers that hold scopes of their own, logging through a Logger.
  struct Lines : Sink {
    void write(std::string_view line) override {
      std::lock_guard<std::mutex> lock(mutex);
      text += line;
    }
    std::mutex mutex;
    std::string text;
  };
  auto sink = std::make_shared<Lines>();
  Logger logger(sink);
  Reports reports;
  constexpr int kTasks = 200, kHops = 6;
  std::atomic<int> finished{0};
  std::vector<Task<void>> tasks;
  {
    Worker w0("worker30"), w1("worker31"), w2("worker32");
    Worker* workers[] = {&w0, &w1, &w2};
    auto body = [&](int n) -> Task<void> {
      char id[9];
      std::snprintf(id, sizeof id, "r%07d", n);
      ContextScope scope(md(id, id));
      for (int hop = 0; hop < kHops; ++hop) {
        logger.info("task {} hop {}", id, hop);
        co_await workers[(n + hop) % 3]->hop();
      }
      logger.info("task {} end", id);
      ++finished;
    };
    tasks.reserve(kTasks);
    for (int n = 0; n < kTasks; ++n) {
      tasks.push_back(body(n));
      tasks.back().start();
    }
    for (int i = 0; i < 5000 && finished < kTasks; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    REQUIRE(finished == kTasks);
    for (Worker* w : workers) CHECK(w->wrong_after_resume() == 0);
  }
  logger.flush();
  int lines = 0, wrong = 0;
  std::size_t at = 0;
  const std::string& text = sink->text;
  while (at < text.size()) {
    const std::size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end - at);
    at = end + 1;
    ++lines;
    const std::size_t task = line.find("task r");
    REQUIRE(task != std::string::npos);
    const std::string id = line.substr(task + 5, 8);
    if (line.find("[req=" + id + "|session=" + id + "]") == std::string::npos) ++wrong;
  }
  CHECK(lines == kTasks * (kHops + 1));
  CHECK(wrong == 0);
  CHECK(reports.size() == 0);
}

TEST_CASE("scopes ended out of order: reported once, inner ones restore nothing", "[emit][task]") {
  Reports reports;
  ContextScope base(md("base0000", "base0001"));
  auto outer = std::make_unique<ContextScope>(md("outer000", "outer001"));
  auto middle = std::make_unique<ContextScope>(md("middle00", "middle01"));
  auto inner = std::make_unique<ContextScope>(md("inner000", "inner001"));
  middle.reset();  // ends while inner is open: inner goes with it
  CHECK(current_tag() == "[req=outer001|session=outer000]");
  CHECK(reports.size() == 1);
  inner.reset();  // orphaned: restores nothing, says nothing more
  CHECK(current_tag() == "[req=outer001|session=outer000]");
  outer.reset();
  CHECK(current_tag() == "[req=base0001|session=base0000]");
  CHECK(reports.size() == 1);
  REQUIRE(reports.size() == 1);
  CHECK(reports.seen[0].find("ended before one opened inside it") != std::string::npos);
}

TEST_CASE("a scope ended on a thread that did not open it, outside a Task: reported, nothing changed",
          "[emit][task]") {
  Reports reports;
  std::unique_ptr<ContextScope> stray;
  std::thread([&] { stray = std::make_unique<ContextScope>(md("stray000", "stray001")); }).join();
  ContextScope mine(md("mine0000", "mine0001"));
  stray.reset();
  CHECK(current_tag() == "[req=mine0001|session=mine0000]");
  REQUIRE(reports.size() == 1);
  CHECK(reports.seen[0].find("did not open it") != std::string::npos);
}
