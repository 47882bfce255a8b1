// Parses the --since / --until arguments.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tracegrep/format.hpp"

namespace tracegrep {

enum class BoundKind { kSince, kUntil };

/// The forms a user may write, for error messages.
inline constexpr std::string_view kTimeForms =
    "YYYY-MM-DD, YYYY-MM-DD HH:MM, or YYYY-MM-DD[ T]HH:MM:SS[.fff][Z|+HH:MM]";

/// --since T is the first instant of T; --until T is the instant just after
/// the last unit written (a day, a minute, a second, or the last fraction
/// digit), so `--until 2024-01-15` includes the whole day. Returns nullopt on
/// a malformed time.
std::optional<format::Timestamp> parse_time_bound(std::string_view text, BoundKind kind);

}  // namespace tracegrep
