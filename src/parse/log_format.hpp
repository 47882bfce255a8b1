// parse/: a layout the user states as the Python logging.Formatter format
// string their service is configured with (--log-format), pasted verbatim:
//   %-style   %(asctime)s %(levelname)-8s [%(request_id)s] %(message)s
//   {-style   {asctime} {levelname:<8} [{request_id}] {message}
//   $-style   ${asctime} $levelname [$request_id] $message
// with the Formatter's datefmt (--date-format, strftime directives). Each
// field is read by its name: asctime (by the datefmt, or Python's default
// "YYYY-MM-DD HH:MM:SS,mmm"), msecs (milliseconds added to it), created
// (epoch seconds), levelname, levelno, message; a name that parse/fields.hpp
// knows as a request or session key (request_id, session_id, trace_id,
// otelTraceID...; --request-key and --session-key apply) is that id; every
// other field (name, module, lineno, funcName, process, threadName...) is an
// attribute. A field's value runs to the text that follows it in the format;
// runs of blanks in that text match any run of blanks (padding).
//
// The layout is set once per run, before any input is read. A line it does
// not match is read as without it (the built-in layouts), so that a file
// whose first lines were written before a logging config change still reads.
#pragma once

#include <string>
#include <string_view>

#include "parse/header.hpp"
#include "parse/structured.hpp"

namespace tracegrep::log_format {

enum class Style { kPercent, kBrace, kDollar };

struct Spec {
  std::string format;   ///< empty: no user layout
  std::string datefmt;  ///< empty: Python's default asctime
  Style style = Style::kPercent;
};

/// Compiles `spec` as the run's layout. False, with `error` saying what is
/// wrong (and where), when the format or datefmt cannot be read.
bool configure(const Spec& spec, std::string& error);

/// True when a layout was configured.
bool configured();

/// Reads `line` (chomped) with the configured layout. False when it does not
/// match (or none is configured).
bool parse(std::string_view line, Header& out);

/// Calls fn for each attribute field of a line the layout matched.
void for_each_attr(std::string_view line, const structured::AttrFn& fn);

/// Reads a time written by strftime directives `datefmt` at the start of
/// `text`: %Y %y %m %d %e %H %I %M %S %f %p %b %h %B %a %A %j %z %Z %T %F %%.
/// Returns the bytes used, or 0. Without a year the year is 1900, as
/// Python's strptime has it.
std::size_t parse_strftime(std::string_view datefmt, std::string_view text, format::Timestamp& out);

}  // namespace tracegrep::log_format
