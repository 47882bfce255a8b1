// parse/: the keys structured lines (JSON lines, logfmt) name their fields
// by, and what each key means. One table for both layouts, so that a key
// means the same in either:
//   time       timestamp time ts @timestamp asctime datetime timeUnixNano ...
//   level      levelname level severity log.level severity_text ... (names)
//              severity_number (OpenTelemetry 1-24), levelno (Python),
//              a numeric level (pino/bunyan 10-60)
//   message    message msg event body
//   exception  exc_info exception exc_text stack stack_trace error.stack ...
//   request    request_id req requestId reqId req_id trace_id traceId trace.id
//              otelTraceID x_request_id          (--request-key replaces)
//   session    session_id session sessionId correlation_id correlationId
//                                                (--session-key replaces)
// A key is a dotted path into nested objects. Ids are found under any
// object ("extra.request_id", loguru's "record.extra.request_id"); the
// other fields at the top or in loguru's "record". When several keys give a
// field, the one listed first wins.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tracegrep/format.hpp"

namespace tracegrep::fields {

enum class Role : std::uint8_t {
  kNone,
  kTime,
  kLevel,        ///< a name ("ERROR", "warn"), or a number on pino's scale
  kLevelOtel,    ///< OpenTelemetry's severity number, 1-24
  kLevelPython,  ///< Python's levelno (loguru's "no"), 5-50
  kMessage,
  kException,
  kRequest,
  kSession,
};

/// What a key means, and its rank among the keys of its field (0 is first).
struct Meaning {
  Role role = Role::kNone;
  std::uint8_t rank = 0;
};

/// The meaning of the dotted path `path`; kNone when it names no field.
Meaning meaning_of(std::string_view path);

/// The level a numeric value stands for under `role`; kNone when none.
format::Level numeric_level(Role role, std::string_view digits);

/// Replaces the request or session keys (--request-key, --session-key).
/// Called before any input is read; an empty list keeps the defaults.
void set_id_keys(const std::vector<std::string>& request, const std::vector<std::string>& session);

/// Changes whenever set_id_keys does: meanings cached under another value are stale.
std::uint32_t generation();

/// The keys of a field, in rank order (for --help and the man page's tests).
std::vector<std::string> keys_of(Role role);

}  // namespace tracegrep::fields
