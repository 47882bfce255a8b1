// Log content is untrusted. For a terminal, control characters, escape
// sequences, invalid UTF-8 and bidirectional overrides are made visible
// (`\x1b`), so a log line cannot rewrite the reader's screen. For JSON, every
// string is valid JSON whatever the bytes (invalid UTF-8 becomes U+FFFD).
#pragma once

#include <string>
#include <string_view>

namespace tracegrep {

/// Appends `text` made safe for a terminal. '\n' and '\t' pass; a '\r' just
/// before '\n' (CRLF) is dropped; everything else unsafe is written \xNN or \u{NNNN}.
void append_terminal_safe(std::string& out, std::string_view text);

/// Appends `text` kept on one line, for a table cell or a field of a row:
/// '\n', '\r' and '\t' are written "\n", "\r" and "\t" (a backslash
/// as it is), and with `terminal` the rest is made safe as
/// append_terminal_safe does.
void append_one_line(std::string& out, std::string_view text, bool terminal);

/// Appends `text` as a JSON string, quotes included.
void append_json_string(std::string& out, std::string_view text);

/// Length of the valid UTF-8 sequence at text[0], or 0 if invalid.
std::size_t utf8_sequence(std::string_view text, char32_t& cp);

}  // namespace tracegrep
