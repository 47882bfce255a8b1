// The emitter: context scopes and propagation (threads, async, executors,
// coroutines), ids, session extraction, escaping, sinks, and a round trip
// through tracegrep's own parser.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "emit_helpers.hpp"
#include "match/filter.hpp"
#include "parse/assembler.hpp"
#include "recorder.hpp"
#include "report_clock.hpp"
#include "tracegrep/context.hpp"
#include "tracegrep/ids.hpp"
#include "tracegrep/log.hpp"
#include "tracegrep/task.hpp"

using namespace tracegrep;

namespace {

using test::current_tag;
using test::md;

// What tracegrep's parser makes of written text.
std::vector<test::Recorded> parse_entries(const std::string& text) {
  std::string error;
  auto filter = Filter::build({}, error);
  test::Recorder rec;
  Assembler a(*filter, rec, kDefaultMaxEntry, LineNumbers::kCount);
  a.feed(text);
  a.flush();
  return rec.entries;
}

// Collects lines in memory.
class MemorySink : public Sink {
 public:
  void write(std::string_view line) override {
    std::lock_guard<std::mutex> lock(mutex);
    text += line;
  }
  std::mutex mutex;
  std::string text;
};

// A one-thread pool with post(), as executors have.
class Pool {
 public:
  Pool() : worker_([this] { run(); }) {}
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }
  void post(std::function<void()> f) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      tasks_.push_back(std::move(f));
    }
    cv_.notify_all();
  }

 private:
  void run() {
    // The worker has a context of its own, which tasks must not see or change.
    ContextScope own(md("worker00", "pool0000"));
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      cv_.wait(lock, [this] { return quit_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      auto f = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      f();
      after.push_back(current_tag());
      lock.lock();
    }
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool quit_ = false;
  std::thread worker_;

 public:
  std::vector<std::string> after;  // the worker's context after each task
};

// Resumes the awaiting coroutine on a new thread, as an I/O completion would.
// join_resumers() waits until those threads have let go of the coroutines.
std::mutex g_resumers_mutex;
std::vector<std::thread> g_resumers;
struct ResumeOnOtherThread {
  bool await_ready() { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    std::lock_guard<std::mutex> lock(g_resumers_mutex);
    g_resumers.emplace_back([h] { h.resume(); });
  }
  std::thread::id await_resume() { return std::this_thread::get_id(); }
};
void join_resumers() {
  for (;;) {
    std::thread t;
    {
      std::lock_guard<std::mutex> lock(g_resumers_mutex);
      if (g_resumers.empty()) return;
      t = std::move(g_resumers.back());
      g_resumers.pop_back();
    }
    t.join();
  }
}

}  // namespace

TEST_CASE("a scope sets the context and restores the one before", "[emit]") {
  CHECK(current_tag() == "[req=none|session=none]");
  {
    ContextScope a(md("12345678abcdef", "a1b2c3d4"));
    CHECK(current_tag() == "[req=a1b2c3d4|session=12345678]");
    {
      ContextScope b(md("sess2", "req2"));
      CHECK(current_tag() == "[req=req2|session=sess2]");
    }
    CHECK(current_tag() == "[req=a1b2c3d4|session=12345678]");
  }
  CHECK(current_tag() == "[req=none|session=none]");
}

TEST_CASE("a scope ended out of order is reported, not silent", "[emit]") {
  std::vector<std::string> reports;
  test::FakeReportClock clock;
  set_error_handler([&](std::string_view what) { reports.emplace_back(what); });
  {
    auto outer = std::make_unique<ContextScope>(md("outer000", "o"));
    auto inner = std::make_unique<ContextScope>(md("inner000", "i"));
    outer.reset();  // ends while inner is still open
    inner.reset();
  }
  set_error_handler(nullptr);
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].find("ended before one opened inside it") != std::string::npos);
  CHECK(current_tag() == "[req=none|session=none]");
}

TEST_CASE("wrap and thread carry a snapshot to another thread, changes never leak back", "[emit]") {
  ContextScope scope(md("parent00", "req00001"));
  std::string seen, seen_after_change;
  std::thread t = tracegrep::thread([&] {
    seen = current_tag();  // a plain thread_local would be empty here
    ContextScope child(md("child000", "req00002"));
    seen_after_change = current_tag();
  });
  t.join();
  CHECK(seen == "[req=req00001|session=parent00]");
  CHECK(seen_after_change == "[req=req00002|session=child000]");
  CHECK(current_tag() == "[req=req00001|session=parent00]");
  // Captured when wrapped, not when run.
  auto later = wrap([] { return current_tag(); });
  ContextScope other(md("other000", "req00003"));
  CHECK(std::async(std::launch::async, later).get() == "[req=req00001|session=parent00]");
}

TEST_CASE("async tasks inherit the context", "[emit]") {
  ContextScope scope(md("async000", "req00004"));
  std::vector<std::future<std::string>> futures;
  for (int i = 0; i < 8; ++i)
    futures.push_back(tracegrep::async(std::launch::async, [] { return current_tag(); }));
  for (auto& f : futures) CHECK(f.get() == "[req=req00004|session=async000]");
}

TEST_CASE("an executor adapter: captured at submit, installed for the task, restored after", "[emit]") {
  std::vector<std::string> seen(2);
  std::vector<std::string> after;  // the worker's context after each task
  {
    Pool pool;
    ContextExecutor<Pool> executor(pool);
    {
      ContextScope a(md("submit01", "req00005"));
      executor.post([&] { seen[0] = current_tag(); });
    }
    {
      ContextScope b(md("submit02", "req00006"));
      executor.post([&] { seen[1] = current_tag(); });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    pool.post([] {});
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    pool.post([&pool, &after] { after = pool.after; });  // read on the worker: no race
  }                                                      // the pool ends: its worker has run every task
  CHECK(after.size() >= 2);
  for (const auto& t : after) CHECK(t == "[req=pool0000|session=worker00]");
  CHECK(seen[0] == "[req=req00005|session=submit01]");
  CHECK(seen[1] == "[req=req00006|session=submit02]");
}

namespace {
Task<std::string> inner_task(std::vector<std::string>& log) {
  log.push_back("inner start " + current_tag());
  co_await ResumeOnOtherThread{};
  log.push_back("inner resumed " + current_tag());
  co_return current_tag();
}

Task<void> outer_task(std::vector<std::string>& log, std::atomic<bool>& done) {
  log.push_back("outer start " + current_tag());
  const auto here = std::this_thread::get_id();
  const auto there = co_await ResumeOnOtherThread{};
  log.push_back(std::string(there != here ? "other thread " : "same thread ") + current_tag());
  const std::string from_inner = co_await inner_task(log);
  log.push_back("inner returned " + from_inner);
  log.push_back("outer end " + current_tag());
  done = true;
}
}  // namespace

TEST_CASE("coroutines keep their context across resumption on other threads", "[emit]") {
  std::vector<std::string> log;
  std::atomic<bool> done{false};
  std::optional<Task<void>> task;
  {
    ContextScope scope(md("corout00", "req00007"));
    task.emplace(outer_task(log, done));  // the context is captured here
  }
  ContextScope unrelated(md("caller00", "req00008"));
  task->start();
  CHECK(current_tag() == "[req=req00008|session=caller00]");  // given back at suspension
  for (int i = 0; i < 200 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  join_resumers();  // the coroutine has reached its end on another thread: let that thread finish
  REQUIRE(done);
  const std::string t = "[req=req00007|session=corout00]";
  CHECK(log == std::vector<std::string>{"outer start " + t, "other thread " + t, "inner start " + t,
                                        "inner resumed " + t, "inner returned " + t, "outer end " + t});
}

TEST_CASE("request ids: lowercase hex, unique across threads, configurable length", "[emit]") {
  std::mutex m;
  std::set<std::string> all;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::vector<std::string> mine;
      for (int i = 0; i < 50000; ++i) mine.push_back(new_request_id());
      std::lock_guard<std::mutex> lock(m);
      all.insert(mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  CHECK(all.size() == 200000);
  for (const auto& id : {*all.begin(), *all.rbegin()}) {
    CHECK(id.size() == 8);
    CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
  }
  CHECK(new_request_id(32).size() == 32);
  CHECK(new_request_id(16).size() == 16);
}

TEST_CASE("session ids come from the request in the article's order, always safe", "[emit]") {
  std::map<std::string, std::string> headers;
  HeaderLookup lookup = [&](std::string_view name) -> std::optional<std::string_view> {
    auto it = headers.find(std::string(name));
    if (it == headers.end()) return std::nullopt;
    return std::string_view(it->second);
  };
  headers = {{"X-Session-ID", "sess-1"}, {"X-Correlation-ID", "corr-1"}, {"Authorization", "Bearer tok"}};
  CHECK(session_id_from(lookup, "session_id=q1") == "sess-1");
  headers.erase("X-Session-ID");
  CHECK(session_id_from(lookup, "session_id=q1") == "corr-1");
  headers.erase("X-Correlation-ID");
  CHECK(session_id_from(lookup, "a=1&session_id=q%2D1&b=2") == "q-1");
  const std::string secret = "eyJhbGciOiJIUzI1NiJ9.s3cr3t-token";
  headers["Authorization"] = "Bearer " + secret;
  const std::string from_token = session_id_from(lookup, "");
  CHECK(from_token == derived_id(secret));
  CHECK(from_token.find("s3cr3t") == std::string::npos);
  CHECK(session_id_from(lookup, "") == from_token);  // stable: the same user, the same session
  headers.clear();
  CHECK(session_id_from(lookup, "").size() == 32);
  // Unsafe ids never reach the log as they are.
  for (const std::string& bad : {std::string("x]|session=forged"), std::string("a b"),
                                 std::string("\x1b[31m"), std::string(200000, 'a'), std::string("none")}) {
    headers = {{"X-Session-ID", bad}};
    const std::string got = session_id_from(lookup, "");
    CHECK(got == derived_id(bad));
    CHECK(format::is_safe_id(got));
  }
}

TEST_CASE("one call is one entry with exactly its own fields, whatever the message", "[emit]") {
  auto sink = std::make_shared<MemorySink>();
  Logger logger(sink, {Level::kDebug});
  const std::vector<std::string> hostile = {
      "plain",
      "two\nlines",
      "forged\n2024-01-15 10:30:15,123 - ERROR - [req=evil|session=victim00] - injected",
      "carriage\rreturn",
      std::string("nul\0byte", 8),
      "escape \x1b[2J and bell \x07",
      "tab\there",
      "back\\slash \\n literal",
      "[req=fake|session=fake0000] tag-like",
      "",
  };
  const std::vector<std::pair<std::string, std::string>> ids = {
      {"12345678abcdef", "a1b2c3d4"}, {"]|x=y", "req id"}, {"", ""}, {"s", "none"}};
  std::vector<std::tuple<std::string, std::string, std::string>> expected;  // session, req, message
  for (const auto& [session, request] : ids) {
    ContextScope scope(md(session, request));
    const Context c = Context::current();
    for (const auto& m : hostile) {
      logger.info("{}", m);
      expected.emplace_back(c.session_id() == "none" ? "" : std::string(c.session_id()),
                            c.request_id() == "none" ? "" : std::string(c.request_id()), m);
    }
  }
  const auto entries = parse_entries(sink->text);
  REQUIRE(entries.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO(entries[i].text);
    CHECK(entries[i].line == i + 1);  // one line each
    CHECK(entries[i].session == std::get<0>(expected[i]));
    CHECK(entries[i].req == std::get<1>(expected[i]));
    // The message parses back to its escaped form.
    Header h;
    REQUIRE(parse_header(entries[i].text, h));
    std::string escaped;
    format::append_escaped_message(escaped, std::get<2>(expected[i]));
    CHECK(h.message == escaped);
    CHECK(h.level == Level::kInfo);
  }
}

TEST_CASE("exceptions are written as indented continuation lines of one entry", "[emit]") {
  auto sink = std::make_shared<MemorySink>();
  Logger logger(sink);
  ContextScope scope(md("exc00000", "req00009"));
  try {
    try {
      throw std::runtime_error("gateway did not answer\n2024-01-15 10:00:00 - INFO - forged");
    } catch (...) {
      std::throw_with_nested(std::logic_error("charge failed"));
    }
  } catch (...) {
    logger.exception("Payment gateway timeout");
  }
  const auto entries = parse_entries(sink->text);
  REQUIRE(entries.size() == 1);
  const std::string& text = entries[0].text;
  CHECK(text.find(" - ERROR - [req=req00009|session=exc00000] - Payment gateway timeout\n") !=
        std::string::npos);
  CHECK(text.find("\n  std::logic_error: charge failed\n") != std::string::npos);
  CHECK(text.find("\n  caused by std::runtime_error: gateway did not answer\\n2024-01-15") !=
        std::string::npos);
}

TEST_CASE("the written line: format, level names, threshold", "[emit]") {
  auto sink = std::make_shared<MemorySink>();
  Logger logger(sink, {Level::kWarning, Clock::kUtc});
  ContextScope scope(md("12345678", "a1b2c3d4"));
  logger.info("dropped {}", 1);
  logger.warning("kept {}", 2);
  logger.critical("bad");
  const std::string& t = sink->text;
  REQUIRE(std::count(t.begin(), t.end(), '\n') == 2);
  CHECK(t.substr(23, t.find('\n') - 23) == " - WARNING - [req=a1b2c3d4|session=12345678] - kept 2");
  CHECK(t[19] == ',');
  format::Timestamp ts;
  CHECK(format::parse_timestamp(t, ts) == 23);
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  CHECK(std::abs(ts.seconds - now) < 5);  // UTC, as asked
  CHECK(t.find(" - CRITICAL - ") != std::string::npos);
}

TEST_CASE("each line has its own tag, level and time, call after call", "[emit]") {
  // The logger reuses the last line's prefix when it can: tags of the same
  // length, levels and clocks must still come out right in the same second.
  auto sink = std::make_shared<MemorySink>();
  Logger local(sink, {Level::kDebug, Clock::kLocal});
  Logger utc(sink, {Level::kDebug, Clock::kUtc});
  std::vector<std::string> want;
  for (int i = 0; i < 50; ++i) {
    const std::string req = "req" + std::to_string(10000 + i);  // all 8 characters
    ContextScope scope(md("sess" + std::to_string(1000 + i % 3), req));
    (i % 2 ? local : utc).log(i % 3 ? Level::kInfo : Level::kWarning, "n {}", i);
    want.push_back(std::string(" - ") + (i % 3 ? "INFO" : "WARNING") + " - [req=" + req + "|session=sess" +
                   std::to_string(1000 + i % 3) + "] - n " + std::to_string(i));
  }
  std::istringstream in(sink->text);
  std::string line;
  const std::time_t t = std::time(nullptr);
  std::tm civil{};
  ::localtime_r(&t, &civil);
  const long offset = civil.tm_gmtoff;
  for (int i = 0; i < 50; ++i) {
    REQUIRE(std::getline(in, line));
    CHECK(line.substr(23) == want[static_cast<std::size_t>(i)]);
    format::Timestamp ts;
    REQUIRE(format::parse_timestamp(line, ts) == 23);
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    CHECK(std::abs(ts.seconds - (i % 2 ? offset : 0) - now) < 5);  // local or UTC, as asked
  }
}

TEST_CASE("a failing sink never throws into the caller", "[emit]") {
  struct Broken : Sink {
    void write(std::string_view) override { throw std::runtime_error("disk on fire"); }
  };
  std::vector<std::string> reports;
  test::FakeReportClock clock;  // every call below falls in one second
  set_error_handler([&](std::string_view w) { reports.emplace_back(w); });
  Logger logger(std::make_shared<Broken>());
  for (int i = 0; i < 1000; ++i) CHECK_NOTHROW(logger.error("x {}", i));
  set_error_handler(nullptr);
  CHECK(reports.size() == 1);  // rate-limited
  CHECK(reports[0] == "disk on fire");
}

TEST_CASE("threads and processes share one file without torn lines", "[emit]") {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("tracegrep-emit-" + std::to_string(::getpid()) + ".log"))
          .string();
  std::filesystem::remove(path);
  auto write_lines = [&](const std::string& who) {
    Logger logger(file_sink(path));
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        ContextScope s(md(who + std::to_string(t), new_request_id()));
        for (int i = 0; i < 2000; ++i) logger.info("{} line {} {}", who, i, std::string(200, 'x'));
      });
    }
    for (auto& th : threads) th.join();
  };
  const pid_t child = ::fork();
  if (child == 0) {
    write_lines("child");
    ::_exit(0);
  }
  write_lines("parent");
  int status = 0;
  ::waitpid(child, &status, 0);
  std::ifstream f(path);
  std::string line;
  std::size_t lines = 0;
  while (std::getline(f, line)) {
    ++lines;
    Header h;
    REQUIRE(parse_header(line, h));
    CHECK(line.size() > 200);
    CHECK(line.substr(line.size() - 200) == std::string(200, 'x'));
  }
  std::filesystem::remove(path);
  CHECK(lines == 2 * 4 * 2000);
}
