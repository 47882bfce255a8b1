// The search stage: the three schedules give what one input after another
// gives, whatever the workers and however little output may be held back;
// errors are reported in argument order; the exit status is computed once.
#include "search/searcher.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "cli/plan.hpp"
#include "parse/header.hpp"
#include "search/merge.hpp"

using namespace tracegrep;

namespace {

struct TempFiles {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tracegrep-searcher-" + std::to_string(::getpid()));
  TempFiles() { std::filesystem::create_directories(dir); }
  ~TempFiles() { std::filesystem::remove_all(dir); }
  std::string write(const std::string& name, const std::string& text) {
    const auto p = (dir / name).string();
    std::ofstream(p) << text;
    return p;
  }
  std::string read(const std::string& name) const {
    std::ifstream f(dir / name);
    return std::string(std::istreambuf_iterator<char>(f), {});
  }
};

// A log of `entries` entries, a third of them in session "s0000001", some
// with tracebacks.
std::string log_text(unsigned seed, int entries) {
  std::mt19937 rng(seed);
  std::string out;
  for (int i = 0; i < entries; ++i) {
    const auto session = rng() % 3 == 0 ? 1 : 2 + rng() % 7;
    out += fmt::format("2024-01-15 10:00:{},123 - INFO - [req=r{}x{}|session=s000000{}] - message {}\n",
                       10 + i % 50, seed, i, session, i);
    if (rng() % 5 == 0) out += "Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: v\n";
  }
  return out;
}

// Runs the plan's search into a file with `schedule`; returns stdout's bytes.
struct Run {
  std::string out;
  bool matched = false;
  int status = -1;
  std::size_t workers = 0;
};

enum class Schedule { kInOrder, kParallel };

Run search(TempFiles& t, const std::vector<std::string>& paths, const ScanArgs& args, Schedule schedule,
           SearchOptions tweak = {}) {
  const std::string out_path = (t.dir / "out").string();
  const int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  Run r;
  {
    Output out(fd);
    Reporter reporter(&out);
    ScanArgs a = args;
    a.files = paths;
    std::string error;
    auto plan = make_plan(a, out, error);
    REQUIRE(plan);
    SearchOptions options = search_options(*plan);
    options.workers = tweak.workers;
    options.held_back = tweak.held_back;
    Searcher searcher(options, reporter, out);
    const auto sources = file_sources(*plan);
    if (schedule == Schedule::kInOrder) {
      const auto printer = make_printer(*plan, out);
      r.matched = searcher.in_order(sources, *printer);
    } else {
      r.matched = searcher.parallel(sources, [&](Output& o) { return make_printer(*plan, o); });
      r.workers = searcher.workers_used();
    }
    r.status = reporter.status(r.matched);
  }
  ::close(fd);
  r.out = t.read("out");
  return r;
}

}  // namespace

TEST_CASE("parallel search prints what one input after another prints, in argument order", "[search]") {
  TempFiles t;
  std::vector<std::string> paths;
  for (unsigned i = 0; i < 40; ++i)
    paths.push_back(t.write(fmt::format("f{}.log", i), log_text(i, 200 + 30 * static_cast<int>(i))));
  for (const auto& flags : std::vector<std::function<void(ScanArgs&)>>{
           [](ScanArgs& a) { a.sessions = {"s0000001"}; },
           [](ScanArgs& a) {
             a.sessions = {"s0000001"};
             a.line_numbers = true;
           },
           [](ScanArgs& a) { a.json = true; },
           [](ScanArgs& a) {
             a.count = true;
             a.patterns = {"message 1"};
           },
           [](ScanArgs& a) {
             a.sessions = {"s0000002"};
             a.max_count = 3;
           },
       }) {
    ScanArgs args;
    flags(args);
    const Run baseline = search(t, paths, args, Schedule::kInOrder);
    REQUIRE_FALSE(baseline.out.empty());
    for (const std::size_t held_back : {std::size_t{16} << 20, std::size_t{1} << 10, std::size_t{1}}) {
      for (const std::size_t workers : {2, 4}) {
        INFO("held back " << held_back << ", workers " << workers);
        const Run r =
            search(t, paths, args, Schedule::kParallel, {.workers = workers, .held_back = held_back});
        REQUIRE(r.workers == workers);  // it really ran on workers, not in order
        CHECK(r.out == baseline.out);
        CHECK(r.status == baseline.status);
      }
    }
  }
}

TEST_CASE("parallel search: nothing matched is exit 1, a missing input is exit 2 and the rest is searched",
          "[search]") {
  TempFiles t;
  const std::string a = t.write("a.log", log_text(1, 50)), b = t.write("b.log", log_text(2, 50));
  ScanArgs none;
  none.sessions = {"nosuchid"};
  CHECK(search(t, {a, b}, none, Schedule::kParallel, {.workers = 2}).status == kExitNoMatch);
  ScanArgs some;
  some.sessions = {"s0000001"};
  const Run with_missing =
      search(t, {a, (t.dir / "missing.log").string(), b}, some, Schedule::kParallel, {.workers = 2});
  CHECK(with_missing.status == kExitError);
  CHECK(with_missing.out == search(t, {a, b}, some, Schedule::kInOrder).out);
}

TEST_CASE("only regular files run apart: standard input, pipes and followed files are read in order",
          "[search]") {
  TempFiles t;
  const std::string a = t.write("a.log", log_text(1, 50));
  const std::string fifo = (t.dir / "fifo").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(file_source(a, {})->runs_apart());
  CHECK_FALSE(file_source("-", {})->runs_apart());
  CHECK_FALSE(file_source(fifo, {})->runs_apart());
  InputOptions follow;
  follow.follow = FollowMode::kYes;
  CHECK_FALSE(file_source(a, follow)->runs_apart());
}

// ---- --merge ----------------------------------------------------------------

namespace {

// Feeds `lines` (one entry each) into `sink` as an assembler would.
Flow feed_entries(EntrySink& sink, const std::vector<std::string>& lines) {
  Header h;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    parse_header(lines[i], h);
    if (sink.entry(Entry{&h, lines[i], false, i + 1}) == Flow::kStop) return Flow::kStop;
  }
  return Flow::kContinue;
}

std::string at(int second, const std::string& what) {
  return fmt::format("2024-01-15 {:02}:{:02}:{:02},000 - INFO - [req=r|session=s] - {}\n", 10 + second / 3600,
                     second / 60 % 60, second % 60, what);
}

class Names final : public EntrySink {
 public:
  void begin_input(const InputName& n) override { input = n.display; }
  Flow entry(const Entry& e) override {
    got.push_back(input + ":" + std::string(e.text));
    return Flow::kContinue;
  }
  std::string input;
  std::vector<std::string> got;
};

}  // namespace

TEST_CASE("merge: entries by time, each input's own order kept, untimed ones beside their neighbours",
          "[search][merge]") {
  Names out;
  Merge merge(out, kDefaultMaxEntry, 1 << 20);
  EntrySink& a = merge.lane({"a", "a"}, false);
  EntrySink& b = merge.lane({"b", "b"}, false);
  feed_entries(a, {at(1, "a1"), at(3, "a3"), "untimed after a3\n", at(5, "a5")});
  // b's clock goes back at b2: b's order is kept, not re-sorted.
  feed_entries(b, {"untimed head of b\n", at(2, "b2"), at(4, "b4"), at(2, "b2 again")});
  merge.close(0);
  merge.close(1);
  REQUIRE(merge.run() == Flow::kContinue);
  CHECK(out.got == std::vector<std::string>{"a:" + at(1, "a1"), "b:untimed head of b\n", "b:" + at(2, "b2"),
                                            "a:" + at(3, "a3"), "a:untimed after a3\n", "b:" + at(4, "b4"),
                                            "b:" + at(2, "b2 again"), "a:" + at(5, "a5")});
  CHECK(merge.held() == 0);
}

TEST_CASE("merge: holds at most its budget: a lane far ahead waits for the others", "[search][merge]") {
  Names out;
  constexpr std::size_t kBudget = 4096;
  Merge merge(out, kDefaultMaxEntry, kBudget);
  EntrySink& late = merge.lane({"late", "late"}, true);
  EntrySink& early = merge.lane({"early", "early"}, true);
  std::vector<std::string> lines;
  for (int i = 0; i < 200; ++i) lines.push_back(at(30, fmt::format("late {}", i)));
  std::thread producer([&] {
    feed_entries(late, lines);
    merge.close(0);
  });
  // Nothing of "early" yet: "late" fills its half and waits.
  for (int i = 0; i < 100 && merge.held() < kBudget / 2 - 100; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(merge.held() <= kBudget / 2);
  CHECK(merge.held() >= kBudget / 2 - 100);
  feed_entries(early, {at(10, "early")});
  merge.close(1);
  REQUIRE(merge.run() == Flow::kContinue);
  producer.join();
  REQUIRE(out.got.size() == 201);
  CHECK(out.got.front() == "early:" + at(10, "early"));
  CHECK(out.got.back() == "late:" + at(30, "late 199"));
}

TEST_CASE("merge: a lane filled before the merge stops at the budget and says so", "[search][merge]") {
  Names out;
  Merge merge(out, kDefaultMaxEntry, 150);  // two of these entries, not three
  EntrySink& a = merge.lane({"a", "a"}, false);
  CHECK(feed_entries(a, {at(1, "one"), at(2, "two"), at(3, "three")}) == Flow::kStop);
  CHECK(merge.over_budget());
}

TEST_CASE("merge: many bounded lanes, each far ahead in turn, give one order", "[search][merge]") {
  Names out;
  constexpr int kLanes = 40, kEach = 300;
  Merge merge(out, kDefaultMaxEntry, 40 * 200);  // a few entries per lane
  std::vector<EntrySink*> lanes;
  for (int i = 0; i < kLanes; ++i) {
    const std::string name = fmt::format("l{:02}", i);
    lanes.push_back(&merge.lane({name, name}, true));
  }
  std::vector<std::thread> producers;
  for (int i = 0; i < kLanes; ++i)
    producers.emplace_back([&, i] {
      std::vector<std::string> entries;
      for (int k = 0; k < kEach; ++k)
        entries.push_back(at(k * kLanes + i, fmt::format("{}", k * kLanes + i)));
      feed_entries(*lanes[i], entries);
      merge.close(i);
    });
  REQUIRE(merge.run() == Flow::kContinue);
  for (auto& t : producers) t.join();
  REQUIRE(out.got.size() == std::size_t{kLanes} * kEach);
  for (int n = 0; n < kLanes * kEach; ++n)
    REQUIRE(out.got[n] == fmt::format("l{:02}:", n % kLanes) + at(n, fmt::format("{}", n)));
  CHECK(merge.held() == 0);
}
