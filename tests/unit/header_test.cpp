// The layouts and tags of an entry's first line.
#include "parse/header.hpp"

#include <catch2/catch.hpp>

using tracegrep::Header;
using tracegrep::parse_header;
using tracegrep::format::Level;

TEST_CASE("the Python reference layout", "[parse]") {
  Header h;
  REQUIRE(parse_header(
      "2024-01-15 10:30:15,123 - ERROR - [req=a1b2c3d4|session=12345678] - Payment gateway timeout\n", h));
  CHECK(h.has_ts);
  CHECK(h.level == Level::kError);
  CHECK(h.level_text == "ERROR");
  CHECK(h.req == "a1b2c3d4");
  CHECK(h.session == "12345678");
  CHECK(h.message == "Payment gateway timeout");
}

TEST_CASE("plain spaces and a bracketed level", "[parse]") {
  Header h;
  REQUIRE(parse_header("2024-01-15 10:30:15 INFO [req=r1|session=s1] hello world", h));
  CHECK(h.level == Level::kInfo);
  CHECK(h.req == "r1");
  CHECK(h.message == "hello world");
  REQUIRE(parse_header("2024-01-15T10:30:15.123Z [warn] [req=r2|session=s2] msg", h));
  CHECK(h.level == Level::kWarning);
  CHECK(h.level_text == "warn");
  CHECK(h.session == "s2");
  CHECK(h.message == "msg");
}

TEST_CASE("none means absent", "[parse]") {
  Header h;
  REQUIRE(parse_header("2024-01-15 10:30:15 - INFO - [req=none|session=none] - bg", h));
  CHECK(h.has_tag);
  CHECK(h.req.empty());
  CHECK(h.session.empty());
}

TEST_CASE("extra keys are kept, in any order", "[parse]") {
  Header h;
  REQUIRE(parse_header("2024-01-15 10:30:15 - INFO - [session=s|user=bob|req=r|tenant=t-1] - m", h));
  CHECK(h.req == "r");
  CHECK(h.session == "s");
  std::vector<std::string> keys;
  tracegrep::for_each_tag_pair(h.tag, [&](std::string_view k, std::string_view v) {
    keys.push_back(std::string(k) + "=" + std::string(v));
  });
  CHECK(keys == std::vector<std::string>{"session=s", "user=bob", "req=r", "tenant=t-1"});
}

TEST_CASE("a line without a tag is an entry without ids", "[parse]") {
  Header h;
  REQUIRE(parse_header("2024-01-15 10:30:19 - INFO - Server started", h));
  CHECK_FALSE(h.has_tag);
  CHECK(h.level == Level::kInfo);
  CHECK(h.message == "Server started");
}

TEST_CASE("a tag without a level", "[parse]") {
  Header h;
  REQUIRE(parse_header("2024-01-15 10:30:21 [req=f0|session=12345678] text", h));
  CHECK(h.level == Level::kNone);
  CHECK(h.session == "12345678");
  CHECK(h.message == "text");
}

TEST_CASE("broken tags are message text, not errors", "[parse]") {
  const char* broken[] = {
      "2024-01-15 10:30:15 - INFO - [req=a1|session=12345678 - no closing bracket",
      "2024-01-15 10:30:15 - INFO - [req=|session=12345678] - empty value",
      "2024-01-15 10:30:15 - INFO - [req=a1|session=] - empty value",
      "2024-01-15 10:30:15 - INFO - [user=bob] - neither id",
      "2024-01-15 10:30:15 - INFO - [req=a1|session=12345678]x - no blank after",
      "2024-01-15 10:30:15 - INFO - [req=a1|req=a2|session=12345678] - two requests",
      "2024-01-15 10:30:15 - INFO - [req=a 1|session=12345678] - a blank in a value",
  };
  for (const char* line : broken) {
    Header h;
    INFO(line);
    REQUIRE(parse_header(line, h));
    CHECK_FALSE(h.has_tag);
    CHECK(h.session.empty());
    CHECK(h.message.front() == '[');
  }
}

TEST_CASE("a tag-like string inside the message is not the tag", "[parse]") {
  Header h;
  REQUIRE(parse_header(
      "2024-01-15 10:30:15 - INFO - [req=ok|session=aaaa0000] - see [req=x|session=12345678]", h));
  CHECK(h.session == "aaaa0000");
  REQUIRE(parse_header("2024-01-15 10:30:15 - INFO - user said [req=x|session=12345678]", h));
  CHECK_FALSE(h.has_tag);
}

TEST_CASE("an unknown level word is message text", "[parse]") {
  Header h;
  REQUIRE(parse_header("2024-01-15 10:30:20 - NOTICE - [req=e0|session=12345678] - x", h));
  CHECK(h.level == Level::kNone);
  CHECK_FALSE(h.has_tag);
  CHECK(h.message == "NOTICE - [req=e0|session=12345678] - x");
}

TEST_CASE("CRLF line ends are not part of the message", "[parse]") {
  Header h;
  REQUIRE(parse_header("2024-01-15 10:30:15 - INFO - [req=r|session=s] - windows\r\n", h));
  CHECK(h.message == "windows");
  REQUIRE(parse_header("2024-01-15 10:30:15\r\n", h));
  CHECK(h.message.empty());
}

TEST_CASE("lines that do not begin an entry", "[parse]") {
  Header h;
  CHECK_FALSE(parse_header("Traceback (most recent call last):", h));
  CHECK(h.message == "Traceback (most recent call last):");
  CHECK_FALSE(parse_header("2024-13-45 10:30:22,123 - INFO - x", h));
  CHECK_FALSE(parse_header("2024-01-15 10:30:23,1234567890 - INFO - x", h));
  CHECK_FALSE(parse_header("", h));
}
