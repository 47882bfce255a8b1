// An entry is a header line plus the continuation lines that follow it (a
// Python traceback). Producers (the assembler) push entries into a sink;
// printers and test recorders implement EntrySink.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "parse/header.hpp"

namespace tracegrep {

/// What a sink tells its producer after each entry.
enum class Flow { kContinue, kStop };

/// Names one input: `display` in text output and messages, `json` in --json.
struct InputName {
  std::string display;
  std::string json;
};

/// One assembled entry. Views are valid only during the sink call.
struct Entry {
  const Header* header = nullptr;
  std::string_view text;     ///< the entry's bytes as in the input, cut to the limit
  bool cut = false;          ///< the entry was longer than the limit
  std::uint64_t line = 0;    ///< 1-based line of the first line; 0 when lines are not counted
  bool context = false;      ///< -A/-B/-C: shown for context, it did not match
  bool group_start = false;  ///< -A/-B/-C: not next to the entry shown before it ("--" between)
};

class EntrySink {
 public:
  virtual ~EntrySink() = default;
  virtual void begin_input(const InputName& /*name*/) {}
  virtual Flow entry(const Entry& e) = 0;
  /// Continuation lines that arrived after their entry was printed because the
  /// input had gone idle (live pipes). Only for entries that matched.
  virtual Flow late_lines(std::string_view /*lines*/) { return Flow::kContinue; }
  virtual void end_input() {}
  /// The producer is about to wait for input: make what was written visible.
  virtual void idle() {}
};

/// The entry's message: the header's message, then a JSON or logfmt line's
/// exception text, then each continuation line (without its line end),
/// joined by '\n'.
void build_message(const Header& header, std::string_view text, std::string& out);

}  // namespace tracegrep
