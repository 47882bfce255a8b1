// Entry assembly: tracebacks, leading lines, cut entries, and the same result
// whatever the chunking and whether or not the literal skip is used.
#include "parse/assembler.hpp"

#include <catch2/catch.hpp>

#include "match/filter.hpp"
#include "match/literal.hpp"
#include "recorder.hpp"

using namespace tracegrep;
using tracegrep::test::Recorded;
using tracegrep::test::Recorder;

namespace {

const std::string kLog =
    "leading line\n"
    "2024-01-15 10:30:15,123 - INFO - [req=r1|session=12345678] - start\n"
    "2024-01-15 10:30:16,000 - ERROR - [req=r1|session=12345678] - boom\n"
    "Traceback (most recent call last):\n"
    "  File \"a.py\", line 1, in <module>\n"
    "ValueError: session=12345678 bad\n"
    "2024-01-15 10:30:17,000 - INFO - [req=r2|session=87654321] - other session=12345678\n"
    "  continued\n"
    "2024-01-15 10:30:18,000 - INFO - untagged\n"
    "2024-01-15 10:30:19,000 - INFO - [req=r3|session=12345678] - last, no newline";

std::unique_ptr<Filter> filter_of(FilterSpec spec) {
  std::string error;
  auto f = Filter::build(spec, error);
  REQUIRE(f);
  return f;
}

// Feeds `log` in pieces of at least `step` bytes, each ending at a line end as
// the reader guarantees (but for the last).
std::vector<Recorded> scan(const std::string& log, const Filter& filter, std::size_t step,
                           std::size_t max_entry = kDefaultMaxEntry) {
  Recorder rec;
  Assembler a(filter, rec, max_entry, LineNumbers::kCount);
  a.reset();
  std::size_t pos = 0;
  while (pos < log.size()) {
    std::size_t end = std::min(log.size(), pos + step);
    if (end < log.size()) {
      const auto nl = log.find('\n', end - 1);
      end = nl == std::string::npos ? log.size() : nl + 1;
    }
    a.feed(std::string_view(log).substr(pos, end - pos));
    pos = end;
  }
  a.flush();
  return rec.entries;
}

}  // namespace

TEST_CASE("no filter: every entry, tracebacks attached, leading lines first", "[parse]") {
  auto f = filter_of({});
  const auto got = scan(kLog, *f, 1 << 20);
  REQUIRE(got.size() == 6);
  CHECK(got[0].text == "leading line\n");
  CHECK(got[0].line == 1);
  CHECK(got[2].text ==
        "2024-01-15 10:30:16,000 - ERROR - [req=r1|session=12345678] - boom\n"
        "Traceback (most recent call last):\n"
        "  File \"a.py\", line 1, in <module>\n"
        "ValueError: session=12345678 bad\n");
  CHECK(got[2].line == 3);
  CHECK(got[3].line == 7);
  CHECK(got[5].text == "2024-01-15 10:30:19,000 - INFO - [req=r3|session=12345678] - last, no newline");
  CHECK(got[5].line == 10);
}

TEST_CASE("a session filter finds the tag, never text in a message or a traceback", "[parse]") {
  FilterSpec spec;
  spec.sessions = {"12345678abcdef"};
  auto f = filter_of(spec);
  REQUIRE(f->finder());
  const auto got = scan(kLog, *f, 1 << 20);
  REQUIRE(got.size() == 3);
  CHECK(got[0].req == "r1");
  CHECK(got[1].text.find("ValueError") != std::string::npos);
  CHECK(got[2].req == "r3");
}

TEST_CASE("the literal skip gives exactly what parsing every line gives", "[parse]") {
  // More ids than the finder takes at once disable the skip; ids found
  // nowhere do not change what matches.
  std::vector<std::string> nowhere;
  for (std::size_t i = 0; i <= LiteralFinder::kMaxNeedles; ++i)
    nowhere.push_back(
        std::string("q").append(std::to_string(100 + i)));  // distinct in their first 4 characters
  for (const std::vector<std::string>& ids :
       {std::vector<std::string>{"12345678"}, std::vector<std::string>{"12345678", "87654321"}}) {
    FilterSpec fast, slow;
    fast.sessions = ids;
    slow.sessions = ids;
    slow.sessions.insert(slow.sessions.end(), nowhere.begin(), nowhere.end());
    auto ff = filter_of(fast);
    auto fs = filter_of(slow);
    REQUIRE(ff->finder());
    REQUIRE_FALSE(fs->finder());
    for (std::size_t step : {1u, 7u, 40u, 100u, 1000u}) {
      INFO("ids " << ids.size() << " step " << step);
      const auto skipped = scan(kLog, *ff, step);
      CHECK_FALSE(skipped.empty());
      CHECK(skipped == scan(kLog, *fs, step));
    }
  }
}

TEST_CASE("chunking never changes the entries", "[parse]") {
  auto f = filter_of({});
  const auto whole = scan(kLog, *f, 1 << 20);
  for (std::size_t step = 1; step < 200; step += 13) {
    INFO("step " << step);
    CHECK(scan(kLog, *f, step) == whole);
  }
}

TEST_CASE("an entry longer than the limit is cut there", "[parse]") {
  auto f = filter_of({});
  std::string log = "2024-01-15 10:30:15 - INFO - [req=r|session=s] - big\n";
  for (int i = 0; i < 200; ++i) log += "  continuation line number " + std::to_string(i) + "\n";
  log += "2024-01-15 10:30:16 - INFO - [req=r2|session=s] - next\n";
  for (std::size_t step : {64u, 1000u, 100000u}) {
    const auto got = scan(log, *f, step, 4096);
    REQUIRE(got.size() == 2);
    CHECK(got[0].text.size() == 4096);
    CHECK(got[0].cut);
    CHECK(got[0].text == log.substr(0, 4096));
    CHECK_FALSE(got[1].cut);
    CHECK(got[1].line == 202);
  }
}

TEST_CASE("a cut line from the reader counts as one line", "[parse]") {
  auto f = filter_of({});
  Recorder rec;
  Assembler a(*f, rec, 4096, LineNumbers::kCount);
  a.feed("2024-01-15 10:30:15 - INFO - [req=r|session=s] - head\n");
  a.feed_cut_line("  " + std::string(4094, 'x'));  // indented: a continuation
  a.feed("2024-01-15 10:30:16 - INFO - [req=r2|session=s] - next\n");
  a.flush();
  REQUIRE(rec.entries.size() == 2);
  CHECK(rec.entries[0].cut);
  CHECK(rec.entries[0].text.size() == 4096);
  CHECK(rec.entries[1].line == 3);
}

TEST_CASE("CRLF files assemble like LF files", "[parse]") {
  auto f = filter_of({});
  const auto got = scan(
      "2024-01-15 10:30:15 - INFO - [req=r|session=s] - a\r\nTraceback (most recent call last):\r\n"
      "2024-01-15 10:30:16 - INFO - [req=r|session=s] - b\r\n",
      *f, 1 << 20);
  REQUIRE(got.size() == 2);
  CHECK(got[0].text ==
        "2024-01-15 10:30:15 - INFO - [req=r|session=s] - a\r\nTraceback (most recent call last):\r\n");
}

TEST_CASE("a patterned filter sees continuation lines", "[parse]") {
  FilterSpec spec;
  spec.patterns = {"ValueError"};
  auto f = filter_of(spec);
  const auto got = scan(kLog, *f, 1 << 20);
  REQUIRE(got.size() == 1);
  CHECK(got[0].req == "r1");
}

TEST_CASE("the sink can stop the scan", "[parse]") {
  auto f = filter_of({});
  Recorder rec;
  rec.stop_after = 2;
  Assembler a(*f, rec, kDefaultMaxEntry, LineNumbers::kOff);
  CHECK(a.feed(kLog) == Flow::kStop);
  CHECK(rec.entries.size() == 2);
}

TEST_CASE("lines after an idle flush go to late_lines", "[parse]") {
  auto f = filter_of({});
  Recorder rec;
  Assembler a(*f, rec, kDefaultMaxEntry, LineNumbers::kOff);
  a.feed("2024-01-15 10:30:15 - ERROR - [req=r|session=s] - boom\n");
  a.flush();
  REQUIRE(rec.entries.size() == 1);
  a.feed("Traceback (most recent call last):\n2024-01-15 10:30:16 - INFO - [req=r|session=s] - x\n");
  a.flush();
  CHECK(rec.late == "Traceback (most recent call last):\n");
  CHECK(rec.entries.size() == 2);
}
