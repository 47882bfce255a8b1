// The one definition of tracegrep's log format, shared by the parser (the CLI)
// and the emitter library: level names and ranks, timestamps, the tag syntax,
// the id alphabet and the session-prefix rule. Nothing here allocates per call
// except format_iso(), and nothing throws.
//
//   2024-01-15 10:30:15,123 - ERROR - [req=a1b2c3d4|session=12345678] - text
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tracegrep::format {

/// Levels in rank order. kNone is "no level written" and ranks below all.
enum class Level : std::uint8_t { kNone = 0, kTrace, kDebug, kInfo, kWarning, kError, kCritical };

/// Parses a level name in any case: TRACE, DEBUG, INFO, WARN, WARNING, ERROR,
/// CRITICAL, FATAL. Anything else gives nullopt.
std::optional<Level> parse_level(std::string_view name);

/// The canonical (Python) name of a level: "WARNING", "CRITICAL", ...
std::string_view level_name(Level level);

/// Rank for --level comparisons: kNone is 0, kTrace 1 ... kCritical 6.
inline int level_rank(Level level) { return static_cast<int>(level); }

/// A point in time as written. Without an offset it is "as written" (naive);
/// with one it has been normalised to UTC.
struct Timestamp {
  std::int64_t seconds = 0;      ///< seconds since 1970-01-01T00:00:00 of the civil time
  std::int32_t nanos = 0;        ///< 0..999'999'999
  std::uint8_t frac_digits = 0;  ///< digits of the fraction as written (0..9)
  bool utc = false;              ///< an offset or Z was written; seconds are UTC

  friend bool operator==(const Timestamp& a, const Timestamp& b) {
    return a.seconds == b.seconds && a.nanos == b.nanos;
  }
  friend bool operator<(const Timestamp& a, const Timestamp& b) {
    return a.seconds != b.seconds ? a.seconds < b.seconds : a.nanos < b.nanos;
  }
};

/// Parses a timestamp at the start of `text`:
///   YYYY-MM-DD[ T]HH:MM:SS[(,|.)F{1,9}][Z|(+|-)HH:MM|(+|-)HHMM]
/// Returns the number of bytes consumed, or 0 when `text` does not start with
/// one. Fields are range-checked (month 1-12, day valid for the month, hour
/// 0-23, minute 0-59, second 0-60). The caller decides what may follow.
std::size_t parse_timestamp(std::string_view text, Timestamp& out);

/// Parses epoch time written as a number, whole: seconds with an optional
/// fraction ("1700000000.123456", Python's %(created)f), or whole
/// milliseconds, microseconds or nanoseconds, told apart by magnitude (pino's
/// and Go's ms, OpenTelemetry's timeUnixNano). Digits are read exactly (no
/// floating point). The result is UTC. False for anything else, negative or
/// exponent forms included.
bool parse_epoch(std::string_view text, Timestamp& out);

/// True when `line` begins an entry: a timestamp followed by whitespace or the
/// end of the line. Every other line continues the entry before it.
bool starts_entry(std::string_view line);

/// ISO 8601 with 'T', the written fraction after '.', and 'Z' when utc.
std::string format_iso(const Timestamp& ts);

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);

// ---- The tag: [req=R|session=S|key=value...] --------------------------------

/// Between the fields of a line the emitter writes: time - LEVEL - [tag] - message.
inline constexpr std::string_view kFieldSeparator = " - ";
/// The length of the time the emitter writes, "YYYY-MM-DD HH:MM:SS,mmm".
inline constexpr std::size_t kWrittenTimeLength = 23;

inline constexpr char kTagOpen = '[';
inline constexpr char kTagClose = ']';
inline constexpr char kPairSeparator = '|';
inline constexpr char kKeyValueSeparator = '=';
inline constexpr std::string_view kRequestKey = "req";
inline constexpr std::string_view kSessionKey = "session";
/// The caller's span (W3C traceparent's parent-id), written by the emitter.
inline constexpr std::string_view kParentKey = "parent";
/// The value written where an id is unset.
inline constexpr std::string_view kNoneValue = "none";

/// True for the values that mean "no id" when read, whoever wrote them:
/// empty, "none", Python's "None" (a ContextVar whose default is None),
/// "null", "NULL", "-", and all-zero trace or span ids (16 or more '0's,
/// as W3C and OpenTelemetry write an invalid id).
inline bool is_unset_id(std::string_view v) {
  switch (v.size()) {  // by length first: it runs on every tag of every line
    case 0:
      return true;
    case 1:
      return v[0] == '-';
    case 4:
      return v == kNoneValue || v == "None" || v == "null" || v == "NULL";
    default:
      return v.size() >= 16 && v[0] == '0' && v.find_first_not_of('0') == std::string_view::npos;
  }
}
/// Sessions are cut to this many characters by default when written.
inline constexpr std::size_t kSessionCut = 8;
/// A logged session that is a strict prefix of the id asked for matches only
/// when it is at least this long: a cut id, not a one-letter accident.
inline constexpr std::size_t kMinCutSession = 4;

/// A character allowed in a tag value: anything but '|', ']', '=', whitespace
/// and control characters.
inline bool is_value_char(unsigned char c) {
  return c > 0x20 && c != 0x7f && c != '|' && c != ']' && c != '=';
}

/// A character allowed in a tag key: [A-Za-z0-9_.-].
inline bool is_key_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}

/// The -s rule: the logged session equals the id asked for, starts with it,
/// or is a prefix of it at least kMinCutSession long (logs keep 8 characters,
/// users hold the whole id).
inline bool session_matches(std::string_view logged, std::string_view query) {
  if (logged.empty() || query.empty()) return false;
  if (logged.starts_with(query)) return true;
  return logged.size() >= kMinCutSession && query.starts_with(logged);
}

/// The literal every line whose session matches `query` contains: the fast
/// scanner searches for it and parses only the lines that have it. Only the
/// id's first characters, whatever key it is written under (session=,
/// "session_id": in JSON, logfmt's session_id=).
inline std::string session_needle(std::string_view query) {
  return std::string(query.substr(0, kMinCutSession));
}

/// The literal every line whose request is `id` contains: the id itself,
/// whatever key it is written under (req=, OpenTelemetry's trace_id=).
inline std::string request_needle(std::string_view id) { return std::string(id); }

// ---- Writing: what the emitter must do so the parser reads it back --------

/// The characters an id may have when written: [A-Za-z0-9._:-]. Stricter
/// than what the parser accepts, so that any id written parses back whole.
inline bool is_safe_id_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == ':' || c == '-';
}

/// Ids longer than this are not written as they are.
inline constexpr std::size_t kMaxIdLength = 128;

/// True when `id` can be written as a tag value as it is.
inline bool is_safe_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength || id == kNoneValue) return false;
  for (const char c : id) {
    if (!is_safe_id_char(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

/// Appends `message` so that it stays on one line (CWE-117): '\\' becomes
/// "\\\\", '\n' "\\n", '\r' "\\r", '\t' "\\t", other control characters
/// "\\xNN". A message can then never start a line, so never forge an entry.
void append_escaped_message(std::string& out, std::string_view message);

/// The index of the first byte of `message` that append_escaped_message
/// changes, or message.size() when it would copy it as it is (16 bytes at a
/// step: the logger checks every message).
std::size_t first_to_escape(std::string_view message);

/// Writes "YYYY-MM-DD HH:MM:SS" for `seconds` since the epoch (of the civil
/// time wanted: local or UTC, the caller decides) into out[0..19).
void write_date_time(char* out, std::int64_t seconds);

}  // namespace tracegrep::format
