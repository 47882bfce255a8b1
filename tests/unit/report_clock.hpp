// A report clock the test moves: report_error's once-a-second limit then
// depends on the test, not on when a calendar second turns.
#pragma once

#include <atomic>
#include <cstdint>

#include "tracegrep/log.hpp"

namespace tracegrep::test {

inline std::atomic<std::int64_t> g_report_second{0};

/// While alive, report_error reads a second of its own: a fresh one at
/// construction (so the first report passes), moved on by next_second().
class FakeReportClock {
 public:
  FakeReportClock() {
    next_second();
    detail::set_report_clock([] { return g_report_second.load(); });
  }
  ~FakeReportClock() { detail::set_report_clock(nullptr); }
  FakeReportClock(const FakeReportClock&) = delete;
  FakeReportClock& operator=(const FakeReportClock&) = delete;
  void next_second() { g_report_second += 1; }
};

}  // namespace tracegrep::test
