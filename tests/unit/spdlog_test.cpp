// spdlog in tracegrep's format: the same bytes as tracegrep::Logger after
// the timestamp, and the context of the calling thread.
#include "tracegrep/spdlog.hpp"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "parse/header.hpp"

using namespace tracegrep;

TEST_CASE("an spdlog logger with the formatter writes tracegrep's line", "[emit]") {
  std::ostringstream spd;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(spd);
  spdlog::logger logger("t", sink);
  logger.set_formatter(make_spdlog_formatter());
  logger.set_level(spdlog::level::debug);
  RequestMetadata m;
  m.session_id = "12345678abcdef";
  m.request_id = "a1b2c3d4";
  ContextScope scope(m);
  logger.warn("Payment for {} failed\nforged line", "Alice");
  std::string ours;
  render_line(ours, Level::kWarning, Context::current().tag(), "Payment for Alice failed\nforged line");
  const std::string theirs = spd.str();
  REQUIRE(theirs.size() == ours.size());
  CHECK(theirs.substr(23) == ours.substr(23));  // all but the timestamp, which is taken twice
  Header h;
  REQUIRE(parse_header(theirs, h));
  CHECK(h.level == Level::kWarning);
  CHECK(h.session == "12345678");
  CHECK(h.req == "a1b2c3d4");
  CHECK(std::count(theirs.begin(), theirs.end(), '\n') == 1);
}

TEST_CASE("SpdlogSink sends tracegrep's lines through an spdlog sink", "[emit]") {
  std::ostringstream spd;
  Logger logger(std::make_shared<SpdlogSink>(std::make_shared<spdlog::sinks::ostream_sink_mt>(spd)));
  RequestMetadata m;
  m.session_id = "abcdef01";
  m.request_id = "r0000001";
  ContextScope scope(m);
  logger.info("through spdlog");
  const std::string out = spd.str();
  CHECK(out.find(" - INFO - [req=r0000001|session=abcdef01] - through spdlog") == 23);
  CHECK(std::count(out.begin(), out.end(), '\n') == 1);
}
