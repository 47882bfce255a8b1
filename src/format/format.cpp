// Implements include/tracegrep/format.hpp: levels and timestamps. Hand-written
// scanning, because starts_entry() runs on every line of every log.
#include "tracegrep/format.hpp"

#include <algorithm>
#include <array>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "util/hash.hpp"

namespace tracegrep::format {
namespace {

char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (upper(a[i]) != b[i]) return false;
  }
  return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly n digits at text[pos]; false if any is not a digit.
bool digits(std::string_view text, std::size_t pos, std::size_t n, unsigned& value) {
  if (text.size() < pos + n) return false;
  value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (!is_digit(c)) return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}

bool leap(unsigned y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(unsigned y, unsigned m) {
  static constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

// Parses "+HH:MM", "+HHMM", "-HH:MM", "-HHMM" at text[pos]; returns bytes used.
std::size_t parse_offset(std::string_view text, std::size_t pos, int& offset_seconds) {
  if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return 0;
  const int sign = text[pos] == '-' ? -1 : 1;
  unsigned hh = 0;
  unsigned mm = 0;
  if (!digits(text, pos + 1, 2, hh)) return 0;
  std::size_t used = 3;
  if (pos + 3 < text.size() && text[pos + 3] == ':') {
    if (!digits(text, pos + 4, 2, mm)) return 0;
    used = 6;
  } else {
    if (!digits(text, pos + 3, 2, mm)) return 0;
    used = 5;
  }
  if (hh > 23 || mm > 59) return 0;
  offset_seconds = sign * static_cast<int>(hh * 3600 + mm * 60);
  return used;
}

}  // namespace

std::optional<Level> parse_level(std::string_view name) {
  struct Name {
    std::string_view text;
    Level level;
  };
  static constexpr std::array<Name, 8> kNames = {{{"TRACE", Level::kTrace},
                                                  {"DEBUG", Level::kDebug},
                                                  {"INFO", Level::kInfo},
                                                  {"WARN", Level::kWarning},
                                                  {"WARNING", Level::kWarning},
                                                  {"ERROR", Level::kError},
                                                  {"CRITICAL", Level::kCritical},
                                                  {"FATAL", Level::kCritical}}};
  if (name.size() < 4 || name.size() > 8) return std::nullopt;
  for (const auto& n : kNames) {
    if (iequals(name, n.text)) return n.level;
  }
  return std::nullopt;
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::kTrace:
      return "TRACE";
    case Level::kDebug:
      return "DEBUG";
    case Level::kInfo:
      return "INFO";
    case Level::kWarning:
      return "WARNING";
    case Level::kError:
      return "ERROR";
    case Level::kCritical:
      return "CRITICAL";
    case Level::kNone:
      break;
  }
  return "";
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::size_t parse_timestamp(std::string_view text, Timestamp& out) {
  // Fixed part: YYYY-MM-DD?HH:MM:SS is 19 bytes.
  unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (text.size() < 19) return 0;
  if (!digits(text, 0, 4, y) || text[4] != '-' || !digits(text, 5, 2, mo) || text[7] != '-' ||
      !digits(text, 8, 2, d) || (text[10] != ' ' && text[10] != 'T') || !digits(text, 11, 2, h) ||
      text[13] != ':' || !digits(text, 14, 2, mi) || text[16] != ':' || !digits(text, 17, 2, s)) {
    return 0;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60) {
    return 0;
  }
  std::size_t pos = 19;
  std::int32_t nanos = 0;
  std::uint8_t frac_digits = 0;
  if (pos < text.size() && (text[pos] == ',' || text[pos] == '.')) {
    std::size_t n = 0;
    while (pos + 1 + n < text.size() && is_digit(text[pos + 1 + n])) ++n;
    if (n < 1 || n > 9) return 0;
    for (std::size_t i = 0; i < 9; ++i) {
      nanos = nanos * 10 + (i < n ? text[pos + 1 + i] - '0' : 0);
    }
    frac_digits = static_cast<std::uint8_t>(n);
    pos += 1 + n;
  }
  bool utc = false;
  int offset = 0;
  if (pos < text.size() && text[pos] == 'Z') {
    utc = true;
    ++pos;
  } else if (const std::size_t used = parse_offset(text, pos, offset)) {
    utc = true;
    pos += used;
  }
  // Python's "%(asctime)s.%(msecs)03d" with a datefmt ending in %z puts the
  // milliseconds after the offset: 2026-12-01T21:21:38+0000.607.
  if (utc && frac_digits == 0 && pos + 1 < text.size() && (text[pos] == ',' || text[pos] == '.') &&
      is_digit(text[pos + 1])) {
    std::size_t n = 0;
    while (pos + 1 + n < text.size() && is_digit(text[pos + 1 + n])) ++n;
    if (n > 9) return 0;
    for (std::size_t i = 0; i < 9; ++i) nanos = nanos * 10 + (i < n ? text[pos + 1 + i] - '0' : 0);
    frac_digits = static_cast<std::uint8_t>(n);
    pos += 1 + n;
  }
  out.seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset;
  out.nanos = nanos;
  out.frac_digits = frac_digits;
  out.utc = utc;
  return pos;
}

bool parse_epoch(std::string_view text, Timestamp& out) {
  std::size_t i = 0;
  std::uint64_t whole = 0;
  while (i < text.size() && is_digit(text[i])) {
    if (i == 19) return false;  // beyond nanoseconds in 2286
    whole = whole * 10 + static_cast<std::uint64_t>(text[i] - '0');
    ++i;
  }
  if (i == 0) return false;
  std::int32_t nanos = 0;
  std::uint8_t frac_digits = 0;
  if (i < text.size() && text[i] == '.') {
    std::size_t n = 0;
    while (i + 1 + n < text.size() && is_digit(text[i + 1 + n])) ++n;
    if (n == 0) return false;
    for (std::size_t k = 0; k < 9; ++k) nanos = nanos * 10 + (k < n ? text[i + 1 + k] - '0' : 0);
    frac_digits = static_cast<std::uint8_t>(std::min<std::size_t>(n, 9));
    i += 1 + n;
  }
  if (i != text.size()) return false;
  std::uint64_t seconds = whole;
  if (frac_digits == 0) {  // a whole number: its magnitude says the unit
    if (whole >= 100'000'000'000'000'000ULL) {
      seconds = whole / 1'000'000'000, nanos = static_cast<std::int32_t>(whole % 1'000'000'000),
      frac_digits = 9;
    } else if (whole >= 100'000'000'000'000ULL) {
      seconds = whole / 1'000'000, nanos = static_cast<std::int32_t>(whole % 1'000'000 * 1000),
      frac_digits = 6;
    } else if (whole >= 100'000'000'000ULL) {
      seconds = whole / 1000, nanos = static_cast<std::int32_t>(whole % 1000 * 1'000'000), frac_digits = 3;
    }
  } else if (whole >= 100'000'000'000ULL) {
    return false;  // a fraction of milliseconds: not a form anyone writes
  }
  out.seconds = static_cast<std::int64_t>(seconds);
  out.nanos = nanos;
  out.frac_digits = frac_digits;
  out.utc = true;
  return true;
}

bool starts_entry(std::string_view line) {
  // Cheap rejection first: most continuation lines do not start with a digit.
  if (line.size() < 19 || !is_digit(line[0]) || line[4] != '-') return false;
  Timestamp ts;
  const std::size_t n = parse_timestamp(line, ts);
  if (n == 0) return false;
  if (n == line.size()) return true;
  const char c = line[n];
  if (c == '\r') return n + 1 == line.size() || line[n + 1] == '\n';  // CRLF line end
  return c == ' ' || c == '\t' || c == '\n';
}

namespace {
bool needs_escape(unsigned char c) { return c < 0x20 || c == 0x7f || c == '\\'; }
}  // namespace

std::size_t first_to_escape(std::string_view message) {
  const char* p = message.data();
  const std::size_t n = message.size();
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i control_max = _mm_set1_epi8(0x1f), del = _mm_set1_epi8(0x7f), backslash = _mm_set1_epi8('\\');
  auto block = [&](std::size_t at) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
    const __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(v, control_max), v),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, del), _mm_cmpeq_epi8(v, backslash)));
    return _mm_movemask_epi8(hit);
  };
  if (n >= 16) {
    for (; i + 16 <= n; i += 16)
      if (const int mask = block(i)) return i + static_cast<std::size_t>(__builtin_ctz(mask));
    // The last 16 bytes, overlapping bytes already found clean: no byte loop.
    if (i < n) {
      const int mask = block(n - 16);
      return mask ? n - 16 + static_cast<std::size_t>(__builtin_ctz(mask)) : n;
    }
    return n;
  }
#endif
  for (; i < n; ++i)
    if (needs_escape(static_cast<unsigned char>(p[i]))) return i;
  return n;
}

void append_escaped_message(std::string& out, std::string_view message) {
  std::size_t start = first_to_escape(message);
  out.append(message.data(), start);
  for (std::size_t i = start; i < message.size(); ++i) {
    const auto c = static_cast<unsigned char>(message[i]);
    if (!needs_escape(c)) continue;
    out.append(message, start, i - start);
    start = i + 1;
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\x";
        out += kHexDigits[c >> 4];
        out += kHexDigits[c & 15];
    }
  }
  out.append(message, start, message.size() - start);
}

namespace {

// "YYYY-MM-DDTHH:MM:SS" for `seconds` since the epoch, into out[0..19),
// without allocating: the emitter renders it once a second per thread.
void write_iso_seconds(char* buf, std::int64_t seconds) {
  std::int64_t days = seconds / 86400;
  std::int64_t rem = seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // civil_from_days (Howard Hinnant).
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y0 = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = y0 + (m <= 2);
  auto put = [&buf](std::size_t at, std::int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) {
      buf[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  put(0, y, 4);
  buf[4] = '-';
  put(5, m, 2);
  buf[7] = '-';
  put(8, d, 2);
  buf[10] = 'T';
  put(11, rem / 3600, 2);
  buf[13] = ':';
  put(14, rem / 60 % 60, 2);
  buf[16] = ':';
  put(17, rem % 60, 2);
}

}  // namespace

void write_date_time(char* out, std::int64_t seconds) {
  write_iso_seconds(out, seconds);
  out[10] = ' ';
}

std::string format_iso(const Timestamp& ts) {
  char buf[40];
  write_iso_seconds(buf, ts.seconds);
  std::size_t len = 19;
  if (ts.frac_digits > 0) {
    buf[len++] = '.';
    char frac[9];
    std::int32_t ns = ts.nanos;
    for (int i = 8; i >= 0; --i) {
      frac[i] = static_cast<char>('0' + ns % 10);
      ns /= 10;
    }
    for (std::size_t i = 0; i < ts.frac_digits; ++i) buf[len++] = frac[i];
  }
  if (ts.utc) buf[len++] = 'Z';
  return std::string(buf, len);
}

}  // namespace tracegrep::format
