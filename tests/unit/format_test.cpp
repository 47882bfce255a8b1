// The format's rules: timestamps, levels, the session-prefix rule.
#include "tracegrep/format.hpp"

#include <catch2/catch.hpp>

using namespace tracegrep::format;

namespace {
std::string iso(std::string_view text) {
  Timestamp ts;
  const auto n = parse_timestamp(text, ts);
  if (n != text.size()) return std::string("<").append(std::to_string(n)).append(">");
  return format_iso(ts);
}
}  // namespace

TEST_CASE("parse_timestamp accepts every written form", "[format]") {
  CHECK(iso("2024-01-15 10:30:15") == "2024-01-15T10:30:15");
  CHECK(iso("2024-01-15T10:30:15") == "2024-01-15T10:30:15");
  CHECK(iso("2024-01-15 10:30:15,123") == "2024-01-15T10:30:15.123");
  CHECK(iso("2024-01-15 10:30:15.5") == "2024-01-15T10:30:15.5");
  CHECK(iso("2024-01-15 10:30:15.123456789") == "2024-01-15T10:30:15.123456789");
  CHECK(iso("2024-01-15T10:30:15.123Z") == "2024-01-15T10:30:15.123Z");
  CHECK(iso("2024-01-15T12:30:15+02:00") == "2024-01-15T10:30:15Z");
  CHECK(iso("2024-01-15T12:30:15+0200") == "2024-01-15T10:30:15Z");
  CHECK(iso("2024-01-15 05:30:15,250-05:00") == "2024-01-15T10:30:15.250Z");
  CHECK(iso("2024-01-01 01:00:00+02:00") == "2023-12-31T23:00:00Z");
  CHECK(iso("2024-02-29 00:00:00") == "2024-02-29T00:00:00");
}

TEST_CASE("parse_timestamp rejects what is not a time", "[format]") {
  Timestamp ts;
  CHECK(parse_timestamp("2024-13-01 10:30:15", ts) == 0);
  CHECK(parse_timestamp("2023-02-29 10:30:15", ts) == 0);
  CHECK(parse_timestamp("2024-01-32 10:30:15", ts) == 0);
  CHECK(parse_timestamp("2024-01-15 24:00:00", ts) == 0);
  CHECK(parse_timestamp("2024-01-15 10:60:00", ts) == 0);
  CHECK(parse_timestamp("2024-01-15 10:30", ts) == 0);
  CHECK(parse_timestamp("2024-01-15 10:30:15,1234567890", ts) == 0);
  CHECK(parse_timestamp("2024-01-15 10:30:15,", ts) == 0);
  CHECK(parse_timestamp("24-01-15 10:30:15", ts) == 0);
  CHECK(parse_timestamp("", ts) == 0);
}

TEST_CASE("an offset that does not parse is left for the caller", "[format]") {
  Timestamp ts;
  CHECK(parse_timestamp("2024-01-15 10:30:15+2", ts) == 19);
  CHECK_FALSE(ts.utc);
}

TEST_CASE("timestamps compare by the instant", "[format]") {
  Timestamp a, b;
  parse_timestamp("2024-01-15T12:30:15+02:00", a);
  parse_timestamp("2024-01-15T10:30:15Z", b);
  CHECK(a == b);
  parse_timestamp("2024-01-15 10:30:15,999", b);
  CHECK(a < b);
}

TEST_CASE("starts_entry needs a timestamp then a blank or the line end", "[format]") {
  CHECK(starts_entry("2024-01-15 10:30:15,123 - INFO - x"));
  CHECK(starts_entry("2024-01-15 10:30:15\n"));
  CHECK(starts_entry("2024-01-15 10:30:15\r\n"));
  CHECK(starts_entry("2024-01-15 10:30:15\tx"));
  CHECK(starts_entry("2024-01-15 10:30:15"));
  CHECK_FALSE(starts_entry("2024-01-15 10:30:15x"));
  CHECK_FALSE(starts_entry("2024-01-15 10:30:15\rx"));
  CHECK_FALSE(starts_entry("Traceback (most recent call last):"));
  CHECK_FALSE(starts_entry("  File \"x.py\", line 2024"));
  CHECK_FALSE(starts_entry(""));
}

TEST_CASE("levels parse in any case and rank in order", "[format]") {
  CHECK(parse_level("info") == Level::kInfo);
  CHECK(parse_level("Warn") == Level::kWarning);
  CHECK(parse_level("WARNING") == Level::kWarning);
  CHECK(parse_level("fatal") == Level::kCritical);
  CHECK(parse_level("CRITICAL") == Level::kCritical);
  CHECK(parse_level("trace") == Level::kTrace);
  CHECK_FALSE(parse_level("NOTICE"));
  CHECK_FALSE(parse_level("INFOS"));
  CHECK(level_rank(Level::kTrace) < level_rank(Level::kDebug));
  CHECK(level_rank(Level::kDebug) < level_rank(Level::kInfo));
  CHECK(level_rank(Level::kInfo) < level_rank(Level::kWarning));
  CHECK(level_rank(Level::kWarning) < level_rank(Level::kError));
  CHECK(level_rank(Level::kError) < level_rank(Level::kCritical));
  CHECK(level_rank(Level::kNone) < level_rank(Level::kTrace));
  CHECK(level_name(Level::kWarning) == "WARNING");
}

TEST_CASE("session_matches: equal, or one a prefix of the other", "[format]") {
  CHECK(session_matches("12345678", "12345678"));
  CHECK(session_matches("12345678", "12345678abcdef"));  // the log keeps 8 characters
  CHECK(session_matches("12345678", "1234"));            // the user typed a short id
  CHECK_FALSE(session_matches("12345678", "12345679"));
  CHECK_FALSE(session_matches("12345678", "2345"));
  CHECK_FALSE(session_matches("1", "12345678"));  // too short to be a cut id
  CHECK(session_matches("1234", "12345678"));
  CHECK_FALSE(session_matches("", "1234"));
}

TEST_CASE("needles are contained in every line they must find", "[format]") {
  // A session is written cut, and under different keys in each layout: the
  // needle is the part every matching line holds.
  for (const std::string_view line :
       {"2024-01-15 10:30:15,123 - INFO - [req=a|session=12345678] - m", R"({"session_id": "12345678"})",
        "time=x session_id=12345678 msg=m", R"({"extra": {"sessionId": "123456789abc"}})"}) {
    INFO(line);
    CHECK(line.find(session_needle("12345678abcdef")) != std::string_view::npos);
    CHECK(line.find(session_needle("1234")) != std::string_view::npos);
  }
  CHECK(session_needle("ab") == "ab");
  CHECK(request_needle("a1b2c3d4") == "a1b2c3d4");  // under req= or trace_id=
}

TEST_CASE("first_to_escape finds the first byte to escape at every length and place", "[format]") {
  // The check runs 16 bytes at a time with an overlapping last block: every
  // length around the block size, every position, every kind of byte.
  for (std::size_t n = 0; n <= 70; ++n) {
    std::string clean(n, 'a');
    for (std::size_t i = 0; i < n; ++i)
      clean[i] = static_cast<char>(i % 2 ? 'z' : '\xc3');  // UTF-8 bytes stay
    REQUIRE(first_to_escape(clean) == n);
    for (std::size_t at = 0; at < n; ++at) {
      for (const char bad : {'\n', '\r', '\t', '\x01', '\x1f', '\x7f', '\\'}) {
        std::string s = clean;
        s[at] = bad;
        if (at + 3 < n) s[at + 3] = '\n';  // a later one does not matter
        INFO("n " << n << " at " << at << " byte " << static_cast<int>(bad));
        REQUIRE(first_to_escape(s) == at);
      }
    }
  }
}
