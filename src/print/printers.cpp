#include "print/printers.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

#include <cstring>

#include "print/colors.hpp"
#include "print/entry_json.hpp"
#include "print/escape.hpp"

namespace tracegrep {
namespace {

constexpr std::string_view kReset = "\x1b[0m";
constexpr std::string_view kFileColor = "\x1b[35m";
constexpr std::string_view kLineColor = "\x1b[32m";
constexpr std::string_view kSepColor = "\x1b[36m";
constexpr std::string_view kRequestColor = "\x1b[1;36m";
constexpr std::string_view kSessionColor = "\x1b[1;34m";
constexpr std::string_view kMarkerColor = "\x1b[7m";

// Offset of `part` inside `whole`, when it is a view into it.
bool offset_in(std::string_view whole, std::string_view part, std::size_t& at) {
  if (part.empty() || part.data() < whole.data() || part.data() + part.size() > whole.data() + whole.size()) {
    return false;
  }
  at = static_cast<std::size_t>(part.data() - whole.data());
  return true;
}

}  // namespace

std::string cut_marker(std::size_t limit) {
  return fmt::format("[tracegrep: entry cut at {} bytes; see --max-entry-size]", limit);
}

void TextPrinter::prefix(std::uint64_t line, char separator) {
  const bool color = style_.color == Color::kOn;
  scratch_.clear();
  if (style_.with_filename) {
    if (color) scratch_ += kFileColor;
    if (style_.safety == Safety::kTerminal)
      append_terminal_safe(scratch_, name_);
    else
      scratch_ += name_;
    if (color) scratch_ += kReset, scratch_ += kSepColor;
    scratch_ += separator;
    if (color) scratch_ += kReset;
  }
  if (style_.line_numbers && line > 0) {
    if (color) scratch_ += kLineColor;
    scratch_ += fmt::format_int(line).str();
    if (color) scratch_ += kReset, scratch_ += kSepColor;
    scratch_ += separator;
    if (color) scratch_ += kReset;
  }
  out_.write(scratch_);
}

void TextPrinter::content(std::string_view bytes) {
  if (style_.safety == Safety::kRaw) {
    out_.write(bytes);
    return;
  }
  scratch_.clear();
  append_terminal_safe(scratch_, bytes);
  out_.write(scratch_);
}

// The first line, with the level and the ids highlighted when in colour.
void TextPrinter::first_line(const Entry& e, std::string_view line) {
  if (style_.color == Color::kOff) {
    content(line);
    return;
  }
  struct Span {
    std::size_t at = 0;
    std::size_t len = 0;
    std::string_view color;
  };
  Span spans[3];
  int count = 0;
  const Header& h = *e.header;
  std::size_t at = 0;
  if (offset_in(line, h.level_text, at)) spans[count++] = {at, h.level_text.size(), colors::level(h.level)};
  if (offset_in(line, h.req, at)) spans[count++] = {at, h.req.size(), kRequestColor};
  if (offset_in(line, h.session, at)) spans[count++] = {at, h.session.size(), kSessionColor};
  std::size_t pos = 0;
  for (int i = 0; i < count; ++i) {
    if (spans[i].at < pos) continue;
    content(line.substr(pos, spans[i].at - pos));
    out_.write(spans[i].color);
    content(line.substr(spans[i].at, spans[i].len));
    out_.write(kReset);
    pos = spans[i].at + spans[i].len;
  }
  content(line.substr(pos));
}

Flow TextPrinter::entry(const Entry& e) {
  // Binary content (a NUL byte) is not dumped into a terminal or a pipe:
  // it is counted and named once, as ripgrep and grep do (-a prints it).
  if (!style_.binary_as_text && std::memchr(e.text.data(), '\0', e.text.size()) != nullptr) {
    if (e.context) return Flow::kContinue;  // not a match: not worth a word
    if (binary_++ == 0) binary_line_ = e.line;
    return Flow::kContinue;
  }
  const bool plain = !style_.with_filename && !style_.line_numbers && style_.color == Color::kOff &&
                     style_.safety == Safety::kRaw;
  if (e.group_start && printed_) {  // -A/-B/-C: grep's line between groups
    if (style_.color == Color::kOn) out_.write(kSepColor);
    out_.write("--");
    if (style_.color == Color::kOn) out_.write(kReset);
    out_.put('\n');
  }
  printed_ = true;
  if (plain) {
    out_.write(e.text);
    if (e.text.empty() || e.text.back() != '\n') out_.put('\n');
  } else {
    std::string_view rest = e.text;
    std::uint64_t line = e.line;
    bool first = true;
    while (!rest.empty()) {
      const auto nl = rest.find('\n');
      const std::string_view one = rest.substr(0, nl == std::string_view::npos ? rest.size() : nl + 1);
      prefix(line, first && !e.context ? ':' : '-');
      if (first)
        first_line(e, one);
      else
        content(one);
      if (one.back() != '\n') out_.put('\n');
      rest.remove_prefix(one.size());
      first = false;
      if (line > 0) ++line;
    }
  }
  if (e.cut) {
    if (!plain) prefix(0, '-');
    if (style_.color == Color::kOn) out_.write(kMarkerColor);
    out_.write(cut_marker(e.text.size()));
    if (style_.color == Color::kOn) out_.write(kReset);
    out_.put('\n');
  }
  return out_.closed() ? Flow::kStop : Flow::kContinue;
}

void TextPrinter::end_input() {
  if (binary_ == 0) return;
  std::string name;
  append_terminal_safe(name, name_);
  out_.write(fmt::format("{}: binary file matches ({} {} holding a NUL byte{}; -a/--text prints {})\n", name,
                         binary_, binary_ == 1 ? "entry" : "entries",
                         binary_line_ ? fmt::format(", the first at line {}", binary_line_) : std::string(),
                         binary_ == 1 ? "it" : "them"));
  out_.flush();
}

Flow TextPrinter::late_lines(std::string_view lines) {
  prefix(0, '-');
  content(lines);
  if (lines.empty() || lines.back() != '\n') out_.put('\n');
  out_.flush();
  return out_.closed() ? Flow::kStop : Flow::kContinue;
}

Flow JsonPrinter::entry(const Entry& e) {
  const Header& h = *e.header;
  build_message(h, e.text, message_);
  attrs_.clear();
  append_attrs(attrs_, h);
  line_.clear();
  append_entry_json(
      line_, {h.has_ts, h.ts, shown_level(h), h.req, h.session, message_, name_, e.line, attrs_, e.cut});
  if (e.context) line_ += ",\"context\":true";
  line_ += "}\n";
  out_.write(line_);
  return out_.closed() ? Flow::kStop : Flow::kContinue;
}

void CountPrinter::end_input() {
  if (with_filename_)
    out_.write(fmt::format("{}:{}\n", name_, count_));
  else
    out_.write(fmt::format("{}\n", count_));
}

Flow OnlyMatchingPrinter::entry(const Entry& e) {
  std::string_view rest = e.text;
  std::uint64_t line = e.line;
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    std::string_view one = rest.substr(0, nl == std::string_view::npos ? rest.size() : nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (!one.empty() && one.back() == '\r') one.remove_suffix(1);
    const re2::StringPiece text(one.data(), one.size());
    std::size_t at = 0;
    re2::StringPiece m;
    while (at <= one.size() && re_->Match(text, at, one.size(), re2::RE2::UNANCHORED, &m, 1)) {
      const auto start = static_cast<std::size_t>(m.data() - one.data());
      if (m.empty()) {  // as grep -o: an empty match prints nothing
        at = start + 1;
        continue;
      }
      line_.clear();
      if (style_.with_filename) {
        append_terminal_safe(line_, name_);
        line_ += ':';
      }
      if (style_.line_numbers && line > 0) line_ += std::to_string(line) + ':';
      const std::string_view part(m.data(), m.size());
      if (style_.safety == Safety::kTerminal)
        append_terminal_safe(line_, part);
      else
        line_ += part;
      line_ += '\n';
      out_.write(line_);
      at = start + m.size();
    }
    if (line > 0) ++line;
  }
  return out_.closed() ? Flow::kStop : Flow::kContinue;
}

Flow FilesPrinter::entry(const Entry&) {
  matched_ = true;
  if (want_ == Want::kWithMatches) list();
  return Flow::kStop;  // one match says it all: the rest of the input is not read
}

void FilesPrinter::end_input() {
  if (want_ == Want::kWithoutMatch && !matched_) list();
}

void FilesPrinter::list() {
  std::string line;
  if (safety_ == Safety::kTerminal)
    append_terminal_safe(line, name_);
  else
    line = name_;
  line += '\n';
  out_.write(line);
}

Flow Tally::entry(const Entry& e) {
  if (!e.context) {
    ++in_input_;
    ++total_;
  }
  Flow flow = next_.entry(e);
  if (max_count_ > 0 && in_input_ >= max_count_) flow = Flow::kStop;
  return out_.closed() ? Flow::kStop : flow;
}

Flow Tally::late_lines(std::string_view lines) {
  return out_.closed() ? Flow::kStop : next_.late_lines(lines);
}

}  // namespace tracegrep
