// Turns a ByteStream into runs of whole lines for the assembler, in a buffer
// of bounded size: a line longer than the entry limit is cut there and the
// rest of it dropped, so memory stays bounded whatever the input. `sink` is
// only told when the input goes idle.
#pragma once

#include <chrono>
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

/// What one step() of a live stream came to.
struct FeedStep {
  bool done = false;  ///< the stream ended, failed or the sink stopped: see outcome
  FeedOutcome outcome;
  int due_in_ms = -1;  ///< not done: step again within this long, even unasked (< 0: when marked)
};

class LineFeeder {
 public:
  LineFeeder(LineSink& lines, EntrySink& sink, std::size_t max_entry);
  /// Reads the stream to its end (a live one waiting as it needs).
  FeedOutcome run(ByteStream& stream);

  /// For an event loop: start(), then step() whenever the stream (joined
  /// to the loop's WakeGroup) is marked or its due time comes. A step reads
  /// what is there without waiting, at most kStepReads reads (then it is
  /// due again at once: the loop's other streams get their turn), and
  /// completes the open entry after kIdleFlushMs without input, as run().
  void start();
  FeedStep step(ByteStream& stream);
  static constexpr int kStepReads = 16;

 private:
  Flow process();
  void drop(std::size_t n);
  // After a read that was not data nor idle: the last line is given, and
  // true returned when the stream goes on (a restart); else `out` is set.
  bool at_end(ReadStatus s, ByteStream& stream, FeedOutcome& out);

  LineSink& lines_;
  EntrySink& sink_;
  std::size_t max_entry_;
  std::size_t cap_;
  std::unique_ptr<char[]> buf_;
  std::size_t len_ = 0;
  bool skipping_ = false;  // dropping the rest of a cut line
  // step(): when the stream last went quiet, and whether the open entry
  // was completed since.
  std::chrono::steady_clock::time_point quiet_since_{};
  bool quiet_ = false;
  bool flushed_ = false;
};

}  // namespace tracegrep
