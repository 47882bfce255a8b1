// The second argument step: values -> plan, with errors that name the culprit.
#include "cli/plan.hpp"

#include <catch2/catch.hpp>

using namespace tracegrep;

TEST_CASE("parse_size", "[cli]") {
  std::size_t n = 0;
  CHECK((parse_size("4096", n) && n == 4096));
  CHECK((parse_size("64K", n) && n == 65536));
  CHECK((parse_size("1M", n) && n == 1048576));
  CHECK((parse_size("2G", n) && n == (std::size_t{2} << 30)));
  CHECK_FALSE(parse_size("", n));
  CHECK_FALSE(parse_size("M", n));
  CHECK_FALSE(parse_size("12X", n));
  CHECK_FALSE(parse_size("99999999999999999999", n));
}

TEST_CASE("plan errors name the value and the accepted forms", "[cli]") {
  Output out(1);
  std::string error;
  ScanArgs a;
  a.level = "loud";
  CHECK_FALSE(make_plan(a, out, error));
  CHECK(error == "--level 'loud': not a level; use TRACE, DEBUG, INFO, WARNING, ERROR or CRITICAL");
  a = {};
  a.since = "last tuesday";
  CHECK_FALSE(make_plan(a, out, error));
  CHECK(error ==
        "--since 'last tuesday': not a time; use YYYY-MM-DD, YYYY-MM-DD HH:MM, "
        "YYYY-MM-DD[ T]HH:MM:SS[.fff][Z|+HH:MM], HH:MM[:SS], today, yesterday, now, or an age such as "
        "15m, 2h, 3d (s, m, h, d, w)");
  a = {};
  a.max_entry_size = "10";
  CHECK_FALSE(make_plan(a, out, error));
  a = {};
  a.invert = true;
  CHECK_FALSE(make_plan(a, out, error));
}

TEST_CASE("the plan: file names shown with several inputs, lines counted for JSON", "[cli]") {
  Output out(1);
  std::string error;
  ScanArgs a;
  a.files = {"a.log", "b.log"};
  auto plan = make_plan(a, out, error);
  REQUIRE(plan);
  CHECK(plan->style.with_filename);
  a.no_filename = true;
  CHECK_FALSE(make_plan(a, out, error)->style.with_filename);
  a = {};
  a.json = true;
  plan = make_plan(a, out, error);
  CHECK(plan->numbers == LineNumbers::kCount);
  CHECK(plan->inputs == std::vector<std::string>{"-"});
}
