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
