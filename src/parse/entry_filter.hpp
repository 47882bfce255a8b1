// parse/: what the assembler asks of a filter. The filters themselves (ids,
// level, time, RE2 patterns, the literal search) live in match/; parse/
// knows only this interface, so it builds and is tested without them.
#pragma once

#include <string_view>

#include "parse/header.hpp"

namespace tracegrep {

/// Finds where a wanted first line may be: lines without what it looks for
/// are skipped unparsed.
class LineSkipper {
 public:
  virtual ~LineSkipper() = default;
  /// The first byte in [begin, end) of something every wanted first line
  /// contains, or nullptr when there is none.
  virtual const char* find(const char* begin, const char* end) const = 0;
};

class EntryFilter {
 public:
  virtual ~EntryFilter() = default;
  /// Checks what an entry's first line decides. `header.has_ts` is false for
  /// the timestamp-less lines at the start of an input.
  virtual bool accepts_header(const Header& header) const = 0;
  /// True when accepts_message must see the whole message.
  virtual bool wants_message() const = 0;
  virtual bool accepts_message(std::string_view message) const = 0;
  /// Non-null when lines without its literal can be skipped unparsed.
  virtual const LineSkipper* skipper() const = 0;
};

/// Number of '\n' bytes in [begin, end) (AVX2 where there is AVX2).
std::size_t count_newlines(const char* begin, const char* end);

}  // namespace tracegrep
