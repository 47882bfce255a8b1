// Parses the --since / --until arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tracegrep/format.hpp"

namespace tracegrep {

enum class BoundKind { kSince, kUntil };

/// The forms a user may write, for error messages.
inline constexpr std::string_view kTimeForms =
    "YYYY-MM-DD, YYYY-MM-DD HH:MM, YYYY-MM-DD[ T]HH:MM:SS[.fff][Z|+HH:MM], HH:MM[:SS], "
    "today, yesterday, now, or an age such as 15m, 2h, 3d (s, m, h, d, w)";

/// A bound as both kinds of log time see it. A log time written with an
/// offset is UTC (Timestamp::utc) and meets `utc`; one written without is
/// local wall time and meets `naive`. A bound written without an offset is
/// local time (TZ), or UTC with --utc.
struct TimeBound {
  format::Timestamp naive;
  format::Timestamp utc;
  /// The bound an entry's time is compared with.
  const format::Timestamp& for_time(const format::Timestamp& t) const { return t.utc ? utc : naive; }
};

/// What relative forms are relative to, and the clock of times without an
/// offset.
struct TimeContext {
  std::int64_t now_seconds = 0;  ///< UTC, since the epoch
  std::int32_t now_nanos = 0;
  bool utc = false;  ///< --utc: times without an offset are UTC, not local
  /// Now, from the system clock.
  static TimeContext current(bool utc);
};

/// --since T is the first instant of T; --until T is the instant just after
/// the last unit written (a day, a minute, a second, or the last fraction
/// digit), so `--until 2024-01-15` includes the whole day and `--until
/// yesterday` ends at today's midnight. An age (`15m`) is that long before
/// now, for both. Returns nullopt on a malformed time.
std::optional<TimeBound> parse_time_bound(std::string_view text, BoundKind kind, const TimeContext& ctx);

/// Local wall time (TZ) of a UTC time, and back (both as civil seconds).
format::Timestamp utc_to_local(format::Timestamp t);
format::Timestamp local_to_utc(format::Timestamp t);

}  // namespace tracegrep
