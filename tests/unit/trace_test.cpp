// W3C Trace Context: traceparent parsed as the spec says (and hostile values
// refused), the request id taken from the trace id, the headers to send
// downstream, and the tag read back by tracegrep's own parser.
#include "tracegrep/trace.hpp"

#include <catch2/catch.hpp>
#include <map>

#include "parse/header.hpp"
#include "tracegrep/context.hpp"
#include "tracegrep/log.hpp"

using namespace tracegrep;

namespace {

constexpr std::string_view kExample = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

HeaderLookup headers(std::map<std::string, std::string> h) {
  return [h = std::move(h)](std::string_view name) -> std::optional<std::string_view> {
    const auto it = h.find(std::string(name));
    if (it == h.end()) return std::nullopt;
    return std::string_view(it->second);
  };
}

std::map<std::string, std::string> outgoing() {
  std::map<std::string, std::string> m;
  for (auto& [k, v] : outgoing_headers()) m[k] = v;
  return m;
}

bool is_lower_hex(std::string_view s, std::size_t n) {
  return s.size() == n && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

TEST_CASE("traceparent: the spec's example and its fields", "[emit][trace]") {
  const auto tp = parse_traceparent(kExample);
  REQUIRE(tp);
  CHECK(tp->trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(tp->parent_id == "00f067aa0ba902b7");
  CHECK(tp->flags == 1);
  CHECK(format_traceparent(tp->trace_id, tp->parent_id, tp->flags) == kExample);
  CHECK(parse_traceparent("  00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00\t"));  // OWS trimmed
}

TEST_CASE("traceparent: invalid values are refused, never trusted", "[emit][trace]") {
  for (const char* bad : {
           "",
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",      // uppercase
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",      // all-zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",      // all-zero parent id
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",      // version ff
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz",  // 00 with more
           "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",       // short trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",      // not hex
           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",      // separators
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01]\n[req=forged",
           "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",  // later version, no '-' after
       }) {
    INFO(bad);
    CHECK_FALSE(parse_traceparent(bad));
  }
  // A later version is read by its first 55 characters.
  const auto later = parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future");
  REQUIRE(later);
  CHECK(later->trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST_CASE("request_from: the trace id is the request id, the parent span an attribute", "[emit][trace]") {
  const RequestMetadata m = request_from(headers({{"traceparent", std::string(kExample)},
                                                  {"tracestate", "congo=t61rcWkgMzE"},
                                                  {"X-Session-ID", "12345678abcdef"}}),
                                         "");
  CHECK(m.request_id == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(m.parent_span_id == "00f067aa0ba902b7");
  CHECK(m.session_id == "12345678abcdef");
  CHECK(m.tracestate == "congo=t61rcWkgMzE");
  const Context c(m);
  CHECK(c.tag() == "[req=4bf92f3577b34da6a3ce929d0e0e4736|session=12345678|parent=00f067aa0ba902b7]");

  // Read back by the CLI's parser: the whole trace id is the request.
  std::string line;
  render_line(line, Level::kInfo, c.tag(), "charged");
  Header h;
  REQUIRE(parse_header(line, h));
  CHECK(h.req == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(h.session == "12345678");
  std::map<std::string, std::string> pairs;
  for_each_tag_pair(h.tag, [&](std::string_view k, std::string_view v) { pairs[std::string(k)] = v; });
  CHECK(pairs["parent"] == "00f067aa0ba902b7");
  CHECK(h.message == "charged");
}

TEST_CASE("request_from: without a valid traceparent, X-Request-ID, else a new trace id", "[emit][trace]") {
  const auto bad =
      request_from(headers({{"traceparent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"},
                            {"tracestate", "ok=1"}}),
                   "");
  CHECK(is_lower_hex(bad.request_id, 32));
  CHECK(bad.request_id != "00000000000000000000000000000000");
  CHECK(bad.parent_span_id.empty());
  CHECK(bad.tracestate.empty());  // tracestate belongs to the traceparent it came with
  CHECK(request_from(headers({{"X-Request-ID", "upstream-42"}}), "").request_id == "upstream-42");
  // A hostile X-Request-ID is not written: a new id instead.
  const auto hostile =
      request_from(headers({{"X-Request-ID", "x]\n2024-01-15 10:30:15,123 - ERROR - [req=forged"}}), "");
  CHECK(is_lower_hex(hostile.request_id, 32));
  CHECK(request_from(headers({}), "").request_id != request_from(headers({}), "").request_id);
  // tracestate that is not printable ASCII, or too long, is dropped.
  CHECK(request_from(headers({{"traceparent", std::string(kExample)}, {"tracestate", "a=b\nc"}}), "")
            .tracestate.empty());
  CHECK(request_from(headers({{"traceparent", std::string(kExample)}, {"tracestate", std::string(600, 'a')}}),
                     "")
            .tracestate.empty());
}

TEST_CASE("outgoing_headers: same trace id, a new span, session and request id", "[emit][trace]") {
  CHECK(outgoing_headers().empty());  // no context: nothing to carry
  {
    ContextScope scope(request_from(headers({{"traceparent", std::string(kExample)},
                                             {"tracestate", "congo=t61rcWkgMzE"},
                                             {"X-Session-ID", "12345678abcdef"}}),
                                    ""));
    const auto first = outgoing(), second = outgoing();
    const auto tp = parse_traceparent(first.at("traceparent"));
    REQUIRE(tp);
    CHECK(tp->trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
    CHECK(tp->parent_id != "00f067aa0ba902b7");  // our span, not our caller's
    CHECK(tp->flags == 1);
    CHECK(parse_traceparent(second.at("traceparent"))->parent_id != tp->parent_id);  // a new span per call
    CHECK(first.at("tracestate") == "congo=t61rcWkgMzE");
    CHECK(first.at("X-Session-ID") == "12345678abcdef");  // whole: the next service cuts it itself
    CHECK(first.at("X-Request-ID") == "4bf92f3577b34da6a3ce929d0e0e4736");
  }
  {
    // A request id that is not a trace id (the article's 8 hex): a trace id
    // derived from it, the same on every call.
    RequestMetadata m;
    m.session_id = "sess0001";
    m.request_id = "a1b2c3d4";
    ContextScope scope(std::move(m));
    const auto a = parse_traceparent(outgoing().at("traceparent"));
    const auto b = parse_traceparent(outgoing().at("traceparent"));
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->trace_id == b->trace_id);
    CHECK(outgoing().at("X-Request-ID") == "a1b2c3d4");
    CHECK(outgoing().count("tracestate") == 0);
  }
}
