// parse/: lines that name their fields — JSON objects (read with simdjson)
// and logfmt pairs. Both map keys to fields with parse/fields.hpp; both
// leave the Header's views pointing into the line as written (ids are never
// copied, so the index can address them), and both give the fields they did
// not use as attributes for --json.
//
// JSON: one object per line (python-json-logger, structlog's JSONRenderer,
// loguru's serialize=True, Go's slog, pino, bunyan, OpenTelemetry). Nested
// objects are read 4 deep. loguru keeps a traceback only in "text": when
// "record.exception" is set, the lines of "text" after its first are the
// exception text. A line longer than kMaxJsonLine, or not a valid object, is
// not JSON (it is then read as text).
//
// logfmt: key=value pairs separated by blanks, values bare or in double
// quotes with \" \\ \n \t \r escapes (Go's slog TextHandler, logrus,
// Heroku). A line is logfmt when it starts with a pair, has at least two and
// one of them is a time, a level or a message. A quoted value left open at
// the end of the line goes on over the next lines, which continue the entry
// up to the one that closes it (structlog's LogfmtRenderer writes newlines
// raw); fields after it, on that line, are not read.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "parse/header.hpp"

namespace tracegrep::structured {

inline constexpr std::size_t kMaxJsonLine = std::size_t{1} << 20;

/// Reads `line` (chomped) as a JSON object into `out`. False when it is not
/// one; `out` may then hold anything.
bool parse_json(std::string_view line, Header& out);

/// Reads `line` (chomped) as logfmt into `out`. False when it is not logfmt.
bool parse_logfmt(std::string_view line, Header& out);

/// Appends the text of a value as written in a line of `layout` (a JSON
/// string's contents, a logfmt quoted value's), its escapes decoded. Bad
/// escapes are kept as written.
void append_decoded(Layout layout, std::string_view raw, std::string& out);

using tracegrep::AttrFn;

/// Calls fn for each field of a JSON or logfmt line that is not its time,
/// level, message, exception, request or session. Nested keys are dotted.
void for_each_attr(Layout layout, std::string_view line, const AttrFn& fn);

}  // namespace tracegrep::structured
