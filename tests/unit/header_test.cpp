// The layouts and tags of an entry's first line.
#include "parse/header.hpp"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <map>

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
      "2024-01-15 10:30:15 - INFO - [user=bob] - neither id",
      "2024-01-15 10:30:15 - INFO - [req=a1|=x|session=12345678] - an empty key",
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

TEST_CASE("unset ids: empty, none, None, null, -, all-zero trace ids", "[parse]") {
  for (const char* v : {"", "none", "None", "null", "-", "00000000000000000000000000000000"}) {
    Header h;
    const std::string line = fmt::format("2024-01-15 10:30:15 - INFO - [req={}|session={}] - x", v, v);
    INFO(line);
    REQUIRE(parse_header(line, h));
    CHECK(h.has_tag);  // a tag, whose ids are unset
    CHECK(h.req.empty());
    CHECK(h.session.empty());
    CHECK(h.message == "x");
  }
  Header h;
  REQUIRE(parse_header("2024-01-15 10:30:15 - INFO - [req=|session=12345678] - one unset", h));
  CHECK(h.req.empty());
  CHECK(h.session == "12345678");
  REQUIRE(parse_header("2024-01-15 10:30:15 - INFO - [req=00000000|session=0] - short zeros are ids", h));
  CHECK(h.req == "00000000");
  CHECK(h.session == "0");
}

TEST_CASE("a tag-like string inside the message is not the tag", "[parse]") {
  Header h;
  REQUIRE(parse_header(
      "2024-01-15 10:30:15 - INFO - [req=ok|session=aaaa0000] - see [req=x|session=12345678]", h));
  CHECK(h.session == "aaaa0000");
  REQUIRE(parse_header("2024-01-15 10:30:15 - INFO - user said [req=x|session=12345678] and more", h));
  CHECK_FALSE(h.has_tag);  // mid-message: text
  // At the very end of a line with no tag before it, it is the layout's
  // tag ("%(message)s [req=...]").
  REQUIRE(parse_header("2024-01-15 10:30:15 - INFO - user said [req=x|session=12345678]", h));
  CHECK(h.session == "12345678");
  CHECK(h.message == "user said");
}

TEST_CASE("an unknown word before the tag is a field, not the level", "[parse]") {
  Header h;
  REQUIRE(parse_header("2024-01-15 10:30:20 - NOTICE - [req=e0|session=12345678] - x", h));
  CHECK(h.level == Level::kNone);
  CHECK(h.session == "12345678");  // as a logger name before the tag would be
  CHECK(h.message == "x");
  REQUIRE(parse_header("2024-01-15 10:30:20 - NOTICE the operator", h));
  CHECK(h.level == Level::kNone);
  CHECK(h.message == "NOTICE the operator");
}

TEST_CASE("the layouts real Python configurations write, with no option", "[parse]") {
  struct Case {
    const char* line;
    Level level;
    const char* req;
    const char* session;
    const char* message;
  };
  const Case cases[] = {
      // %(asctime)s - %(name)s - %(levelname)s - [tag] - %(message)s
      {"2024-01-15 10:30:15,123 - payments.gateway - ERROR - [req=a1b2c3d4|session=12345678] - timeout",
       Level::kError, "a1b2c3d4", "12345678", "timeout"},
      // logger name __main__, root
      {"2024-01-15 10:30:15,123 - __main__ - INFO - [req=r1|session=s1] - hi", Level::kInfo, "r1", "s1",
       "hi"},
      {"2024-01-15 10:30:15,123 - root - WARNING - [req=r1|session=s1] - hi", Level::kWarning, "r1", "s1",
       "hi"},
      // %(asctime)s | %(levelname)-8s | %(module)s:%(lineno)d | [tag] %(message)s
      {"2024-01-15 10:30:15,123 | INFO     | app:42 | [req=r2|session=s2] started", Level::kInfo, "r2", "s2",
       "started"},
      // %(asctime)s [%(levelname)s] %(name)s: [tag] %(message)s
      {"2024-01-15 10:30:15,123 [DEBUG] payments: [req=r3|session=s3] charge", Level::kDebug, "r3", "s3",
       "charge"},
      // %(asctime)s %(process)d %(threadName)s %(levelname)s [tag] %(message)s
      {"2024-01-15 10:30:15,123 4711 [MainThread] INFO [req=r4|session=s4] go", Level::kInfo, "r4", "s4",
       "go"},
      // the tag first, the level after it
      {"2024-01-15 10:30:15,123 [req=r5|session=s5] ERROR boom", Level::kError, "r5", "s5", "boom"},
      // %(message)s [tag]
      {"2024-01-15 10:30:15,123 INFO payment done [req=r6|session=s6]", Level::kInfo, "r6", "s6",
       "payment done"},
      // ContextVar(default=None)
      {"2024-01-15 10:30:15,123 - app - INFO - [req=None|session=None] - startup", Level::kInfo, "", "",
       "startup"},
      // %z with %(msecs)03d after it
      {"2026-12-01T21:21:38+0000.607 - app - INFO - [req=r7|session=s7] - x", Level::kInfo, "r7", "s7", "x"},
  };
  for (const Case& c : cases) {
    Header h;
    INFO(c.line);
    REQUIRE(parse_header(c.line, h));
    CHECK(h.level == c.level);
    CHECK(h.req == c.req);
    CHECK(h.session == c.session);
    CHECK(h.message == c.message);
  }
  Header h;
  REQUIRE(parse_header("2026-12-01T21:21:38+0000.607 - app - INFO - x", h));
  CHECK(h.ts.nanos == 607'000'000);
  CHECK(h.ts.frac_digits == 3);
  // A message that merely looks like fields keeps its words.
  REQUIRE(parse_header("2024-01-15 10:30:15,123 - INFO - Connection ERROR from db", h));
  CHECK(h.level == Level::kInfo);
  CHECK(h.message == "Connection ERROR from db");
  REQUIRE(parse_header("2024-01-15 10:30:15,123 - Connection ERROR from db", h));
  CHECK(h.level == Level::kNone);
  CHECK(h.message == "Connection ERROR from db");
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

TEST_CASE("OpenTelemetry's logging format: the trace id is the request", "[parse]") {
  Header h;
  REQUIRE(parse_header(
      "2024-01-15 10:30:15,123 INFO [payments] [app.py:42] [trace_id=4bf92f3577b34da6a3ce929d0e0e4736 "
      "span_id=00f067aa0ba902b7 resource.service.name=payments trace_sampled=True] - charged",
      h));
  CHECK(h.level == Level::kInfo);
  CHECK(h.req == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(h.session.empty());
  CHECK(h.message == "charged");
  std::map<std::string, std::string> pairs;
  tracegrep::for_each_tag_pair(h.tag,
                               [&](std::string_view k, std::string_view v) { pairs[std::string(k)] = v; });
  CHECK(pairs["span_id"] == "00f067aa0ba902b7");
  CHECK(pairs["resource.service.name"] == "payments");
  // No span: OpenTelemetry writes "0"; all zeros are unset too.
  REQUIRE(
      parse_header("2024-01-15 10:30:15,123 INFO [app] [trace_id=0 span_id=0 resource.service.name=x "
                   "trace_sampled=False] - startup",
                   h));
  CHECK(h.has_tag);
  CHECK(h.req.empty());
  CHECK(h.message == "startup");
}

TEST_CASE("OpenTelemetry ids as pairs in a line without a tag", "[parse]") {
  Header h;
  REQUIRE(
      parse_header("2024-01-15 10:30:15,123 INFO charge failed trace_id=4bf92f3577b34da6a3ce929d0e0e4736 "
                   "span_id=00f067aa0ba902b7 session_id=s1",
                   h));
  CHECK(h.req == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(h.session == "s1");
  CHECK(h.message.starts_with("charge failed"));
  REQUIRE(
      parse_header("2024-01-15 10:30:15,123 INFO in traceparent=00-4bf92f3577b34da6a3ce929d0e0e4736-"
                   "00f067aa0ba902b7-01 ok",
                   h));
  CHECK(h.req == "4bf92f3577b34da6a3ce929d0e0e4736");
  // Not a pair of its own, or no trace: no id.
  REQUIRE(parse_header("2024-01-15 10:30:15,123 INFO my_trace_id=abc", h));
  CHECK(h.req.empty());
  REQUIRE(parse_header("2024-01-15 10:30:15,123 INFO trace_id=00000000000000000000000000000000 none", h));
  CHECK(h.req.empty());
  // A tag wins: the pairs in its message are text.
  REQUIRE(parse_header("2024-01-15 10:30:15,123 INFO [req=r1|session=s1] forwarded trace_id=abcdef", h));
  CHECK(h.req == "r1");
}

TEST_CASE("a text layout's other fields are attributes named by their shape", "[parse]") {
  auto attrs = [](std::string_view line) {
    Header h;
    REQUIRE(parse_header(line, h));
    std::map<std::string, std::string> out;
    tracegrep::for_each_attr(h,
                             [&](std::string_view k, std::string_view v, bool) { out[std::string(k)] = v; });
    return out;
  };
  using M = std::map<std::string, std::string>;
  CHECK(attrs("2024-01-15 10:30:15,123 - payments.gateway - ERROR - [req=a|session=b] - m") ==
        M{{"name", "payments.gateway"}});
  CHECK(attrs("2024-01-15 10:30:15,123 | INFO | app.py:42 | [req=a|session=b|tenant=t] m") ==
        M{{"module", "app.py"}, {"lineno", "42"}, {"tenant", "t"}});
  CHECK(attrs("2024-01-15 10:30:15,123 4242 [MainThread] INFO [req=a|session=b] m") ==
        M{{"process", "4242"}, {"thread", "MainThread"}});
  CHECK(attrs("2024-01-15 10:30:15,123 [DEBUG] payments: [req=a|session=b] m") == M{{"name", "payments"}});
  CHECK(attrs("2024-01-15 10:30:15,123 - api.handlers - charge - INFO - [req=a|session=b] - m") ==
        M{{"name", "api.handlers"}, {"field2", "charge"}});
  // Words after the last level or tag are the message, not fields.
  CHECK(attrs("2024-01-15 10:30:15,123 INFO [req=a|session=b] db.pool: exhausted").empty());
}

TEST_CASE("epoch seconds first, as %(created)f writes them", "[parse]") {
  Header h;
  REQUIRE(parse_header("1705314615.123456 INFO [req=a|session=b] created first", h));
  CHECK(tracegrep::format::format_iso(h.ts) == "2024-01-15T10:30:15.123456Z");
  CHECK(h.level == Level::kInfo);
  CHECK(h.req == "a");
  CHECK_FALSE(parse_header("1705314615 INFO no fraction: a number, not a time", h));
  CHECK_FALSE(parse_header("170531461.5 nine digits", h));
  CHECK_FALSE(parse_header("1705314615.5x glued", h));
}
