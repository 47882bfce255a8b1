// A log call with a context allocates nothing once warm: counted by
// replacing the global operator new in this test binary alone.
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

#include "tracegrep/context.hpp"
#include "tracegrep/log.hpp"

namespace {
std::atomic<std::size_t> g_allocations{0};
}

void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {
// Keeps the last line: a sink that allocates nothing per line either.
class LastLine : public tracegrep::Sink {
 public:
  LastLine() { last.reserve(4096); }
  void write(std::string_view line) override { last.assign(line); }
  std::string last;
};
}  // namespace

TEST_CASE("a log call with a context allocates nothing in steady state", "[emit]") {
  auto sink = std::make_shared<LastLine>();
  tracegrep::Logger logger(sink);
  tracegrep::RequestMetadata m;
  m.session_id = "12345678abcdef";
  m.request_id = "a1b2c3d4";
  tracegrep::ContextScope scope(m);
  const std::string user = "alice";
  for (int i = 0; i < 100; ++i) logger.info("Processing payment for user {} amount {}", user, i * 1.5);
  const std::size_t before = g_allocations.load();
  for (int i = 0; i < 10000; ++i) logger.info("Processing payment for user {} amount {}", user, i * 1.5);
  logger.debug("below the threshold {}", 1);
  const std::size_t after = g_allocations.load();
  CHECK(after - before == 0);
  CHECK(sink->last.find(
            " - INFO - [req=a1b2c3d4|session=12345678] - Processing payment for user alice amount ") !=
        std::string::npos);
}

TEST_CASE("a log call to a file allocates nothing in steady state, the writer thread neither", "[emit]") {
  const std::string path = "/tmp/tracegrep-alloc-" + std::to_string(::getpid()) + ".log";
  {
    tracegrep::Logger logger(tracegrep::file_sink(path));
    tracegrep::RequestMetadata m;
    m.session_id = "12345678abcdef";
    m.request_id = "a1b2c3d4";
    tracegrep::ContextScope scope(m);
    for (int i = 0; i < 100; ++i) logger.info("warming up {}", i);  // this thread's buffer, the writer
    logger.flush();
    const std::size_t before = g_allocations.load();
    // Over 1 MB: the buffer fills and the writer writes it out, several times.
    for (int i = 0; i < 20000; ++i) logger.info("Processing payment for user {} amount {}", "alice", i * 1.5);
    const std::size_t after = g_allocations.load();
    CHECK(after - before == 0);
  }
  std::remove(path.c_str());
}

TEST_CASE("a new second costs no allocation: the time is rendered in place", "[emit]") {
  // Once a second each thread renders "YYYY-MM-DD HH:MM:SS" anew. That went
  // through a std::string of 19 characters (over the small-string limit),
  // so a run of calls that crossed a second allocated once: seen 1 run in
  // ~40, more under load. Here every second of a day, deterministically.
  char text[19];
  const std::size_t before = g_allocations.load();
  for (std::int64_t t = 1'700'000'000; t < 1'700'000'000 + 86'400; ++t)
    tracegrep::format::write_date_time(text, t);
  CHECK(g_allocations.load() - before == 0);
  CHECK(std::string(text, 19) == "2023-11-15 22:13:19");
}

TEST_CASE("entering and leaving a scope with a built context allocates nothing", "[emit]") {
  tracegrep::RequestMetadata m;
  m.session_id = "12345678";
  m.request_id = "a1b2c3d4";
  const tracegrep::Context context(m);
  const std::size_t before = g_allocations.load();
  for (int i = 0; i < 10000; ++i) {
    tracegrep::ContextScope scope(context);
  }
  CHECK(g_allocations.load() - before == 0);
}
