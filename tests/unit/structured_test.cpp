// JSON lines and logfmt: what each real library writes, read field by field.
#include "parse/structured.hpp"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "parse/boundary.hpp"
#include "parse/entry.hpp"
#include "parse/fields.hpp"
#include "parse/header.hpp"
#include "print/entry_json.hpp"

using tracegrep::Header;
using tracegrep::Layout;
using tracegrep::parse_header;
using tracegrep::format::Level;

namespace {

std::string message_of(const Header& h, std::string_view text) {
  std::string m;
  tracegrep::build_message(h, text, m);
  return m;
}

std::map<std::string, std::string> attrs_of(const Header& h, std::string_view line) {
  std::map<std::string, std::string> out;
  tracegrep::structured::for_each_attr(
      h.layout, line, [&](std::string_view k, std::string_view v, bool json) {
        out[std::string(k)] = json ? fmt::format("json:{}", v) : std::string(v);
      });
  return out;
}

std::string iso(const Header& h) { return tracegrep::format::format_iso(h.ts); }

}  // namespace

TEST_CASE("python-json-logger: asctime, levelname, name, message, extra ids, exc_info", "[parse][json]") {
  const std::string line =
      R"({"asctime": "2024-01-15 10:30:15,123", "levelname": "ERROR", "name": "payments.gateway", )"
      R"("message": "Payment gateway timeout", "request_id": "a1b2c3d4", "session_id": "12345678", )"
      R"("exc_info": "Traceback (most recent call last):\n  File \"x.py\", line 3, in f\nTimeoutError: 30s"})";
  Header h;
  REQUIRE(parse_header(line, h));
  CHECK(h.layout == Layout::kJson);
  CHECK(h.has_ts);
  CHECK(iso(h) == "2024-01-15T10:30:15.123");
  CHECK(h.level == Level::kError);
  CHECK(h.level_text == "ERROR");
  CHECK(h.req == "a1b2c3d4");
  CHECK(h.session == "12345678");
  CHECK(h.has_tag);
  // Ids are views into the line itself: the index addresses them there.
  CHECK(h.req.data() >= line.data());
  CHECK(h.req.data() < line.data() + line.size());
  CHECK(message_of(h, line) ==
        "Payment gateway timeout\nTraceback (most recent call last):\n  File \"x.py\", line 3, in f\n"
        "TimeoutError: 30s");
  const auto attrs = attrs_of(h, line);
  CHECK(attrs == std::map<std::string, std::string>{{"name", "payments.gateway"}});
}

TEST_CASE("structlog's JSONRenderer: event, level, ISO timestamp, exception", "[parse][json]") {
  Header h;
  const std::string line =
      R"({"request_id": "r-1", "event": "charge failed", "level": "warning", )"
      R"("timestamp": "2024-01-15T10:30:15.123456Z", "exception": "Traceback (most recent call last):\nValueError: x"})";
  REQUIRE(parse_header(line, h));
  CHECK(iso(h) == "2024-01-15T10:30:15.123456Z");
  CHECK(h.level == Level::kWarning);
  CHECK(h.req == "r-1");
  CHECK(h.session.empty());
  CHECK(message_of(h, line) == "charge failed\nTraceback (most recent call last):\nValueError: x");
}

TEST_CASE("loguru's serialize=True: record.extra ids, record.level, the traceback in text", "[parse][json]") {
  const std::string line =
      R"({"text": "2024-01-15 10:30:15.123 | ERROR | app:f:3 - boom\nTraceback (most recent call last):\n)"
      R"(  File \"a.py\", line 3\nZeroDivisionError: division by zero\n", "record": {"elapsed": {"repr": )"
      R"("0:00:00.01", "seconds": 0.01}, "exception": {"type": "ZeroDivisionError", "value": "division by zero", )"
      R"("traceback": true}, "extra": {"request_id": "a1b2", "session_id": "s9"}, "level": {"icon": "x", )"
      R"("name": "ERROR", "no": 40}, "message": "boom", "time": {"repr": "2024-01-15 10:30:15.123456+01:00", )"
      R"("timestamp": 1705311015.123456}}})";
  Header h;
  REQUIRE(parse_header(line, h));
  CHECK(h.layout == Layout::kJson);
  CHECK(iso(h) == "2024-01-15T09:30:15.123456Z");  // the repr, with its offset
  CHECK(h.level == Level::kError);
  CHECK(shown_level(h) == "ERROR");
  CHECK(h.req == "a1b2");
  CHECK(h.session == "s9");
  CHECK(message_of(h, line) ==
        "boom\nTraceback (most recent call last):\n  File \"a.py\", line 3\nZeroDivisionError: division by "
        "zero");
  const auto attrs = attrs_of(h, line);
  CHECK(attrs.count("text") == 0);  // it is the traceback
  CHECK(attrs.at("record.elapsed.seconds") == "json:0.01");
  CHECK(attrs.at("record.exception.type") == "ZeroDivisionError");
  CHECK(attrs.at("record.level.no") == "json:40");
}

TEST_CASE("Go slog, pino, bunyan, OpenTelemetry, ECS", "[parse][json]") {
  Header h;
  REQUIRE(parse_header(R"({"time":"2024-01-15T10:30:15.123456789-05:00","level":"ERROR","msg":"db down",)"
                       R"("request_id":"q1","attempt":3})",
                       h));
  CHECK(iso(h) == "2024-01-15T15:30:15.123456789Z");
  CHECK(h.level == Level::kError);
  CHECK(h.req == "q1");

  // pino: numeric level, epoch milliseconds.
  REQUIRE(parse_header(R"({"level":50,"time":1705314615123,"pid":7,"reqId":"p-9","msg":"x"})", h));
  CHECK(h.level == Level::kError);
  CHECK(shown_level(h) == "ERROR");
  CHECK(iso(h) == "2024-01-15T10:30:15.123Z");
  CHECK(h.req == "p-9");

  // OpenTelemetry's JSON: ns as a string, severity number, body, trace id.
  REQUIRE(parse_header(R"({"timeUnixNano":"1705314615123456789","severityNumber":17,"severityText":"",)"
                       R"("body":{"stringValue":"failed"},"traceId":"5b8efff798038103d269b633813fc60c",)"
                       R"("spanId":"eee19b7ec3c1b174"})",
                       h));
  CHECK(iso(h) == "2024-01-15T10:30:15.123456789Z");
  CHECK(h.level == Level::kError);
  CHECK(h.req == "5b8efff798038103d269b633813fc60c");
  CHECK(message_of(h, "") == "failed");

  // An all-zero trace id is no id.
  REQUIRE(
      parse_header(R"({"ts":1705314615.5,"level":"info","trace_id":"00000000000000000000000000000000"})", h));
  CHECK(h.req.empty());
  CHECK(h.has_tag);  // the key was there
  CHECK(iso(h) == "2024-01-15T10:30:15.5Z");

  // ECS: dotted keys, written flat or nested.
  REQUIRE(parse_header(R"({"@timestamp":"2024-01-15T10:30:15.123Z","log.level":"warn","message":"m",)"
                       R"("trace":{"id":"t-1"}})",
                       h));
  CHECK(h.level == Level::kWarning);
  CHECK(h.req == "t-1");
}

TEST_CASE("JSON ids: nested, ranked, W3C traceparent, unset forms", "[parse][json]") {
  Header h;
  REQUIRE(parse_header(R"({"msg":"m","trace_id":"t1","extra":{"request_id":"r1"}})", h));
  CHECK(h.req == "r1");  // request_id ranks before trace_id, whatever the depth
  REQUIRE(parse_header(
      R"({"msg":"m","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})", h));
  CHECK(h.req.empty());  // "traceparent" is not a request key by default...
  REQUIRE(
      parse_header(R"({"msg":"m","trace_id":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})", h));
  CHECK(h.req == "4bf92f3577b34da6a3ce929d0e0e4736");  // ...but a traceparent value is its trace id
  for (const char* unset : {"null", "\"None\"", "\"none\"", "\"-\"", "\"\""}) {
    INFO(unset);
    REQUIRE(parse_header(fmt::format(R"({{"msg":"m","request_id":{},"session_id":{}}})", unset, unset), h));
    CHECK(h.req.empty());
    CHECK(h.session.empty());
  }
  REQUIRE(parse_header(R"({"msg":"m","request_id":12345})", h));
  CHECK(h.req == "12345");
}

TEST_CASE("JSON that is not an object line is text", "[parse][json]") {
  Header h;
  for (const char* line : {R"({"a":1} trailing)", R"({"a":1}})", R"({"a":)", R"({"a":12abc})", "{not json}",
                           R"({"a":"\x"})", "{'a': 1}",
                           // Arrays and objects past the walked depth are kept as written,
                           // so they are checked in full (on-demand parsing only matches
                           // their brackets): a fuzzed line once reached --json output so.
                           R"({"a":["x": 1]})", R"({"a":[1,,2]})", R"({"a":[{"b":%}]})",
                           R"({"a":{"b":{"c":{"d":{"e":"f" "g"}}}}})"}) {
    INFO(line);
    CHECK_FALSE(parse_header(line, h));
    CHECK(h.layout == Layout::kText);
    CHECK(h.message == line);
  }
  // Valid UTF-8 only: a broken byte is not JSON.
  CHECK_FALSE(parse_header("{\"msg\":\"caf\xc3\"}", h));
}

TEST_CASE("escaped JSON messages are decoded, attributes keep their JSON types", "[parse][json]") {
  const std::string line =
      R"({"msg":"caf\u00e9 \"quoted\"\ttab","level":"info","n":1.5,"ok":true,"none":null,"tags":["a","b"],)"
      R"("user":{"id":"u1","name":"Zo\u00eb"}})";
  Header h;
  REQUIRE(parse_header(line, h));
  CHECK(h.escaped);
  CHECK(message_of(h, line) == "caf\xc3\xa9 \"quoted\"\ttab");
  const auto attrs = attrs_of(h, line);
  CHECK(attrs.at("n") == "json:1.5");
  CHECK(attrs.at("ok") == "json:true");
  CHECK(attrs.at("none") == "json:null");
  CHECK(attrs.at("tags") == R"(json:["a","b"])");
  CHECK(attrs.at("user.id") == "u1");
  CHECK(attrs.at("user.name") == "Zo\xc3\xab");
  // Integers wider than 64 bits are valid JSON that strict readers refuse
  // (simdjson) or round (jq, JavaScript): written as strings, every digit kept.
  const std::string wide =
      R"({"msg":"m","pid":123456789012345678901234567890,"max":18446744073709551615,"min":-9223372036854775808,)"
      R"("big":18446744073709551616,"ids":[1,99999999999999999999999],"ok":[{"a":[1,{"b":null}]},"x"]})";
  Header hw;
  REQUIRE(parse_header(wide, hw));
  const auto wide_attrs = attrs_of(hw, wide);
  CHECK(wide_attrs.at("pid") == "123456789012345678901234567890");
  CHECK(wide_attrs.at("max") == "json:18446744073709551615");
  CHECK(wide_attrs.at("min") == "json:-9223372036854775808");
  CHECK(wide_attrs.at("big") == "18446744073709551616");
  CHECK(wide_attrs.at("ids") == "[1,99999999999999999999999]");
  CHECK(wide_attrs.at("ok") == R"(json:[{"a":[1,{"b":null}]},"x"])");
  // The --json writer puts them under "attrs", escaped.
  std::string out;
  tracegrep::append_attrs(out, h);
  CHECK(out == R"("n":1.5,"ok":true,"none":null,"tags":["a","b"],"user.id":"u1","user.name":"Zoë")");
}

TEST_CASE("logfmt: Go slog's TextHandler, logrus, quoted values", "[parse][logfmt]") {
  Header h;
  const std::string line =
      R"(time=2024-01-15T10:30:15.123+01:00 level=ERROR msg="payment \"failed\"\nretrying" request_id=r7 )"
      R"(session_id=s7 attempt=2 debug)";
  REQUIRE(parse_header(line, h));
  CHECK(h.layout == Layout::kLogfmt);
  CHECK(iso(h) == "2024-01-15T09:30:15.123Z");
  CHECK(h.level == Level::kError);
  CHECK(h.req == "r7");
  CHECK(h.session == "s7");
  CHECK(message_of(h, line) == "payment \"failed\"\nretrying");
  const auto attrs = attrs_of(h, line);
  CHECK(attrs == std::map<std::string, std::string>{{"attempt", "2"}, {"debug", "true"}});

  REQUIRE(parse_header(R"(level=info msg="started" trace_id=abc)", h));  // no time: still an entry
  CHECK_FALSE(h.has_ts);
  CHECK(h.req == "abc");
  REQUIRE(
      parse_header(R"(time="2024-01-15T10:30:15Z" level=warning msg=hello)", h));  // logrus quotes the time
  CHECK(h.has_ts);
  CHECK(h.level == Level::kWarning);
}

TEST_CASE("what is not logfmt stays text", "[parse][logfmt]") {
  Header h;
  for (const char* line : {"a=1 b=2", "x=1", "hello world", R"(a="open quote)", "=x level=info",
                           "user=bob logged in", R"(msg=a"b level=info)"}) {
    INFO(line);
    CHECK_FALSE(parse_header(line, h));
    CHECK(h.layout == Layout::kText);
  }
}

TEST_CASE("epoch times are read exactly, their unit told by their size", "[format]") {
  using tracegrep::format::parse_epoch;
  tracegrep::format::Timestamp ts;
  REQUIRE(parse_epoch("1705314615.123456", ts));
  CHECK(ts.seconds == 1705314615);
  CHECK(ts.nanos == 123456000);
  CHECK(ts.frac_digits == 6);
  REQUIRE(parse_epoch("1705314615", ts));
  CHECK(ts.nanos == 0);
  REQUIRE(parse_epoch("1705314615123", ts));
  CHECK((ts.seconds == 1705314615 && ts.nanos == 123000000));
  REQUIRE(parse_epoch("1705314615123456", ts));
  CHECK((ts.seconds == 1705314615 && ts.nanos == 123456000));
  REQUIRE(parse_epoch("1705314615123456789", ts));
  CHECK((ts.seconds == 1705314615 && ts.nanos == 123456789));
  for (const char* bad : {"", "-1", "1e9", "12.", ".5", "1705314615123.5", "12345678901234567890", "17x"}) {
    INFO(bad);
    CHECK_FALSE(parse_epoch(bad, ts));
  }
}

TEST_CASE("numeric levels on each scale", "[parse]") {
  using tracegrep::fields::numeric_level;
  using tracegrep::fields::Role;
  CHECK(numeric_level(Role::kLevel, "30") == Level::kInfo);  // pino
  CHECK(numeric_level(Role::kLevel, "60") == Level::kCritical);
  CHECK(numeric_level(Role::kLevelPython, "30") == Level::kWarning);
  CHECK(numeric_level(Role::kLevelPython, "25") == Level::kInfo);  // loguru's SUCCESS
  CHECK(numeric_level(Role::kLevelOtel, "9") == Level::kInfo);
  CHECK(numeric_level(Role::kLevelOtel, "21") == Level::kCritical);
  CHECK(numeric_level(Role::kLevelOtel, "25") == Level::kNone);
  CHECK(numeric_level(Role::kLevel, "x") == Level::kNone);
}

TEST_CASE("the request and session keys can be replaced (--request-key, --session-key)", "[parse]") {
  using tracegrep::fields::set_id_keys;
  Header h;
  const std::string line =
      R"({"msg":"m","request_id":"r1","txn":"t1","user_session":"u1","session_id":"s1"})";
  set_id_keys({"txn"}, {"user_session"});
  REQUIRE(parse_header(line, h));
  CHECK(h.req == "t1");
  CHECK(h.session == "u1");
  CHECK(attrs_of(h, line).count("request_id") == 1);  // now an attribute like any other
  set_id_keys({}, {});
  REQUIRE(parse_header(line, h));
  CHECK(h.req == "r1");
  CHECK(h.session == "s1");
}

TEST_CASE("a logfmt value left open goes on over the next lines, as structlog writes it", "[parse][logfmt]") {
  Header h;
  REQUIRE(parse_header(
      R"(event="failed" request_id=r1 level=error exception="Traceback (most recent call last):)", h));
  CHECK(h.open_quote);
  CHECK(h.req == "r1");
  CHECK(h.level == Level::kError);
  tracegrep::EntryBoundary b;
  b.open_quote();
  CHECK_FALSE(b.begins(R"(  File \"a.py\", line 3, in f)"));  // quotes inside are escaped
  CHECK_FALSE(b.begins("print() output inside the value"));
  CHECK_FALSE(b.begins(R"(ValueError: bad" more=1)"));  // the line that closes it
  CHECK(b.begins("event=next level=info"));             // after it: entries again
  b.open_quote();
  CHECK(b.begins("2024-01-15 10:30:15 INFO a timestamp ends it anyway"));
  CHECK(b.begins("neither does a quote stay open across it"));
}
