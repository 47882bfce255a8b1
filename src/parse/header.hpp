// parse/: the first line of an entry -> its fields (timestamp, level, tag,
// message). Bad lines are data: parse_header never throws, it only says
// whether the line begins an entry.
#pragma once

#include <string_view>

#include "tracegrep/format.hpp"

namespace tracegrep {

/// The fields of an entry's first line. Views point into the parsed line.
struct Header {
  bool has_ts = false;
  format::Timestamp ts;
  format::Level level = format::Level::kNone;
  std::string_view level_text;  ///< as written, without brackets; empty if none
  bool has_tag = false;
  std::string_view tag;      ///< the whole tag, brackets included; empty if none
  std::string_view req;      ///< empty when absent or "none"
  std::string_view session;  ///< empty when absent or "none"
  std::string_view message;  ///< the rest of the line, without "\r\n"
};

/// Parses `line` (with or without its '\n'). Returns false, leaving `out`
/// describing a timestamp-less line whose message is the whole line, when the
/// line does not begin an entry (format::starts_entry).
bool parse_header(std::string_view line, Header& out);

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
