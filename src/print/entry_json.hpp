// print/: the one writer of an entry as JSON. The scan's --json, the index's
// and every timeline's entries are written here, so they cannot drift.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "parse/header.hpp"
#include "tracegrep/format.hpp"

namespace tracegrep {

/// What --json shows of an entry (views valid during the call).
struct EntryFields {
  bool has_ts = false;
  format::Timestamp ts;
  std::string_view level_text;  ///< as written; upper-cased in the output
  std::string_view req;         ///< empty: null
  std::string_view session;
  std::string_view message;  ///< the message and its continuation lines, '\n'-joined
  std::string_view file;
  std::uint64_t line = 0;
  std::string_view attrs;  ///< the "attrs" object's members (append_attrs), or empty
  bool cut = false;
};

/// Appends the members of an entry's "attrs": the pairs of a text line's
/// tag other than its ids, or the fields of a JSON or logfmt line that are
/// not its time, level, message, exception or ids (parse/header.hpp's
/// for_each_attr).
void append_attrs(std::string& out, const Header& header);

/// Appends {"ts":..,"level":..,"req":..,"session":..,"msg":..,"file":..,
/// "line":N[,"attrs":{..}][,"cut":true] without the closing brace, so that
/// a caller may add fields of its own (a timeline's offsets).
void append_entry_json(std::string& out, const EntryFields& f);

}  // namespace tracegrep
