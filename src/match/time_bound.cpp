#include "match/time_bound.hpp"

#include <chrono>
#include <ctime>
#include <mutex>
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

void load_zone() {
  static std::once_flag once;
  std::call_once(once, [] { ::tzset(); });
}

// An age: digits and a unit, "15m", "2h", "3d", "90s", "1w".
std::optional<std::int64_t> age_seconds(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  std::int64_t n = 0;
  std::size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (n > 1'000'000'000) return std::nullopt;
    n = n * 10 + (text[i] - '0');
  }
  if (i == 0 || i + 1 != text.size()) return std::nullopt;
  switch (text[i]) {
    case 's':
      return n;
    case 'm':
      return n * 60;
    case 'h':
      return n * 3600;
    case 'd':
      return n * 86400;
    case 'w':
      return n * 7 * 86400;
    default:
      return std::nullopt;
  }
}

}  // namespace

TimeContext TimeContext::current(bool utc) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
  TimeContext c;
  c.now_seconds = ns / 1'000'000'000;
  c.now_nanos = static_cast<std::int32_t>(ns % 1'000'000'000);
  c.utc = utc;
  return c;
}

format::Timestamp utc_to_local(format::Timestamp t) {
  load_zone();
  const std::time_t u = static_cast<std::time_t>(t.seconds);
  std::tm lt{};
  if (::localtime_r(&u, &lt)) t.seconds += lt.tm_gmtoff;
  t.utc = false;
  return t;
}

format::Timestamp local_to_utc(format::Timestamp t) {
  load_zone();
  const std::time_t civil = static_cast<std::time_t>(t.seconds);
  std::tm tm{};
  if (::gmtime_r(&civil, &tm)) {
    tm.tm_isdst = -1;  // whichever is in force then
    const std::time_t u = ::mktime(&tm);
    if (u != static_cast<std::time_t>(-1)) t.seconds = u;
  }
  t.utc = true;
  return t;
}

std::optional<TimeBound> parse_time_bound(std::string_view text, BoundKind kind, const TimeContext& ctx) {
  format::Timestamp now;
  now.seconds = ctx.now_seconds;
  now.nanos = ctx.now_nanos;
  now.utc = true;
  // Times without an offset are local, or UTC with --utc.
  auto from_instant = [&](format::Timestamp utc) {
    format::Timestamp naive = ctx.utc ? utc : utc_to_local(utc);
    naive.utc = false;
    return TimeBound{naive, utc};
  };
  auto from_naive = [&](format::Timestamp naive) {
    format::Timestamp utc = naive;
    if (ctx.utc)
      utc.utc = true;
    else
      utc = local_to_utc(naive);
    return TimeBound{naive, utc};
  };
  auto span = [&](TimeBound b, std::int64_t s, std::int32_t ns) {
    if (kind == BoundKind::kUntil) {
      b.naive = add(b.naive, s, ns);
      b.utc = add(b.utc, s, ns);
    }
    return b;
  };
  if (text == "now") return from_instant(now);
  if (const auto age = age_seconds(text)) {
    format::Timestamp t = now;
    t.seconds -= *age;
    return from_instant(t);
  }
  // Today's date on the wall clock the naive times use.
  format::Timestamp today = ctx.utc ? now : utc_to_local(now);
  today.seconds -= ((today.seconds % 86400) + 86400) % 86400;
  today.nanos = 0;
  today.utc = false;
  if (text == "today") return span(from_naive(today), 86400, 0);
  if (text == "yesterday") {
    format::Timestamp y = today;
    y.seconds -= 86400;
    return span(from_naive(y), 86400, 0);
  }
  format::Timestamp ts;
  std::int64_t unit_s = 1;
  std::int32_t unit_ns = 0;
  auto fraction_unit = [&] {
    if (ts.frac_digits > 0) {
      unit_s = 0;
      unit_ns = 1;
      for (int i = ts.frac_digits; i < 9; ++i) unit_ns *= 10;
    }
  };
  if (!text.empty() && format::parse_timestamp(text, ts) == text.size()) {
    fraction_unit();
  } else if (text.size() == 10 && format::parse_timestamp(std::string(text) + " 00:00:00", ts) == 19) {
    unit_s = 86400;
  } else if (text.size() == 16 && format::parse_timestamp(std::string(text) + ":00", ts) == 19) {
    unit_s = 60;
  } else if ((text.size() == 5 || text.size() >= 8) && text.size() <= 18 && text[2] == ':') {
    // A time of day: today's.
    const std::string date = format::format_iso(today).substr(0, 10);
    std::string whole = date + " " + std::string(text);
    if (text.size() == 5) {
      whole += ":00";
      unit_s = 60;
    }
    if (format::parse_timestamp(whole, ts) != whole.size()) return std::nullopt;
    if (text.size() > 5) fraction_unit();
  } else {
    return std::nullopt;
  }
  return span(ts.utc ? from_instant(ts) : from_naive(ts), unit_s, unit_ns);
}

}  // namespace tracegrep
