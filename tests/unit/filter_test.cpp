// Filters: ids, levels, time windows, patterns, and their errors.
#include "match/filter.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "match/time_bound.hpp"

using namespace tracegrep;

namespace {

Header header_of(const char* line) {
  static std::string keep;
  keep = line;
  Header h;
  parse_header(keep, h);
  return h;
}

std::unique_ptr<Filter> build(FilterSpec spec) {
  std::string error;
  auto f = Filter::build(spec, error);
  INFO(error);
  REQUIRE(f);
  return f;
}

}  // namespace

TEST_CASE("repeats of one option are OR, options are AND", "[match]") {
  FilterSpec spec;
  spec.sessions = {"aaaa1111", "bbbb2222"};
  spec.min_level = format::Level::kWarning;
  auto f = build(spec);
  CHECK(f->accepts_header(header_of("2024-01-15 10:00:00 - ERROR - [req=r|session=aaaa1111] - x")));
  CHECK(f->accepts_header(header_of("2024-01-15 10:00:00 - WARNING - [req=r|session=bbbb2222] - x")));
  CHECK_FALSE(f->accepts_header(header_of("2024-01-15 10:00:00 - INFO - [req=r|session=aaaa1111] - x")));
  CHECK_FALSE(f->accepts_header(header_of("2024-01-15 10:00:00 - ERROR - [req=r|session=cccc3333] - x")));
}

TEST_CASE("requests match exactly, and entries without ids never match an id", "[match]") {
  FilterSpec spec;
  spec.requests = {"a1b2c3d4"};
  auto f = build(spec);
  CHECK(f->accepts_header(header_of("2024-01-15 10:00:00 - INFO - [req=a1b2c3d4|session=s] - x")));
  CHECK_FALSE(f->accepts_header(header_of("2024-01-15 10:00:00 - INFO - [req=a1b2c3d45|session=s] - x")));
  CHECK_FALSE(f->accepts_header(header_of("2024-01-15 10:00:00 - INFO - [req=a1b2|session=s] - x")));
  CHECK_FALSE(f->accepts_header(header_of("2024-01-15 10:00:00 - INFO - req=a1b2c3d4")));
  CHECK_FALSE(f->accepts_header(header_of("2024-01-15 10:00:00 - INFO - [req=none|session=s] - x")));
}

namespace {
// A fixed now (2024-01-15 15:30:00 UTC) and zone, for the relative forms.
TimeContext fixed_now(bool utc = false) {
  ::setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1);  // New York's rules, no tzdata needed
  ::tzset();
  format::Timestamp t;
  format::parse_timestamp("2024-01-15 15:30:00", t);
  TimeContext c;
  c.now_seconds = t.seconds;
  c.utc = utc;
  return c;
}
std::string naive_of(const std::optional<TimeBound>& b) { return format::format_iso(b->naive); }
std::string utc_of(const std::optional<TimeBound>& b) { return format::format_iso(b->utc); }
}  // namespace

TEST_CASE("time window: since inclusive, until includes its last unit", "[match]") {
  FilterSpec spec;
  spec.since = parse_time_bound("2024-01-15 10:00", BoundKind::kSince, fixed_now());
  spec.until = parse_time_bound("2024-01-15 10:01", BoundKind::kUntil, fixed_now());
  auto f = build(spec);
  CHECK(f->accepts_header(header_of("2024-01-15 10:00:00 - INFO - x")));
  CHECK(f->accepts_header(header_of("2024-01-15 10:01:59,999 - INFO - x")));
  CHECK_FALSE(f->accepts_header(header_of("2024-01-15 10:02:00 - INFO - x")));
  CHECK_FALSE(f->accepts_header(header_of("2024-01-15 09:59:59,999 - INFO - x")));
  CHECK_FALSE(f->accepts_header(header_of("no timestamp")));
  // A log written with offsets meets the bound as local time: 10:00 in New
  // York is 15:00 UTC.
  CHECK(f->accepts_header(header_of("2024-01-15T15:00:30Z - INFO - x")));
  CHECK(f->accepts_header(header_of("2024-01-15T10:00:30-05:00 - INFO - x")));
  CHECK_FALSE(f->accepts_header(header_of("2024-01-15T10:00:30Z - INFO - x")));
  // --utc: the bound is UTC.
  spec.since = parse_time_bound("2024-01-15 10:00", BoundKind::kSince, fixed_now(true));
  spec.until = parse_time_bound("2024-01-15 10:01", BoundKind::kUntil, fixed_now(true));
  f = build(spec);
  CHECK(f->accepts_header(header_of("2024-01-15T10:00:30Z - INFO - x")));
  CHECK_FALSE(f->accepts_header(header_of("2024-01-15T15:00:30Z - INFO - x")));
  CHECK(f->accepts_header(header_of("2024-01-15 10:00:30 - INFO - x")));
}

TEST_CASE("parse_time_bound forms", "[match]") {
  const TimeContext c = fixed_now();
  CHECK(naive_of(parse_time_bound("2024-01-15", BoundKind::kSince, c)) == "2024-01-15T00:00:00");
  CHECK(utc_of(parse_time_bound("2024-01-15", BoundKind::kSince, c)) == "2024-01-15T05:00:00Z");
  CHECK(naive_of(parse_time_bound("2024-01-15", BoundKind::kUntil, c)) == "2024-01-16T00:00:00");
  CHECK(naive_of(parse_time_bound("2024-02-28 23:59", BoundKind::kUntil, c)) == "2024-02-29T00:00:00");
  CHECK(utc_of(parse_time_bound("2024-07-15 12:00", BoundKind::kSince, c)) == "2024-07-15T16:00:00Z");  // EDT
  CHECK(utc_of(parse_time_bound("2024-01-15T10:00:00Z", BoundKind::kSince, c)) == "2024-01-15T10:00:00Z");
  CHECK(naive_of(parse_time_bound("2024-01-15T10:00:00Z", BoundKind::kSince, c)) == "2024-01-15T05:00:00");
  auto until = parse_time_bound("2024-01-15 10:00:00.5", BoundKind::kUntil, c);
  CHECK(until->naive.seconds % 60 == 0);
  CHECK(until->naive.nanos == 600000000);
  // Relative to now (15:30 UTC, 10:30 in New York).
  CHECK(utc_of(parse_time_bound("now", BoundKind::kSince, c)) == "2024-01-15T15:30:00Z");
  CHECK(naive_of(parse_time_bound("now", BoundKind::kSince, c)) == "2024-01-15T10:30:00");
  CHECK(utc_of(parse_time_bound("15m", BoundKind::kSince, c)) == "2024-01-15T15:15:00Z");
  CHECK(utc_of(parse_time_bound("2h", BoundKind::kUntil, c)) == "2024-01-15T13:30:00Z");
  CHECK(naive_of(parse_time_bound("3d", BoundKind::kSince, c)) == "2024-01-12T10:30:00");
  CHECK(naive_of(parse_time_bound("1w", BoundKind::kSince, c)) == "2024-01-08T10:30:00");
  CHECK(naive_of(parse_time_bound("today", BoundKind::kSince, c)) == "2024-01-15T00:00:00");
  CHECK(naive_of(parse_time_bound("today", BoundKind::kUntil, c)) == "2024-01-16T00:00:00");
  CHECK(naive_of(parse_time_bound("yesterday", BoundKind::kSince, c)) == "2024-01-14T00:00:00");
  CHECK(naive_of(parse_time_bound("yesterday", BoundKind::kUntil, c)) == "2024-01-15T00:00:00");
  CHECK(utc_of(parse_time_bound("yesterday", BoundKind::kSince, c)) == "2024-01-14T05:00:00Z");
  CHECK(naive_of(parse_time_bound("09:15", BoundKind::kSince, c)) == "2024-01-15T09:15:00");
  CHECK(naive_of(parse_time_bound("09:15", BoundKind::kUntil, c)) == "2024-01-15T09:16:00");
  CHECK(naive_of(parse_time_bound("09:15:30", BoundKind::kUntil, c)) == "2024-01-15T09:15:31");
  CHECK(naive_of(parse_time_bound("today", BoundKind::kSince, fixed_now(true))) == "2024-01-15T00:00:00");
  CHECK(utc_of(parse_time_bound("today", BoundKind::kSince, fixed_now(true))) == "2024-01-15T00:00:00Z");
  CHECK_FALSE(parse_time_bound("last tuesday", BoundKind::kSince, c));
  CHECK_FALSE(parse_time_bound("2024-01-15 10", BoundKind::kSince, c));
  CHECK_FALSE(parse_time_bound("", BoundKind::kSince, c));
  CHECK_FALSE(parse_time_bound("15x", BoundKind::kSince, c));
  CHECK_FALSE(parse_time_bound("m", BoundKind::kSince, c));
  CHECK_FALSE(parse_time_bound("25:00", BoundKind::kSince, c));
}

TEST_CASE("patterns: OR, fixed strings, ignore case, invert", "[match]") {
  FilterSpec spec;
  spec.patterns = {"time.ut", "refused"};
  auto f = build(spec);
  CHECK(f->accepts_message("Payment gateway timeout"));
  CHECK(f->accepts_message("connection refused"));
  CHECK_FALSE(f->accepts_message("ok"));
  spec.patterns = {"a.b"};
  spec.syntax = PatternSyntax::kFixed;
  f = build(spec);
  CHECK(f->accepts_message("x a.b y"));
  CHECK_FALSE(f->accepts_message("x axb y"));
  spec.syntax = PatternSyntax::kRegex;
  spec.patterns = {"TIMEOUT"};
  spec.letter_case = Case::kInsensitive;
  f = build(spec);
  CHECK(f->accepts_message("gateway timeout"));
  spec.polarity = Polarity::kInverted;
  f = build(spec);
  CHECK_FALSE(f->accepts_message("gateway timeout"));
  CHECK(f->accepts_message("fine"));
}

TEST_CASE("a bad pattern names itself and the reason", "[match]") {
  FilterSpec spec;
  spec.patterns = {"ok", "a(b"};
  std::string error;
  CHECK_FALSE(Filter::build(spec, error));
  CHECK(error == "bad pattern 'a(b': missing ): a(b");
}

TEST_CASE("LiteralFinder finds every occurrence at every alignment", "[match]") {
  const std::string needle = "session=1234";
  LiteralFinder finder(needle);
  for (std::size_t len : {0u, 5u, 31u, 32u, 33u, 64u, 100u, 257u}) {
    for (std::size_t at = 0; at + needle.size() <= len; at += 3) {
      std::string hay(len, 'x');
      hay.replace(at, needle.size(), needle);
      const char* hit = finder.find(hay.data(), hay.data() + hay.size());
      INFO("len " << len << " at " << at);
      REQUIRE(hit);
      CHECK(hit - hay.data() == static_cast<long>(at));
    }
    std::string hay(len, 'x');
    CHECK(finder.find(hay.data(), hay.data() + hay.size()) == nullptr);
  }
  // Near misses: the two tested bytes present, the rest not.
  std::string hay(300, 's');
  hay.replace(100, 12, "session=1x34");
  CHECK(finder.find(hay.data(), hay.data() + hay.size()) == nullptr);
}

TEST_CASE("LiteralFinder with several needles finds the earliest of any", "[match]") {
  const std::vector<std::string> needles = {"session=1234", "session=abcd", "req=a1b2c3d4", "req=zz"};
  LiteralFinder finder(needles);
  // Two needles planted at every pair of places, over lengths around the
  // vector widths: the earlier one is found, whichever needle it is.
  for (std::size_t len : {0u, 15u, 16u, 40u, 64u, 97u, 200u}) {
    for (std::size_t a = 0; a + 12 <= len; a += 5) {
      for (std::size_t b = 0; b + 12 <= len; b += 7) {
        if (b < a + 12 && a < b + 12) continue;  // overlapping
        for (std::size_t i = 0; i < needles.size(); ++i) {
          const std::string& na = needles[i];
          const std::string& nb = needles[(i + 1) % needles.size()];
          std::string hay(len, 'x');
          hay.replace(a, na.size(), na);
          hay.replace(b, nb.size(), nb);
          const char* hit = finder.find(hay.data(), hay.data() + hay.size());
          INFO("len " << len << " a " << a << " b " << b << " needle " << i);
          REQUIRE(hit);
          CHECK(hit - hay.data() == static_cast<long>(std::min(a, b)));
        }
      }
    }
    std::string hay(len, 'x');
    CHECK(finder.find(hay.data(), hay.data() + hay.size()) == nullptr);
  }
  // Near misses of every needle: the two tested bytes present, the rest not.
  std::string hay(300, 's');
  hay.replace(10, 12, "session=1x34");
  hay.replace(60, 12, "session=xbcd");
  hay.replace(120, 12, "req=a1b2c3dx");
  CHECK(finder.find(hay.data(), hay.data() + hay.size()) == nullptr);
  std::vector<std::string> too_many;
  for (std::size_t i = 0; i <= LiteralFinder::kMaxNeedles; ++i)
    too_many.push_back(std::string("id").append(std::to_string(i)));
  CHECK_THROWS(LiteralFinder(too_many));
  CHECK_NOTHROW(
      LiteralFinder(std::vector<std::string>(LiteralFinder::kMaxNeedles + 1, "x")));  // repeats count once
}

TEST_CASE("count_newlines", "[match]") {
  const std::string s = "a\nb\n\nccc\n";
  CHECK(count_newlines(s.data(), s.data() + s.size()) == 4);
  CHECK(count_newlines(s.data(), s.data()) == 0);
}

TEST_CASE("count_newlines over every length and alignment", "[match]") {
  std::string s;
  for (int i = 0; i < 300; ++i) s += (i % 7 == 0) ? '\n' : 'x';
  for (std::size_t from = 0; from < 40; ++from) {
    for (std::size_t to = from; to <= s.size(); to += 13) {
      const auto expected = static_cast<std::size_t>(
          std::count(s.begin() + static_cast<long>(from), s.begin() + static_cast<long>(to), '\n'));
      REQUIRE(count_newlines(s.data() + from, s.data() + to) == expected);
    }
  }
}
