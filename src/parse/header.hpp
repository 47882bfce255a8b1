// parse/: the first line of an entry -> its fields (timestamp, level, tag,
// message). Bad lines are data: parse_header never throws, it only says
// whether the line begins an entry.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "tracegrep/format.hpp"

namespace tracegrep {

/// How a line is written: text (a timestamp first, then fields and a tag),
/// a JSON object, or logfmt pairs, recognised line by line without options;
/// or the layout the user gave (--log-format, parse/log_format.hpp).
enum class Layout : std::uint8_t { kText, kJson, kLogfmt, kFormat };

/// "text", "json", "logfmt", "format".
std::string_view layout_name(Layout layout);

/// The fields of an entry's first line. Views point into the parsed line.
struct Header {
  Layout layout = Layout::kText;
  bool has_ts = false;
  format::Timestamp ts;
  format::Level level = format::Level::kNone;
  std::string_view level_text;  ///< as written, without brackets; empty if none
  bool has_tag = false;
  std::string_view tag;      ///< the whole tag, brackets included; empty if none
  std::string_view req;      ///< empty when absent or "none"
  std::string_view session;  ///< empty when absent or "none"
  std::string_view message;  ///< the rest of the line, without "\r\n"; JSON and logfmt: the
                             ///< message field as written (see `escaped`)
  std::string_view detail;   ///< JSON and logfmt: the exception field as written, if any
  bool escaped = false;      ///< message or detail hold escapes: read them with decode_message
  bool open_quote = false;   ///< logfmt: a quoted value goes on over the next lines
  std::string_view line;     ///< the whole line, without "\r\n"
  /// A text line's other fields before its message (a logger name,
  /// module:lineno, a pid, [thread]), as written; attributes by their shape.
  std::array<std::string_view, 4> fields{};
  std::uint8_t field_count = 0;
};

/// Parses `line` (with or without its '\n'). A JSON object or a logfmt line
/// with a time, level or message key begins an entry (with or without a
/// time: has_ts says); a text line does when it starts with a timestamp
/// (format::starts_entry). Returns false otherwise, leaving `out`
/// describing a timestamp-less line whose message is the whole line.
bool parse_header(std::string_view line, Header& out);

/// The level as --json and timelines show it: as written, or its name when
/// a number was written (pino's 30, OpenTelemetry's 17).
inline std::string_view shown_level(const Header& h) {
  if (!h.level_text.empty() && h.level_text[0] >= '0' && h.level_text[0] <= '9')
    return format::level_name(h.level);
  return h.level_text;
}

/// Appends the first line's message as text: a JSON or logfmt line's
/// message field decoded; a text line's message as it is.
void decode_message(const Header& header, std::string& out);
/// Appends the exception text of a JSON or logfmt line, decoded (its lines
/// are the entry's continuation lines); nothing for a text line.
void decode_detail(const Header& header, std::string& out);

/// True when a line that does not begin with a timestamp still begins an
/// entry by its shape alone: a JSON object's "{". Lets a file be cut for a
/// parallel scan at such a line.
inline bool begins_structured(std::string_view line) { return !line.empty() && line[0] == '{'; }

/// An attribute of a first line: a field that is not its time, level,
/// message, exception or ids. `value` is JSON text when `json_text` (a
/// number, true, false, null, an array), else plain text.
using AttrFn = std::function<void(std::string_view key, std::string_view value, bool json_text)>;

/// Calls fn for each attribute of the line `h` was parsed from: the other
/// pairs of a text line's tag, the other fields of a JSON or logfmt line
/// (nested keys dotted), the named fields of a --log-format layout.
void for_each_attr(const Header& h, const AttrFn& fn);

/// Calls fn(key, value) for each pair of a tag that parse_header accepted,
/// including req and session; `none` values are passed as written. Pairs
/// are separated by '|' (ours) or ' ' (OpenTelemetry's); values hold neither.
template <typename Fn>
void for_each_tag_pair(std::string_view tag, Fn&& fn) {
  if (tag.size() < 2) return;
  std::string_view body = tag.substr(1, tag.size() - 2);
  const char separator =
      body.find(format::kPairSeparator) != std::string_view::npos ? format::kPairSeparator : ' ';
  while (!body.empty()) {
    const auto bar = body.find(separator);
    const std::string_view pair = body.substr(0, bar);
    const auto eq = pair.find(format::kKeyValueSeparator);
    fn(pair.substr(0, eq), pair.substr(eq + 1));
    if (bar == std::string_view::npos) break;
    body.remove_prefix(bar + 1);
  }
}

/// Strips one trailing "\n" and then one "\r".
inline std::string_view chomp(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace tracegrep
