// tracegrep timeline through the real binary: from files and from the
// index alike, and what happens when there is nothing to show.
#include <catch2/catch.hpp>

#include "support/subprocess.hpp"

using namespace tracegrep::test;

TEST_CASE("a timeline from the index is the timeline from the files", "[e2e][timeline]") {
  TempDir tmp;
  const std::string db = tmp.path("i.db");
  REQUIRE(
      run(TRACEGREP_BIN, {"index", "-q", "--db", db, "edge/svc-api.log", "edge/svc-payments.log"}).status ==
      0);
  const auto from_index = run_tracegrep({"timeline", "--db", db, "-r", "x0000001"});
  const auto from_files =
      run_tracegrep({"timeline", "-r", "x0000001", "edge/svc-api.log", "edge/svc-payments.log"});
  INFO(from_index.out << "\n---\n" << from_files.out << from_index.err);
  CHECK(from_index.status == 0);
  CHECK(from_index.out == from_files.out);
}

TEST_CASE("a timeline orders across services and says where the clock went back", "[e2e][timeline]") {
  const auto r = run_tracegrep({"timeline", "-r", "x0000001", "edge/svc-api.log", "edge/svc-payments.log"});
  INFO(r.out);
  REQUIRE(r.status == 0);
  // Equal times: file order within a file, input order across files.
  const auto calling = r.out.find("Calling payments service");
  const auto same_ms = r.out.find("same millisecond");
  const auto charging = r.out.find("Charging card");
  CHECK(calling < same_ms);
  CHECK(same_ms < charging);
  CHECK(r.out.find("note: clock went back 1.120 s at edge/svc-api.log:4") != std::string::npos);
  CHECK(r.out.find("entries 8  highest ERROR") != std::string::npos);
  CHECK(r.out.find("another request") == std::string::npos);
}

TEST_CASE("a timeline of an unknown request says so, exit 1", "[e2e][timeline]") {
  const auto r = run_tracegrep({"timeline", "-r", "nosuchid", "app.log"});
  CHECK(r.status == 1);
  CHECK(r.err == "tracegrep: request nosuchid: no entries\n");
  CHECK(r.out.empty());
}

TEST_CASE("the Chrome trace has a track per source, a complete event per request, an instant per entry",
          "[e2e][timeline]") {
  const auto r = run_tracegrep(
      {"timeline", "--format", "chrome", "-s", "abcdef01", "edge/svc-api.log", "edge/svc-payments.log"});
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out.rfind("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[", 0) == 0);
  CHECK(r.out.find("\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":1,\"args\":{\"name\":\"edge/"
                   "svc-api.log\"}") != std::string::npos);
  CHECK(r.out.find("\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":2,\"args\":{\"name\":\"edge/"
                   "svc-payments.log\"}") != std::string::npos);
  // x0000001 on the api track: from 10:30:14.000 to 10:30:16.950, in microseconds.
  CHECK(r.out.find("\"ph\":\"X\",\"name\":\"x0000001\",\"cat\":\"request\",\"pid\":1,\"tid\":1,\"ts\":"
                   "1705314614000000,\"dur\":2950000") != std::string::npos);
  std::size_t instants = 0;
  for (auto p = r.out.find("\"ph\":\"i\""); p != std::string::npos; p = r.out.find("\"ph\":\"i\"", p + 1))
    ++instants;
  CHECK(instants == 9);
  CHECK(r.out.find("\"args\":{\"msg\":\"Payment gateway timeout\\nTraceback (most recent call last):") !=
        std::string::npos);
}

TEST_CASE("timeline -s --entries tells a session's story across services, in time order", "[e2e][timeline]") {
  const std::vector<std::string> files = {"edge/svc-api.log", "edge/svc-payments.log"};
  auto args = [&](std::vector<std::string> a) {
    a.insert(a.end(), files.begin(), files.end());
    return a;
  };
  const auto r = run_tracegrep(args({"timeline", "-s", "abcdef01", "--entries", "--color=never"}));
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto at = r.out.find("entries in time order (9):\n");
  REQUIRE(at != std::string::npos);
  const std::string story = r.out.substr(at);
  // Both requests, both services, interleaved by time: the payments
  // service's "Charging card" (10:30:15,120) comes between the api's two
  // lines of that millisecond and its 15,140 line, before the api's error.
  const auto charging = story.find("x0000001 edge/svc-payments.log  Charging card");
  const auto calling = story.find("x0000001 edge/svc-api.log       Calling payments service");
  const auto waiting = story.find("Waiting for gateway");
  const auto timeout = story.find("ERROR    x0000001 edge/svc-api.log       Payment gateway timeout");
  const auto other = story.find("y0000002 edge/svc-api.log       another request");
  CHECK(calling != std::string::npos);
  CHECK(calling < charging);
  CHECK(charging < waiting);
  CHECK(waiting < timeout);
  CHECK(timeout < other);
  CHECK(story.find("  File \"/srv/api/gateway.py\", line 41, in charge") !=
        std::string::npos);  // continuation
  CHECK(story.find("largest gap:") != std::string::npos);
  CHECK(story.find("of the session") != std::string::npos);
  // The JSON form carries the same entries, with offsets and gaps.
  const auto j = run_tracegrep(args({"timeline", "-s", "abcdef01", "--entries", "--json"}));
  REQUIRE(j.status == 0);
  CHECK(j.out.find("\"requests\":[") != std::string::npos);
  CHECK(j.out.find("\"timeline\":[") != std::string::npos);
  std::size_t n = 0;
  for (std::size_t p = 0; (p = j.out.find("\"offset_ms\":", p)) != std::string::npos; ++p) ++n;
  CHECK(n == 9);
  CHECK(j.out.find("\"req\":\"y0000002\"") != std::string::npos);
  // From the index, the same bytes.
  TempDir tmp;
  const std::string db = tmp.path("i.db");
  REQUIRE(run(TRACEGREP_BIN, args({"index", "-q", "--db", db})).status == 0);
  const auto from_index =
      run_tracegrep({"timeline", "-s", "abcdef01", "--entries", "--color=never", "--db", db});
  CHECK(from_index.out == r.out);
  // --entries is for sessions: a request's timeline lists its entries already.
  const auto bad = run_tracegrep(args({"timeline", "-r", "x0000001", "--entries"}));
  CHECK(bad.status == 2);
  CHECK(bad.err.find("--entries") != std::string::npos);
}
