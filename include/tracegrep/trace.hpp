// W3C Trace Context across services: the incoming `traceparent` gives the
// request id (its trace id, so every service of one user action logs the
// same request id) and the parent span; the headers to send downstream carry
// the same trace id with a new span id, the session and the request id.
//
//   tracegrep::ContextScope scope(tracegrep::request_from(header, query));
//   for (auto& [name, value] : tracegrep::outgoing_headers()) client_headers.emplace(name, value);
//
// Values from the network are never trusted: an invalid traceparent (wrong
// length or version, uppercase, all-zero ids) is ignored and a new trace id
// is made; tracestate is passed on only when it is well formed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tracegrep/context.hpp"
#include "tracegrep/ids.hpp"

namespace tracegrep {

/// A parsed traceparent (W3C Trace Context level 1, version 00; later
/// versions are read as 00 when they begin as it does, as the spec asks).
struct TraceParent {
  std::string trace_id;    ///< 32 lowercase hex digits, not all zero
  std::string parent_id;   ///< 16 lowercase hex digits, not all zero: the caller's span
  std::uint8_t flags = 0;  ///< bit 0: sampled
};

/// Parses a traceparent header value; nullopt when it is invalid.
std::optional<TraceParent> parse_traceparent(std::string_view value);

/// Renders "00-<trace_id>-<span_id>-<flags>".
std::string format_traceparent(std::string_view trace_id, std::string_view span_id, std::uint8_t flags);

/// True for a tracestate value worth passing on: at most 512 characters of
/// printable ASCII in at most 32 comma-separated members.
bool is_valid_tracestate(std::string_view value);

/// A new 32-hex trace id / 16-hex span id (never all zero).
std::string new_trace_id();
std::string new_span_id();

/// The context for an incoming request: the session as session_id_from()
/// finds it; the request id from a valid traceparent's trace id, else a
/// valid X-Request-ID header, else a new trace id (32 hex, written whole in
/// the tag); the parent span as the tag's `parent` attribute; tracestate
/// and flags kept for outgoing_headers().
RequestMetadata request_from(const HeaderLookup& header, std::string_view query_string);

/// The headers to send with a call to another service under the current
/// context: traceparent (the same trace id, a new span id: when the request
/// id is not a trace id, a trace id derived from it), tracestate when one
/// came in, X-Session-ID (the whole session id) and X-Request-ID. Empty
/// outside any context.
std::vector<std::pair<std::string, std::string>> outgoing_headers();

}  // namespace tracegrep
