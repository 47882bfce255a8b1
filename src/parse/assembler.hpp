// Line -> entry assembly, the heart of a scan. The reader feeds runs of whole
// lines; the assembler groups them into entries (a line that starts with a
// timestamp begins one, others continue it), asks the filter, and pushes the
// accepted entries into a sink.
//
// When the filter has a literal, lines without it are skipped unparsed: the
// assembler jumps from one occurrence of the literal to the next and only
// walks the continuation lines of entries it has accepted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "parse/boundary.hpp"
#include "parse/entry.hpp"
#include "parse/entry_filter.hpp"
#include "parse/line_sink.hpp"

namespace tracegrep {

/// Default limit on the bytes of one entry.
inline constexpr std::size_t kDefaultMaxEntry = std::size_t{1} << 20;
/// The smallest limit accepted: a first line must fit with its tag.
inline constexpr std::size_t kMinMaxEntry = 4096;
/// The largest: the index addresses a chunk's bytes with 32 bits.
inline constexpr std::size_t kMaxMaxEntry = std::size_t{1} << 30;

enum class LineNumbers { kOff, kCount };

class Assembler final : public LineSink {
 public:
  Assembler(const EntryFilter& filter, EntrySink& sink, std::size_t max_entry, LineNumbers numbers);

  /// Starts a new input: line 1, nothing open.
  void reset() override { reset(1); }
  /// Starts a new input whose first line has number `first_line`.
  void reset(std::uint64_t first_line);

  /// Feeds whole lines. Each ends with '\n', except that the last one may
  /// lack it at the end of the input.
  Flow feed(std::string_view lines) override;

  /// Feeds the first bytes of a line longer than the limit; the reader drops
  /// the rest of it, '\n' included.
  Flow feed_cut_line(std::string_view head) override;

  /// Completes the open entry: at the end of an input, or when a live input
  /// has gone idle. Continuation lines that still come for an entry printed
  /// this way go to the sink's late_lines().
  Flow flush() override;

  /// A fresh assembler with the same filter and settings, for another part
  /// of the same input scanned in parallel.
  Assembler sibling(EntrySink& sink) const { return Assembler(filter_, sink, max_entry_, numbers_); }

  /// True when lines without the filter's literal are skipped unparsed.
  bool skips_lines() const { return filter_.skipper() != nullptr; }

  /// The number of the line that starts at the current position (counted
  /// only with LineNumbers::kCount).
  std::uint64_t line_no() const { return line_no_; }
  LineNumbers numbers() const { return numbers_; }

 private:
  enum class State { kSkip, kCollect, kLate };

  // Inlined into feed(): it runs once for every line of a full parse.
  [[gnu::always_inline]] inline const char* process_line(const char* line, const char* end, Flow& flow);
  const char* consume_continuation(const char* p, const char* end, Flow& flow);
  void append(const char* begin, const char* end);
  Flow complete();
  void count_lines(const char* begin, const char* end);

  const EntryFilter& filter_;
  EntrySink* sink_;
  const std::size_t max_entry_;
  const LineNumbers numbers_;

  State state_ = State::kSkip;
  bool at_input_start_ = true;  // no line seen yet: leading untimed lines form an entry
  EntryBoundary boundary_;      // which untimed lines begin entries
  bool line_is_cut_ = false;    // the line being fed is the head of a longer one
  std::uint64_t line_no_ = 1;   // the line that starts at the current position

  // The open entry: a view into the current chunk until the chunk ends, then
  // a copy in spill_.
  Header header_;
  const char* entry_begin_ = nullptr;
  std::size_t entry_size_ = 0;
  bool spilled_ = false;
  std::string spill_;
  bool cut_ = false;
  std::uint64_t entry_line_ = 0;
  std::string message_;  // scratch for the pattern filter
};

}  // namespace tracegrep
