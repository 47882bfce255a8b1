// The sinks that write entries: text (the entry as in the input), JSON (one
// object per line), count (-c); and Tally, which counts what passes through
// and stops an input after --max-count entries.
#pragma once

#include <memory>

namespace re2 {
class RE2;
}

#include <cstdint>
#include <string>

#include "parse/entry.hpp"
#include "print/output.hpp"

namespace tracegrep {

enum class Color { kOff, kOn };
enum class Safety { kRaw, kTerminal };  ///< kTerminal: escape what a terminal would act on

struct TextStyle {
  bool with_filename = false;
  bool line_numbers = false;
  Color color = Color::kOff;
  Safety safety = Safety::kRaw;
  bool binary_as_text = false;  ///< -a: print entries holding NUL bytes too
};

class TextPrinter : public EntrySink {
 public:
  TextPrinter(Output& out, TextStyle style) : out_(out), style_(style) {}
  void begin_input(const InputName& name) override {
    name_ = name.display;
    binary_ = 0;
    binary_line_ = 0;
  }
  Flow entry(const Entry& e) override;
  Flow late_lines(std::string_view lines) override;
  /// Says that entries holding NUL bytes matched but were not printed.
  void end_input() override;
  void idle() override { out_.flush(); }

 private:
  void prefix(std::uint64_t line, char separator);
  void content(std::string_view bytes);
  void first_line(const Entry& e, std::string_view line);
  Output& out_;
  TextStyle style_;
  std::string name_;
  std::string scratch_;
  std::uint64_t binary_ = 0;       // entries of this input held back: they hold NUL bytes
  std::uint64_t binary_line_ = 0;  // the first one's line (0: lines not counted)
  bool printed_ = false;           // an entry was written (by this printer, any input)
};

class JsonPrinter : public EntrySink {
 public:
  explicit JsonPrinter(Output& out) : out_(out) {}
  void begin_input(const InputName& name) override { name_ = name.json; }
  Flow entry(const Entry& e) override;
  void idle() override { out_.flush(); }

 private:
  Output& out_;
  std::string name_;
  std::string line_;
  std::string message_;
  std::string attrs_;
};

class CountPrinter : public EntrySink {
 public:
  CountPrinter(Output& out, bool with_filename) : out_(out), with_filename_(with_filename) {}
  void begin_input(const InputName& name) override {
    name_ = name.display;
    count_ = 0;
  }
  Flow entry(const Entry&) override {
    ++count_;
    return out_.closed() ? Flow::kStop : Flow::kContinue;
  }
  void end_input() override;
  void idle() override { out_.flush(); }

 private:
  Output& out_;
  bool with_filename_;
  std::string name_;
  std::uint64_t count_ = 0;
};

/// -o: only what the -e patterns match in each matching entry's lines,
/// one match per line, as grep -o prints them ([FILE:][LINE:]MATCH).
class OnlyMatchingPrinter : public EntrySink {
 public:
  OnlyMatchingPrinter(Output& out, TextStyle style, std::shared_ptr<const re2::RE2> re)
      : out_(out), style_(style), re_(std::move(re)) {}
  void begin_input(const InputName& name) override { name_ = name.display; }
  Flow entry(const Entry& e) override;
  void idle() override { out_.flush(); }

 private:
  Output& out_;
  TextStyle style_;
  std::shared_ptr<const re2::RE2> re_;
  std::string name_;
  std::string line_;
};

/// --files-with-matches / --files-without-match (-L): the names of the
/// inputs with (at their first matching entry, which stops the input) or
/// without a matching entry, one per line. The exit status is grep's: 0
/// when an entry matched.
class FilesPrinter : public EntrySink {
 public:
  enum class Want { kWithMatches, kWithoutMatch };
  FilesPrinter(Output& out, Want want, Safety safety) : out_(out), want_(want), safety_(safety) {}
  void begin_input(const InputName& name) override {
    name_ = name.display;
    matched_ = false;
  }
  Flow entry(const Entry&) override;
  void end_input() override;
  void idle() override { out_.flush(); }

 private:
  void list();
  Output& out_;
  Want want_;
  Safety safety_;
  std::string name_;
  bool matched_ = false;
};

/// -q: prints nothing; the first entry ends the run (the output is stopped,
/// so every input after it is left unread).
class QuietPrinter : public EntrySink {
 public:
  explicit QuietPrinter(Output& out) : out_(out) {}
  Flow entry(const Entry&) override {
    out_.stop();
    return Flow::kStop;
  }

 private:
  Output& out_;
};

/// Counts entries on their way to `next` (not those shown for context);
/// stops each input after `max_count` (0: no limit) and everything once the
/// output is closed.
class Tally : public EntrySink {
 public:
  Tally(EntrySink& next, Output& out, std::uint64_t max_count)
      : next_(next), out_(out), max_count_(max_count) {}
  void begin_input(const InputName& name) override {
    in_input_ = 0;
    next_.begin_input(name);
  }
  Flow entry(const Entry& e) override;
  Flow late_lines(std::string_view lines) override;
  void end_input() override { next_.end_input(); }
  void idle() override { next_.idle(); }
  std::uint64_t total() const { return total_; }

 private:
  EntrySink& next_;
  Output& out_;
  std::uint64_t max_count_;
  std::uint64_t in_input_ = 0;
  std::uint64_t total_ = 0;
};

/// The marker written after an entry cut at the size limit.
std::string cut_marker(std::size_t limit);

}  // namespace tracegrep
