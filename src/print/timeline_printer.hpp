// Renders a request timeline as text: a header, then every entry in time
// order with its offset, the gap before it, level, source and message, the
// largest gap pointed out, errors highlighted in colour.
#pragma once

#include "print/output.hpp"
#include "print/printers.hpp"
#include "timeline/timeline.hpp"

namespace tracegrep {

void print_request_timeline(const timeline::Request& r, Output& out, const TextStyle& style);

/// The entry lines of a timeline (offset, gap, level, [request,] source,
/// message, continuation lines), its largest gap and notes; with_request
/// adds each entry's request id (a session's entries, from many requests).
void print_timeline_entries(const timeline::Request& r, Output& out, const TextStyle& style,
                            bool with_request);

/// A session: its requests in start order, one line each (a table fitted
/// to `table_width` columns, 0: no limit), then a waterfall of one bar per
/// request on a common time axis `width` columns wide.
void print_session(std::string_view session, const timeline::Summaries& requests, Output& out,
                   const TextStyle& style, std::size_t width, std::size_t table_width);

/// The `tracegrep requests` table, fitted to `width` columns (0: no limit).
void print_requests_table(const timeline::Summaries& requests, Output& out, const TextStyle& style,
                          std::size_t width);

/// The `tracegrep sessions` table, fitted to `width` columns (0: no limit).
void print_sessions_table(const std::vector<timeline::SessionSummary>& sessions, Output& out,
                          const TextStyle& style, std::size_t width);

}  // namespace tracegrep
