// --log-format: Python logging format strings read back field by field.
#include "parse/log_format.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "parse/entry.hpp"
#include "parse/header.hpp"

using tracegrep::Header;
using tracegrep::Layout;
using tracegrep::parse_header;
using tracegrep::format::Level;
namespace lf = tracegrep::log_format;

namespace {

// Configures a layout for one test, and none after it.
struct WithLayout {
  explicit WithLayout(const lf::Spec& spec) {
    std::string error;
    REQUIRE(lf::configure(spec, error));
  }
  ~WithLayout() {
    std::string error;
    lf::configure({}, error);
  }
};

std::string configure_error(const lf::Spec& spec) {
  std::string error, ignored;
  CHECK_FALSE(lf::configure(spec, error));
  lf::configure({}, ignored);
  return error;
}

std::map<std::string, std::string> attrs_of(std::string_view line) {
  std::map<std::string, std::string> out;
  lf::for_each_attr(line, [&](std::string_view k, std::string_view v, bool) { out[std::string(k)] = v; });
  return out;
}

}  // namespace

TEST_CASE("a %-style format with padding, msecs, a datefmt and ids without a tag", "[parse][log-format]") {
  WithLayout layout(
      {"%(asctime)s.%(msecs)03d %(levelname)-8s %(name)-12s %(request_id)s %(session_id)s %(message)s",
       "%d/%b/%Y:%H:%M:%S", lf::Style::kPercent});
  Header h;
  const std::string line =
      "15/Jan/2024:10:30:15.123 WARNING  payments.gw  r0001 s1234567 Payment - slow | 3 s";
  REQUIRE(parse_header(line, h));
  CHECK(h.layout == Layout::kFormat);
  CHECK(tracegrep::format::format_iso(h.ts) == "2024-01-15T10:30:15.123");
  CHECK(h.level == Level::kWarning);
  CHECK(h.req == "r0001");
  CHECK(h.session == "s1234567");
  CHECK(h.message == "Payment - slow | 3 s");
  CHECK(attrs_of(line) == std::map<std::string, std::string>{{"name", "payments.gw"}});
  // Unset ids, as a ContextVar(default=None) writes them.
  REQUIRE(parse_header("15/Jan/2024:10:30:15.123 INFO     db           None None idle", h));
  CHECK(h.req.empty());
  CHECK(h.session.empty());
  // A line the layout does not read is read as without it.
  REQUIRE(parse_header("2024-01-15 10:30:15,123 - ERROR - [req=a|session=b] - old layout", h));
  CHECK(h.layout == Layout::kText);
  CHECK(h.req == "a");
  CHECK_FALSE(parse_header("Traceback (most recent call last):", h));
}

TEST_CASE("{-style and $-style formats", "[parse][log-format]") {
  Header h;
  {
    WithLayout layout({"{asctime} [{levelname:>8}] {module}:{lineno} trace={otelTraceID} {message}", "",
                       lf::Style::kBrace});
    const std::string line = "2024-01-15 10:30:15,123 [   ERROR] app:42 trace=4bf92f35 boom {not a field}";
    REQUIRE(parse_header(line, h));
    CHECK(h.level == Level::kError);
    CHECK(h.req == "4bf92f35");
    CHECK(h.message == "boom {not a field}");
    CHECK(attrs_of(line) == std::map<std::string, std::string>{{"lineno", "42"}, {"module", "app"}});
  }
  {
    WithLayout layout({"${created} $levelno $$ ${session_id}: $message", "", lf::Style::kDollar});
    REQUIRE(parse_header("1705314615.250000 40 $ s9: gone", h));
    CHECK(h.level == Level::kError);
    CHECK(tracegrep::format::format_iso(h.ts) == "2024-01-15T10:30:15.250000Z");
    CHECK(h.session == "s9");
    CHECK(h.message == "gone");
  }
}

TEST_CASE("formats that cannot be read back are refused with where and why", "[parse][log-format]") {
  CHECK(configure_error({"%(asctime", "", lf::Style::kPercent}) == "at 1: %( without )");
  CHECK(configure_error({"%(levelname) - %(message)s", "", lf::Style::kPercent}).find("needs a conversion") !=
        std::string::npos);
  CHECK(configure_error({"%d %(message)s", "", lf::Style::kPercent}).find("'%' must begin") !=
        std::string::npos);
  CHECK(configure_error({"%(levelname)s%(message)s", "", lf::Style::kPercent}) ==
        "nothing stands between levelname and message: where one ends cannot be told");
  CHECK(configure_error({"just text", "", lf::Style::kPercent}) == "it names no field");
  CHECK(configure_error({"{asctime", "", lf::Style::kBrace}).find("without") != std::string::npos);
  CHECK(configure_error({"$ x $message", "", lf::Style::kDollar}).find("'$' must begin") !=
        std::string::npos);
  CHECK(configure_error({"%(asctime)s %(message)s", "%Y %Q", lf::Style::kPercent}) ==
        "the date format's %Q cannot be read back");
  CHECK_FALSE(lf::configured());
}

TEST_CASE("strftime directives are read back", "[parse][log-format]") {
  using tracegrep::format::format_iso;
  tracegrep::format::Timestamp ts;
  CHECK(lf::parse_strftime("%Y-%m-%dT%H:%M:%S%z", "2024-01-15T10:30:15+0100 x", ts) == 24);
  CHECK(format_iso(ts) == "2024-01-15T09:30:15Z");
  CHECK(lf::parse_strftime("%a, %d %B %Y %I:%M:%S %p %Z", "Mon, 15 January 2024 01:30:15 PM UTC", ts) == 36);
  CHECK(format_iso(ts) == "2024-01-15T13:30:15Z");
  CHECK(lf::parse_strftime("%y%m%d %T.%f", "240115 10:30:15.5", ts) == 17);
  CHECK(format_iso(ts) == "2024-01-15T10:30:15.5");
  CHECK(lf::parse_strftime("%b %e %H:%M:%S", "Jan  5 10:30:15", ts) == 15);
  CHECK(format_iso(ts) == "1900-01-05T10:30:15");  // no year: Python's 1900
  CHECK(lf::parse_strftime("%F %%", "2024-01-15 %", ts) == 12);
  CHECK(lf::parse_strftime("%Y-%m-%d", "2024-13-01", ts) == 0);
  CHECK(lf::parse_strftime("%H:%M", "25:00", ts) == 0);
  CHECK(lf::parse_strftime("%b", "Foo", ts) == 0);
}
