// Machine formats of timelines: JSON (entries with the fields of the scan's
// --json) and Chrome Trace Event JSON, which Perfetto UI and chrome://tracing
// open: a track per source, a complete event per request, an instant event
// per entry.
#pragma once

#include <string_view>
#include <vector>

#include "print/output.hpp"
#include "timeline/timeline.hpp"

namespace tracegrep {

/// {"request":..,"session":..,"sources":[..],"start":..,"end":..,"duration_ms":..,
///  "entries":N,"highest":..,"largest_gap_line":..,"notes":[..],"timeline":[entry...]}
/// where each entry is the scan's JSON object plus "offset_ms" and "gap_ms".
void print_request_json(const timeline::Request& r, Output& out);

/// One JSON object per request summary, one per line.
void print_requests_json(const timeline::Summaries& requests, Output& out);

/// {"session":..,"requests":[summary...]}
/// With `entries` (timeline -s --entries), also "notes" and "timeline": the
/// session's entries in time order, as print_request_json writes them.
void print_session_json(std::string_view session, const timeline::Summaries& requests, Output& out,
                        const timeline::Request* entries = nullptr);

/// Chrome Trace Event JSON for the requests of `items`.
void print_chrome_trace(const std::vector<timeline::Item>& items, Output& out);

/// `tracegrep sessions --json`: one object per session (the text table is
/// print_sessions_table in timeline_printer.hpp).
void print_sessions_json(const std::vector<timeline::SessionSummary>& sessions, Output& out);

}  // namespace tracegrep
