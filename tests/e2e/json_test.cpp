// What the emitter writes, tracegrep's --json gives back exactly: hostile
// messages and ids through the emitter's file sink, the real binary's JSON
// (scan and timeline alike, one writer), decoded by Python's json module.
// Also the fields only some entries have: "attrs" and "cut".
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "support/subprocess.hpp"
#include "tracegrep/context.hpp"
#include "tracegrep/log.hpp"

using namespace tracegrep::test;

namespace {

// One line per JSON object: hex of msg's UTF-8, req, session, attrs, cut.
const char* kDecode = R"(
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    for e in (o["timeline"] if "timeline" in o else [o]):
        print(e["msg"].encode("utf-8").hex(), e["req"], e["session"], json.dumps(e.get("attrs"), sort_keys=True), e.get("cut", False))
)";

std::string hex(std::string_view s) {
  std::string out;
  for (const unsigned char c : s) out += fmt::format("{:02x}", c);
  return out;
}

std::vector<std::string> decoded(const std::string& json_lines, const std::string& dir) {
  write_file(dir + "/decode.py", kDecode);
  RunOptions o;
  o.input = json_lines;
  const Result r = run(TRACEGREP_PYTHON, {dir + "/decode.py"}, o);
  INFO(r.err);
  REQUIRE(r.status == 0);
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

}  // namespace

TEST_CASE("what the emitter writes, --json gives back: scan and timeline, hostile messages and ids",
          "[e2e][json]") {
  TempDir tmp;
  const std::string log = tmp.path("emitted.log");
  const std::vector<std::string> hostile = {
      "plain",
      "two\nlines",
      "forged\n2024-01-15 10:30:15,123 - ERROR - [req=evil|session=victim00] - x",
      std::string("nul\0byte", 8),
      "escape \x1b[2J bell \x07",
      "quote \" and back\\slash",
      "bidi \u202e txt",
      "caf\u00e9 \u65e5\u672c",
      "[req=fake|session=fake0000] tag-like",
      ""};
  std::vector<std::string> expected;
  {
    tracegrep::Logger logger(tracegrep::file_sink(log));
    tracegrep::RequestMetadata m;
    m.session_id = "12345678abcdef";
    m.request_id = "a1b2c3d4";
    m.parent_span_id = "00f067aa0ba902b7";
    tracegrep::ContextScope scope(std::move(m));
    for (const auto& msg : hostile) {
      logger.info("{}", msg);
      std::string escaped;  // what the line holds, and so what tracegrep reads
      tracegrep::format::append_escaped_message(escaped, msg);
      expected.push_back(hex(escaped) + " a1b2c3d4 12345678 {\"parent\": \"00f067aa0ba902b7\"} False");
    }
  }
  const Result scan = run_tracegrep({"--json", "-r", "a1b2c3d4", log});
  REQUIRE(scan.status == 0);
  CHECK(decoded(scan.out, tmp.dir()) == expected);
  const Result timeline = run_tracegrep({"timeline", "--json", "-r", "a1b2c3d4", log});
  REQUIRE(timeline.status == 0);
  CHECK(decoded(timeline.out, tmp.dir()) == expected);  // the same writer: the same objects
}

TEST_CASE("JSON output: an entry cut at the size limit says \"cut\":true, in scans and timelines",
          "[e2e][json]") {
  TempDir tmp;
  const std::string log = tmp.path("big.log");
  write_file(log,
             "2024-01-15 10:30:15,123 - INFO - [req=r1|session=s1] - small\n"
             "2024-01-15 10:30:16,123 - ERROR - [req=r1|session=s1] - huge " +
                 std::string(2 << 20, 'x') +
                 "\n2024-01-15 10:30:17,123 - INFO - [req=r1|session=s1] - after\n");
  const Result scan = run_tracegrep({"--json", "-r", "r1", log});
  REQUIRE(scan.status == 0);
  const auto s = decoded(scan.out, tmp.dir());
  REQUIRE(s.size() == 3);
  CHECK(s[0].substr(s[0].size() - 5) == "False");
  CHECK(s[1].substr(s[1].size() - 4) == "True");
  CHECK(s[2].substr(s[2].size() - 5) == "False");
  const Result timeline = run_tracegrep({"timeline", "--json", "-r", "r1", log});
  REQUIRE(timeline.status == 0);
  CHECK(decoded(timeline.out, tmp.dir()) == s);
}
