// search/: -A/-B/-C, context in entries. With context the assembler passes
// every entry on (nothing is skipped unparsed) and this stage asks the real
// filter, keeping up to `before` entries that did not match and letting
// `after` more through after each match; entries shown for context carry
// Entry::context, and the first of each group Entry::group_start (the
// printer writes grep's "--" between groups). --max-count is counted here,
// on matches only, and the context after the last match is still shown.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "parse/entry.hpp"
#include "parse/entry_filter.hpp"

namespace tracegrep {

struct ContextLines {
  std::uint64_t before = 0;
  std::uint64_t after = 0;
  bool on = false;  ///< -A, -B or -C was given (even 0: grep then still writes "--" between groups)
  bool any() const { return on; }
};

/// A filter that takes every entry and skips no line (the assembler's
/// filter under ContextSink).
const EntryFilter& accept_all_filter();

class ContextSink final : public EntrySink {
 public:
  ContextSink(const EntryFilter& filter, ContextLines context, std::uint64_t max_count, EntrySink& next)
      : filter_(filter), context_(context), max_count_(max_count), next_(next) {}
  void begin_input(const InputName& name) override;
  Flow entry(const Entry& e) override;
  /// Late continuation lines reach the printer when their entry was shown.
  Flow late_lines(std::string_view lines) override {
    return last_shown_ == index_ ? next_.late_lines(lines) : Flow::kContinue;
  }
  void end_input() override { next_.end_input(); }
  void idle() override { next_.idle(); }

 private:
  struct Kept {
    std::string text;
    bool cut = false;
    std::uint64_t line = 0;
    std::uint64_t index = 0;
  };
  static constexpr std::uint64_t kNone = ~std::uint64_t{0};

  bool matches(const Entry& e);
  Flow show(const Entry& e, std::uint64_t index, bool context);

  const EntryFilter& filter_;
  const ContextLines context_;
  const std::uint64_t max_count_;
  EntrySink& next_;

  std::deque<Kept> kept_;    // the last entries before a match, up to context_.before
  std::deque<Kept> spare_;   // their strings, reused
  std::uint64_t index_ = 0;  // entries seen in this input (1-based)
  std::uint64_t last_shown_ = kNone;
  std::uint64_t after_left_ = 0;
  std::uint64_t matches_ = 0;
  bool done_ = false;  // --max-count reached: only the context after is shown
  std::string message_;
};

}  // namespace tracegrep
