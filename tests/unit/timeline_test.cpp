// timeline/: ordering, offsets, gaps and the clock notes, on hand-made items.
#include "timeline/timeline.hpp"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <limits>
#include <vector>

#include "print/escape.hpp"
#include "print/output.hpp"
#include "print/printers.hpp"
#include "print/timeline_printer.hpp"

using namespace tracegrep;
using timeline::Item;

namespace {
Item item(const char* ts, const char* source, std::size_t source_index, std::uint64_t line, const char* msg,
          format::Level level = format::Level::kInfo) {
  Item it;
  it.has_ts = format::parse_timestamp(ts, it.ts) > 0;
  it.source = source;
  it.source_index = source_index;
  it.line = line;
  it.message = msg;
  it.level = level;
  it.level_text = std::string(format::level_name(level));
  it.request = "r1";
  it.session = "s1";
  return it;
}
}  // namespace

TEST_CASE("a request across midnight keeps its order and a positive duration", "[timeline]") {
  const auto r = timeline::build_request({item("2024-01-15 23:59:59,900", "a", 1, 1, "before"),
                                          item("2024-01-16 00:00:00,100", "a", 1, 2, "after")});
  CHECK(r.duration_ns == 200'000'000);
  CHECK(r.items[1].message == "after");
  CHECK(r.notes.empty());
}

TEST_CASE("many entries in one second without a fraction keep their file order", "[timeline]") {
  std::vector<Item> items;
  for (int i = 0; i < 5; ++i)
    items.push_back(
        item("2024-01-15 10:00:00", "a", 1, static_cast<std::uint64_t>(i + 1), std::to_string(i).c_str()));
  items.push_back(item("2024-01-15 10:00:00", "b", 2, 1, "other service"));
  items.insert(items.begin() + 2, item("2024-01-15 10:00:00", "b", 2, 0, "b first"));
  const auto r = timeline::build_request(items);
  std::vector<std::string> order;
  for (const auto& it : r.items) order.push_back(it.message);
  CHECK(order == std::vector<std::string>{"0", "1", "2", "3", "4", "b first", "other service"});
  for (auto g : r.gap_ns) CHECK(g == 0);
  CHECK_FALSE(r.largest_gap);
}

TEST_CASE("a clock step back is noted, gaps stay non-negative", "[timeline]") {
  const auto r = timeline::build_request({item("2024-01-15 10:00:05", "app.log", 1, 10, "a"),
                                          item("2024-01-15 10:00:02,900", "app.log", 1, 12, "b"),
                                          item("2024-01-15 10:00:06", "app.log", 1, 13, "c")});
  REQUIRE(r.notes.size() == 1);
  CHECK(r.notes[0] == "clock went back 2.100 s at app.log:12");
  for (auto g : r.gap_ns) CHECK(g >= 0);
  CHECK(r.duration_ns == 3'100'000'000);
}

TEST_CASE("entries without a time: placed by their file's neighbours, gaps between timed entries",
          "[timeline]") {
  // Year 1012 sorts before the epoch, where an untimed entry's empty time
  // once fell: its offset 0 after later entries gave a negative gap, and
  // the timed entry after it a gap from the start (found by timeline_fuzz).
  const auto r = timeline::build_request(
      {item("no time (head of a)", "a", 1, 1, "a head"), item("1012-01-15 09:00:01", "a", 1, 2, "a1"),
       item("1012-01-15 09:00:00", "b", 2, 1, "b1"), item("no time", "b", 2, 2, "b traceback"),
       item("1012-01-15 09:00:03", "b", 2, 3, "b2"), item("no time", "c", 3, 1, "c, a file without times")});
  std::vector<std::string> order;
  for (const auto& it : r.items) order.push_back(it.message);
  CHECK(order ==
        std::vector<std::string>{"b1", "b traceback", "c, a file without times", "a head", "a1", "b2"});
  CHECK(r.offset_ns == std::vector<std::int64_t>{0, 0, 0, 1'000'000'000, 1'000'000'000, 3'000'000'000});
  CHECK(r.gap_ns == std::vector<std::int64_t>{0, 0, 0, 0, 1'000'000'000, 2'000'000'000});
  REQUIRE(r.largest_gap);
  CHECK(r.items[*r.largest_gap].message == "b2");
  CHECK(r.duration_ns == 3'000'000'000);
}

TEST_CASE("sources with and without offsets are noted", "[timeline]") {
  const auto r = timeline::build_request(
      {item("2024-01-15T10:00:00Z", "a", 1, 1, "utc"), item("2024-01-15 10:00:01", "b", 2, 1, "naive")});
  REQUIRE(r.notes.size() == 1);
  CHECK(r.notes[0].find("compared as written") != std::string::npos);
}

TEST_CASE("summaries group by request, in start order", "[timeline]") {
  std::vector<Item> items = {item("2024-01-15 10:00:05", "a", 1, 1, "late start"),
                             item("2024-01-15 10:00:01", "a", 1, 2, "early start", format::Level::kError),
                             item("2024-01-15 10:00:09", "a", 1, 3, "late end")};
  items[1].request = "r2";
  const auto s = timeline::summarize(items);
  REQUIRE(s.size() == 2);
  CHECK(s[0].request == "r2");
  CHECK(s[0].highest == format::Level::kError);
  CHECK(s[1].request == "r1");
  CHECK(s[1].entries == 2);
  CHECK(s[1].duration_ns == 4'000'000'000);
  CHECK(s[1].first_message == "late start");
}

TEST_CASE("many requests: every one found again, in start order, ties in the order first seen",
          "[timeline]") {
  // Enough requests to grow the summarizer's table many times, with starts
  // that repeat (ties) and entries of a request spread through the input.
  std::vector<Item> items;
  constexpr int kRequests = 20000;
  for (int round = 0; round < 3; ++round) {
    for (int r = 0; r < kRequests; ++r) {
      const int second = (r * 7919) % 600;  // many requests share a start
      Item it = item(fmt::format("2024-01-15 10:{:02}:{:02}", second / 60 + round * 10, second % 60).c_str(),
                     round == 1 ? "b" : "a", round == 1 ? 2 : 1, static_cast<std::uint64_t>(r + 1),
                     fmt::format("message {} {}", r, round).c_str());
      it.request = fmt::format("req{:05}", r);
      items.push_back(std::move(it));
    }
  }
  const auto s = timeline::summarize(items);
  REQUIRE(s.size() == kRequests);
  for (std::size_t i = 0; i < s.size(); ++i) {
    CHECK(s[i].entries == 3);
    CHECK(s[i].sources.size() == 2);
    if (i == 0) continue;
    const auto& a = s[i - 1];
    const auto& b = s[i];
    REQUIRE((*a.start < *b.start || (*a.start == *b.start && a.request < b.request)));
  }
  CHECK(s[0].first_message == "message 0 0");
}

TEST_CASE("times at the extremes: durations, offsets and gaps never negative, never wrapped", "[timeline]") {
  // Nanoseconds in 64 bits span 292 years; the parser accepts years 0000-9999.
  // Before, 1012 vs 2024 gave "duration -4957801747419.104 ms" (and UB).
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  for (const auto& [early, late] : std::vector<std::pair<const char*, const char*>>{
           {"1012-01-15 09:00:22,0", "2024-01-15 09:00:22"},
           {"0001-01-01 00:00:00", "9999-12-31 23:59:59,999999999"}}) {
    INFO(early << " .. " << late);
    const auto r = timeline::build_request({item(late, "a", 1, 1, "late"), item(early, "a", 1, 2, "early")});
    CHECK(r.duration_ns == kMax);  // held at the end of the range: over 292 years
    REQUIRE(r.offset_ns.size() == 2);
    CHECK(r.offset_ns[0] == 0);
    CHECK(r.offset_ns[1] == kMax);
    CHECK(r.gap_ns[1] == kMax);
    REQUIRE(r.notes.size() == 1);  // the clock went back within the file, by a positive amount
    CHECK(r.notes[0].find("clock went back -") == std::string::npos);
    CHECK(timeline::diff_ns(r.items[1].ts, r.items[0].ts) == std::numeric_limits<std::int64_t>::min());
  }
  const auto same = timeline::build_request(
      {item("9999-12-31 23:59:59", "a", 1, 1, "x"), item("9999-12-31 23:59:59", "a", 1, 2, "y")});
  CHECK(same.duration_ns == 0);
  CHECK(same.gap_ns[1] == 0);
  // Within the range, exact to the nanosecond.
  format::Timestamp a, b;
  format::parse_timestamp("1800-01-01 00:00:00,000000001", a);
  format::parse_timestamp("2024-01-01 00:00:00", b);
  CHECK(timeline::diff_ns(a, b) == (b.seconds - a.seconds) * 1'000'000'000 - 1);
}

TEST_CASE("printed timelines and tables: untrusted ids keep to their row, labels are cut at a character",
          "[timeline]") {
  // Found by fuzz/timeline_fuzz: a request id with '\n' broke the tables' rows,
  // and the waterfall cut its label inside a UTF-8 sequence.
  auto a = item("2024-01-15 10:00:00", "api.log", 0, 1, "first\nforged row");
  a.request = "r1\nrequest r2";
  auto b = item("2024-01-15 10:00:01", "api.log", 0, 2, "second");
  b.request = "ééééééééééééé";  // 13 characters, 26 bytes: the label shows 10 columns
  const std::vector<Item> items{a, b};
  const auto summaries = timeline::summarize(items);
  for (const Safety safety : {Safety::kRaw, Safety::kTerminal}) {
    const TextStyle style{false, false, Color::kOff, safety, false};
    std::string text;
    {
      Output out([&](std::string_view s) { text += s; });
      print_session("s1", summaries, out, style, 60, 0);
      print_requests_table(summaries, out, style, 0);
      print_timeline_entries(timeline::build_request(items), out, style, true);
    }
    INFO(text);
    CHECK(text.find("r1\\nrequest r2") != std::string::npos);
    CHECK(text.find("\nrequest r2") == std::string::npos);
    CHECK(text.find("first\\nforged row") != std::string::npos);
    CHECK(text.find("ééééééééé…  ") != std::string::npos);  // 9 characters and the ellipsis
    std::size_t i = 0;
    char32_t cp = 0;
    while (i < text.size()) {
      const std::size_t n = utf8_sequence(std::string_view(text).substr(i), cp);
      REQUIRE(n > 0);  // valid UTF-8 throughout
      i += n;
    }
  }
}
