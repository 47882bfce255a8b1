// Turns a ByteStream into runs of whole lines for the assembler, in a buffer
// of bounded size: a line longer than the entry limit is cut there and the
// rest of it dropped, so memory stays bounded whatever the input. `sink` is
// only told when the input goes idle.
#pragma once

#include <memory>
#include <string>

#include "parse/line_sink.hpp"
#include "report/error.hpp"
#include "source/stream.hpp"

namespace tracegrep {

/// Live inputs: an entry is complete when the next begins or after this long
/// without input.
inline constexpr int kIdleFlushMs = 200;

struct FeedOutcome {
  Flow flow = Flow::kContinue;
  Error error;  ///< set when the stream failed
};

class LineFeeder {
 public:
  LineFeeder(LineSink& lines, EntrySink& sink, std::size_t max_entry);
  FeedOutcome run(ByteStream& stream);

 private:
  Flow process();
  void drop(std::size_t n);

  LineSink& lines_;
  EntrySink& sink_;
  std::size_t max_entry_;
  std::size_t cap_;
  std::unique_ptr<char[]> buf_;
  std::size_t len_ = 0;
  bool skipping_ = false;  // dropping the rest of a cut line
};

}  // namespace tracegrep
