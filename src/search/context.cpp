#include "search/context.hpp"

namespace tracegrep {
namespace {

class AcceptAll final : public EntryFilter {
 public:
  bool accepts_header(const Header&) const override { return true; }
  bool wants_message() const override { return false; }
  bool accepts_message(std::string_view) const override { return true; }
  const LineSkipper* skipper() const override { return nullptr; }
};

}  // namespace

const EntryFilter& accept_all_filter() {
  static const AcceptAll filter;
  return filter;
}

void ContextSink::begin_input(const InputName& name) {
  while (!kept_.empty()) {
    spare_.push_back(std::move(kept_.front()));
    kept_.pop_front();
  }
  index_ = 0;
  last_shown_ = kNone;
  after_left_ = 0;
  matches_ = 0;
  done_ = false;
  next_.begin_input(name);
}

bool ContextSink::matches(const Entry& e) {
  if (!filter_.accepts_header(*e.header)) return false;
  if (!filter_.wants_message()) return true;
  build_message(*e.header, e.text, message_);
  return filter_.accepts_message(message_);
}

Flow ContextSink::show(const Entry& e, std::uint64_t index, bool context) {
  Entry shown = e;
  shown.context = context;
  shown.group_start = last_shown_ == kNone || index != last_shown_ + 1;
  last_shown_ = index;
  return next_.entry(shown);
}

Flow ContextSink::entry(const Entry& e) {
  ++index_;
  if (!done_ && matches(e)) {
    Header header;
    for (Kept& k : kept_) {
      // The kept copy's header is read again: the views of the one it was
      // given with pointed into bytes that are gone.
      const auto nl = k.text.find('\n');
      parse_header(std::string_view(k.text).substr(0, nl == std::string::npos ? k.text.size() : nl + 1),
                   header);
      if (show(Entry{&header, k.text, k.cut, k.line}, k.index, true) == Flow::kStop) return Flow::kStop;
    }
    while (!kept_.empty()) {
      spare_.push_back(std::move(kept_.front()));
      kept_.pop_front();
    }
    if (show(e, index_, false) == Flow::kStop) return Flow::kStop;
    after_left_ = context_.after;
    if (max_count_ > 0 && ++matches_ >= max_count_) done_ = true;
    return done_ && after_left_ == 0 ? Flow::kStop : Flow::kContinue;
  }
  if (after_left_ > 0) {
    --after_left_;
    const Flow flow = show(e, index_, true);
    return flow == Flow::kStop || (done_ && after_left_ == 0) ? Flow::kStop : Flow::kContinue;
  }
  if (done_) return Flow::kStop;
  if (context_.before == 0) return Flow::kContinue;
  if (kept_.size() == context_.before) {
    spare_.push_back(std::move(kept_.front()));
    kept_.pop_front();
  }
  if (spare_.empty()) spare_.emplace_back();
  Kept k = std::move(spare_.back());
  spare_.pop_back();
  k.text.assign(e.text);
  k.cut = e.cut;
  k.line = e.line;
  k.index = index_;
  kept_.push_back(std::move(k));
  return Flow::kContinue;
}

}  // namespace tracegrep
