#include "parse/assembler.hpp"

#include <algorithm>
#include <cstring>

namespace tracegrep {
namespace {

const char* line_end(const char* p, const char* end) {
  const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
  return nl ? static_cast<const char*>(nl) + 1 : end;
}

const char* line_start(const char* floor, const char* p) {
  const void* nl = memrchr(floor, '\n', static_cast<std::size_t>(p - floor));
  return nl ? static_cast<const char*>(nl) + 1 : floor;
}

bool ends_line(const char* begin, const char* end) { return end > begin && end[-1] == '\n'; }

}  // namespace

Assembler::Assembler(const EntryFilter& filter, EntrySink& sink, std::size_t max_entry, LineNumbers numbers)
    : filter_(filter), sink_(&sink), max_entry_(max_entry), numbers_(numbers) {}

void Assembler::reset(std::uint64_t first_line) {
  state_ = State::kSkip;
  at_input_start_ = true;
  boundary_.reset();
  line_is_cut_ = false;
  line_no_ = first_line;
  spilled_ = false;
  spill_.clear();
  spill_.shrink_to_fit();
}

void Assembler::count_lines(const char* begin, const char* end) {
  if (numbers_ == LineNumbers::kCount) line_no_ += count_newlines(begin, end);
}

Flow Assembler::feed(std::string_view lines) {
  const char* p = lines.data();
  const char* const end = p + lines.size();
  Flow flow = Flow::kContinue;
  // With a literal only its lines can start an accepted entry, and the
  // timestamp-less lines at the start can never be accepted.
  const LineSkipper* finder = filter_.skipper();
  if (finder) at_input_start_ = false;
  while (p < end) {
    if (state_ != State::kSkip) {
      p = consume_continuation(p, end, flow);
      if (flow == Flow::kStop) return flow;
      if (p == end) break;  // the entry may go on in the next chunk
      if (state_ == State::kCollect && complete() == Flow::kStop) return Flow::kStop;
      state_ = State::kSkip;
    }
    const char* line = p;
    if (finder) {
      const char* hit = finder->find(p, end);
      if (!hit) {
        count_lines(p, end);
        p = end;
        break;
      }
      line = line_start(p, hit);
      count_lines(p, line);
    }
    p = process_line(line, end, flow);
    if (flow == Flow::kStop) return flow;
  }
  if (state_ == State::kCollect && !spilled_) {
    spill_.assign(entry_begin_, entry_size_);
    spilled_ = true;
  }
  return flow;
}

Flow Assembler::feed_cut_line(std::string_view head) {
  line_is_cut_ = true;
  const Flow flow = feed(head);
  line_is_cut_ = false;
  ++line_no_;  // the dropped rest held the '\n'
  return flow;
}

// Looks at one line in the skip state; opens an entry if the filter takes its
// first line. Returns the position after the line.
const char* Assembler::process_line(const char* line, const char* end, Flow& /*flow*/) {
  const char* le = line_end(line, end);
  const std::size_t parse_len = std::min<std::size_t>(static_cast<std::size_t>(le - line), max_entry_);
  const std::string_view text(line, parse_len);
  // A timed line begins an entry; so does an untimed one that does not look
  // like a continuation, and whatever stands first in an input. With a
  // literal to skip to, only timed lines can be wanted (an untimed entry has
  // no ids), and the lines between are not looked at.
  const bool timed = parse_header(text, header_);
  bool begins = timed;
  if (timed) {
    boundary_.reset();  // what begins() would decide, without parsing the time again
    if (header_.open_quote) boundary_.open_quote();
  } else if (!filter_.skipper())
    begins = boundary_.begins(text) || at_input_start_;
  at_input_start_ = false;
  if (begins && filter_.accepts_header(header_)) {
    state_ = State::kCollect;
    entry_begin_ = line;
    entry_size_ = 0;
    spilled_ = false;
    cut_ = false;
    entry_line_ = line_no_;
    append(line, le);
  }
  if (ends_line(line, le)) ++line_no_;
  return le;
}

// Walks the lines after an open entry's first line until one begins a new
// entry; returns where that line starts (or `end`).
const char* Assembler::consume_continuation(const char* p, const char* end, Flow& flow) {
  while (p < end) {
    const char* le = line_end(p, end);
    if (boundary_.begins(std::string_view(p, static_cast<std::size_t>(le - p)))) return p;
    if (state_ == State::kCollect) {
      append(p, le);
    } else if (sink_->late_lines(std::string_view(p, static_cast<std::size_t>(le - p))) == Flow::kStop) {
      flow = Flow::kStop;
      return p;
    }
    if (ends_line(p, le)) ++line_no_;
    p = le;
  }
  return p;
}

void Assembler::append(const char* begin, const char* end) {
  if (line_is_cut_) cut_ = true;
  const auto len = static_cast<std::size_t>(end - begin);
  const std::size_t room = max_entry_ - entry_size_;
  const std::size_t take = std::min(len, room);
  if (take < len) cut_ = true;
  if (spilled_) {
    spill_.append(begin, take);
  }
  entry_size_ += take;
}

Flow Assembler::complete() {
  const std::string_view text =
      spilled_ ? std::string_view(spill_) : std::string_view(entry_begin_, entry_size_);
  if (spilled_) {
    // The header's views pointed into a chunk that is gone: parse the copy.
    const auto nl = text.find('\n');
    parse_header(text.substr(0, nl == std::string_view::npos ? text.size() : nl + 1), header_);
  }
  bool accepted = true;
  if (filter_.wants_message()) {
    build_message(header_, text, message_);
    accepted = filter_.accepts_message(message_);
  }
  Flow flow = Flow::kContinue;
  if (accepted) flow = sink_->entry(Entry{&header_, text, cut_, entry_line_});
  spilled_ = false;
  if (spill_.capacity() > 2 * kMinMaxEntry) {
    spill_.clear();
    spill_.shrink_to_fit();  // one huge entry must not pin its memory for the whole run
  }
  state_ = accepted ? State::kLate : State::kSkip;
  return flow;
}

Flow Assembler::flush() {
  if (state_ != State::kCollect) return Flow::kContinue;
  return complete();
}

}  // namespace tracegrep
