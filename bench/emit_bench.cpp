// tracegrep::emit against spdlog 1.10, in one run: nanoseconds per log call
// with a request context, 1 and 2 threads writing to one file, both writing
// the same lines (spdlog with tracegrep's formatter flags). Also: what a
// context adds per call, and the cost of entering and leaving a scope.
//   tracegrep-emit-bench [CALLS_PER_THREAD] [DIR]
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "tracegrep/context.hpp"
#include "tracegrep/log.hpp"
#include "tracegrep/spdlog.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Stats {
  double mean = 0;
  double median = 0;
};

Stats stats(std::vector<double>& ns) {
  std::sort(ns.begin(), ns.end());
  return {std::accumulate(ns.begin(), ns.end(), 0.0) / static_cast<double>(ns.size()), ns[ns.size() / 2]};
}

// Runs `call(i)` `calls` times on each of `threads` threads, each under its
// own request context (or none), timing every call.
template <typename Call>
Stats measure(int threads, int calls, bool with_context, Call call) {
  std::vector<std::vector<double>> per(static_cast<std::size_t>(threads));
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      std::optional<tracegrep::ContextScope> scope;
      if (with_context) {
        tracegrep::RequestMetadata m;
        m.session_id = "12345678abcdef" + std::to_string(t);
        m.request_id = "a1b2c3d" + std::to_string(t);
        scope.emplace(m);
      }
      auto& out = per[static_cast<std::size_t>(t)];
      out.reserve(static_cast<std::size_t>(calls));
      for (int i = 0; i < calls; ++i) {
        const auto a = Clock::now();
        call(i);
        const auto b = Clock::now();
        out.push_back(std::chrono::duration<double, std::nano>(b - a).count());
      }
    });
  }
  for (auto& t : ts) t.join();
  std::vector<double> all;
  for (auto& p : per) all.insert(all.end(), p.begin(), p.end());
  return stats(all);
}

std::size_t lines_of(const std::string& path) {
  std::ifstream f(path);
  return static_cast<std::size_t>(
      std::count(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>(), '\n'));
}

}  // namespace

int main(int argc, char** argv) {
  const int calls = argc > 1 ? std::atoi(argv[1]) : 200000;
  const std::string dir = argc > 2 ? argv[2] : ".";
  const std::string ours_path = dir + "/emit-ours.log";
  const std::string theirs_path = dir + "/emit-spdlog.log";
  std::remove(ours_path.c_str());
  std::remove(theirs_path.c_str());
  tracegrep::Logger ours(tracegrep::file_sink(ours_path));
  auto theirs = spdlog::basic_logger_mt("bench", theirs_path, true);
  theirs->set_formatter(tracegrep::make_spdlog_formatter());
  const std::string user = "alice";
  auto ours_call = [&](int i) { ours.info("Processing payment for user {} amount {}", user, i); };
  auto theirs_call = [&](int i) { theirs->info("Processing payment for user {} amount {}", user, i); };

  std::printf("ns per call, %d calls per thread, context set; median of 3 rounds, interleaved\n", calls);
  std::printf("%-28s %10s %10s\n", "", "mean", "median");
  for (const int threads : {1, 2}) {
    std::vector<Stats> o, t;
    for (int round = 0; round < 3; ++round) {
      o.push_back(measure(threads, calls, true, ours_call));
      t.push_back(measure(threads, calls, true, theirs_call));
    }
    auto mid = [](std::vector<Stats> v, double Stats::*f) {
      std::sort(v.begin(), v.end(), [f](const Stats& a, const Stats& b) { return a.*f < b.*f; });
      return v[1].*f;
    };
    const double om = mid(o, &Stats::mean), omed = mid(o, &Stats::median);
    const double tm = mid(t, &Stats::mean), tmed = mid(t, &Stats::median);
    std::printf("%-28s %10.0f %10.0f\n",
                (std::string("tracegrep, ") + std::to_string(threads) + " thread(s)").c_str(), om, omed);
    std::printf("%-28s %10.0f %10.0f\n",
                (std::string("spdlog 1.10, ") + std::to_string(threads) + " thread(s)").c_str(), tm, tmed);
    std::printf("%-28s %10.2f %10.2f   (target <= 0.5)\n", "  ratio tracegrep / spdlog", om / tm,
                omed / tmed);
  }
  theirs->flush();
  // With and without a context, interleaved over 5 rounds: the difference of the medians.
  std::vector<double> with_mean, with_median, without_mean, without_median;
  for (int round = 0; round < 5; ++round) {
    const Stats w = measure(1, calls, true, ours_call);
    const Stats wo = measure(1, calls, false, ours_call);
    with_mean.push_back(w.mean);
    with_median.push_back(w.median);
    without_mean.push_back(wo.mean);
    without_median.push_back(wo.median);
  }
  auto med = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::printf("a context adds %.1f ns (mean), %.1f ns (median) per call   (target <= 10)\n",
              med(with_mean) - med(without_mean), med(with_median) - med(without_median));

  tracegrep::RequestMetadata m;
  m.session_id = "12345678";
  m.request_id = "a1b2c3d4";
  const tracegrep::Context context(m);
  const int n = 10'000'000;
  const auto a = Clock::now();
  for (int i = 0; i < n; ++i) {
    tracegrep::ContextScope scope(context);
    asm volatile("" ::: "memory");
  }
  const double scope_ns = std::chrono::duration<double, std::nano>(Clock::now() - a).count() / n;
  std::printf("scope enter + exit: %.1f ns   (target <= 5)\n", scope_ns);
  const std::size_t ol = lines_of(ours_path), tl = lines_of(theirs_path);
  std::printf("lines written: tracegrep %zu, spdlog %zu\n", ol, tl);
  return 0;
}
