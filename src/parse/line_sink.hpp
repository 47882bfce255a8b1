// What the readers of source/ feed: runs of whole lines. The assembler (scan)
// and the index's chunker (ingest) both consume lines this way.
#pragma once

#include <string_view>

#include "parse/entry.hpp"

namespace tracegrep {

class LineSink {
 public:
  virtual ~LineSink() = default;
  /// Whole lines, each ending with '\n'.
  virtual Flow feed(std::string_view lines) = 0;
  /// The first bytes of a line longer than the entry limit; the reader
  /// drops the rest of it, '\n' included.
  virtual Flow feed_cut_line(std::string_view head) = 0;
  /// Bytes of a cut line's rest that the reader dropped ('\n' included).
  virtual void dropped(std::size_t /*bytes*/) {}
  /// The bytes after the last '\n' when an input ends (or a followed file
  /// restarts): a last line without its '\n'.
  virtual Flow feed_last_line(std::string_view partial) { return feed(partial); }
  /// The input ended or went idle: complete what is open.
  virtual Flow flush() = 0;
  /// A new input (or a followed file restarted) begins.
  virtual void reset() = 0;
};

}  // namespace tracegrep
