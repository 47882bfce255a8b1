// Request and session ids: generated without locks, unique within a
// process, and taken from HTTP requests in the article's order, never
// writing a credential or an unsafe id to the log.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tracegrep {

/// A new request id of `length` lowercase hex characters (8 by default, as
/// the article; 8 to 32). Unique within the process: 8 characters for the
/// first 2^32 ids, longer ones for 2^64. No lock, no allocation beyond the
/// string.
std::string new_request_id(std::size_t length = 8);

/// Looks up an HTTP header by name (case-insensitive is the caller's
/// business); nullopt when absent.
using HeaderLookup = std::function<std::optional<std::string_view>(std::string_view name)>;

/// The session id of a request, in the article's order: the X-Session-ID
/// header, X-Correlation-ID, the session_id query parameter, a bearer token
/// (Authorization: Bearer ...: never written, a hash of it is used), else a
/// new id. An id outside the safe alphabet or longer than 128 characters is
/// replaced by a safe id derived from it.
std::string session_id_from(const HeaderLookup& header, std::string_view query_string);

/// A safe id standing for `unsafe` (16 hex characters of a hash of it).
std::string derived_id(std::string_view unsafe);

/// The X-Request-ID response header: the current request id, or empty.
std::string request_id_header();

}  // namespace tracegrep
