#include "match/time_bound.hpp"

#include <string>

namespace tracegrep {
namespace {

format::Timestamp add(format::Timestamp ts, std::int64_t seconds, std::int32_t nanos) {
  ts.seconds += seconds;
  ts.nanos += nanos;
  if (ts.nanos >= 1'000'000'000) {
    ts.nanos -= 1'000'000'000;
    ++ts.seconds;
  }
  return ts;
}

}  // namespace

std::optional<format::Timestamp> parse_time_bound(std::string_view text, BoundKind kind) {
  format::Timestamp ts;
  std::int64_t unit_s = 1;
  std::int32_t unit_ns = 0;
  if (format::parse_timestamp(text, ts) == text.size() && !text.empty()) {
    if (ts.frac_digits > 0) {
      unit_s = 0;
      unit_ns = 1;
      for (int i = ts.frac_digits; i < 9; ++i) unit_ns *= 10;
    }
  } else if (text.size() == 10 && format::parse_timestamp(std::string(text) + " 00:00:00", ts) == 19) {
    unit_s = 86400;
  } else if (text.size() == 16 && format::parse_timestamp(std::string(text) + ":00", ts) == 19) {
    unit_s = 60;
  } else {
    return std::nullopt;
  }
  return kind == BoundKind::kSince ? ts : add(ts, unit_s, unit_ns);
}

}  // namespace tracegrep
