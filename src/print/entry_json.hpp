// print/: the one writer of an entry as JSON. The scan's --json, the index's
// and every timeline's entries are written here, so they cannot drift.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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
  std::string_view tag;  ///< the whole tag: its other pairs are "attrs"
  bool cut = false;
};

/// Appends {"ts":..,"level":..,"req":..,"session":..,"msg":..,"file":..,
/// "line":N[,"attrs":{..}][,"cut":true] without the closing brace, so that
/// a caller may add fields of its own (a timeline's offsets).
void append_entry_json(std::string& out, const EntryFields& f);

}  // namespace tracegrep
