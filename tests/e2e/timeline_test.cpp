// tracegrep timeline through the real binary: from files and from the
// index alike, and what happens when there is nothing to show.
#include <catch2/catch.hpp>

#include "support/subprocess.hpp"

using namespace tracegrep::test;

TEST_CASE("a timeline from the index is the timeline from the files", "[e2e][timeline]") {
  TempDir tmp;
  const std::string db = tmp.path("i.db");
  REQUIRE(run(TRACEGREP_BIN, {"index", "-q", "--db", db, "edge/svc-api.log", "edge/svc-payments.log"}).status == 0);
  const auto from_index = run_tracegrep({"timeline", "--db", db, "-r", "x0000001"});
  const auto from_files = run_tracegrep({"timeline", "-r", "x0000001", "edge/svc-api.log", "edge/svc-payments.log"});
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
