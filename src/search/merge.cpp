#include "search/merge.hpp"

#include <algorithm>

#include "parse/header.hpp"

namespace tracegrep {

struct Merge::Lane {
  InputName name;
  bool bounded = false;
  bool closed = false;
  bool waiting = false;          // its producer waits for room
  std::condition_variable room;  // its producer waits here
  std::deque<Held> queue;
  std::size_t bytes = 0;
  std::optional<format::Timestamp> last;  // the time of its last timed entry
  std::unique_ptr<Feed> feed;
};

// What a producer writes to: each entry is copied into its lane.
class Merge::Feed final : public EntrySink {
 public:
  Feed(Merge& merge, std::size_t lane) : merge_(merge), lane_(lane) {}
  Flow entry(const Entry& e) override { return merge_.push(lane_, &e, {}); }
  Flow late_lines(std::string_view lines) override { return merge_.push(lane_, nullptr, lines); }

 private:
  Merge& merge_;
  std::size_t lane_;
};

Merge::Merge(EntrySink& sink, std::size_t max_entry, std::size_t budget)
    : sink_(sink), max_entry_(max_entry), budget_(budget) {}

Merge::~Merge() = default;

EntrySink& Merge::lane(InputName name, bool bounded) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto l = std::make_unique<Lane>();
  l->name = std::move(name);
  l->bounded = bounded;
  l->feed = std::make_unique<Feed>(*this, lanes_.size());
  lanes_.push_back(std::move(l));
  ++unready_;  // open and empty
  return *lanes_.back()->feed;
}

std::size_t Merge::lanes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return lanes_.size();
}

std::size_t Merge::held() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return held_;
}

// The lane's head can be placed: it has a time, or none will come (the
// input ended, or its lane is full of entries without a time: they go
// first, as the head of a file without times does).
bool Merge::ready(const Lane& l) const {
  return l.closed || (!l.queue.empty() && (l.queue.front().key || l.waiting));
}

// Called with the lock held.
template <typename Change>
void Merge::update(std::size_t i, Change change) {
  Lane& l = *lanes_[i];
  const bool was_ready = ready(l);
  const std::optional<HeadKey> was_head =
      l.queue.empty() ? std::nullopt : std::optional<HeadKey>(HeadKey{l.queue.front().key, i});
  change(l);
  const bool is_ready = ready(l);
  unready_ = unready_ + (was_ready ? 1 : 0) - (is_ready ? 1 : 0);
  const std::optional<HeadKey> head =
      l.queue.empty() ? std::nullopt : std::optional<HeadKey>(HeadKey{l.queue.front().key, i});
  if (was_head != head) {
    if (was_head) heads_.erase(*was_head);
    if (head) heads_.insert(*head);
  }
  if (merge_waiting_ && unready_ == 0) merge_wakes_.notify_one();
}

void Merge::close(std::size_t i) {
  std::lock_guard<std::mutex> lock(mutex_);
  update(i, [](Lane& l) { l.closed = true; });
}

void Merge::cancel() {
  std::lock_guard<std::mutex> lock(mutex_);
  cancelled_ = true;
  for (const auto& l : lanes_) l->room.notify_all();
  merge_wakes_.notify_one();
}

Flow Merge::push(std::size_t i, const Entry* e, std::string_view late) {
  std::unique_lock<std::mutex> lock(mutex_);
  Lane& l = *lanes_[i];
  const std::size_t size = e ? e->text.size() : late.size();
  if (l.bounded) {
    // Its share of the budget; a lane always takes one entry. A full lane
    // waits until the merge has taken half of it, so producers wake once
    // per many entries, not for each.
    if (!cancelled_ && !l.queue.empty() && l.bytes + size > share()) {
      update(i, [](Lane& lane) { lane.waiting = true; });  // may make its untimed head ready
      l.room.wait(lock, [&] { return cancelled_ || l.queue.empty() || l.bytes <= share() / 2; });
      update(i, [](Lane& lane) { lane.waiting = false; });
    }
  } else if (held_ + size > budget_) {
    over_budget_ = true;
    return Flow::kStop;
  }
  if (cancelled_) return Flow::kStop;
  Held h;
  if (e) {
    h.text.assign(e->text);
    h.line = e->line;
    h.cut = e->cut;
    if (e->header->has_ts) h.key = e->header->ts;
  } else {
    h.text.assign(late);
    h.late = true;
  }
  update(i, [&](Lane& lane) {
    if (h.key) {
      // Untimed entries at the head of the input take this, the first time.
      if (!lane.last)
        for (Held& before : lane.queue)
          if (!before.key) before.key = h.key;
      lane.last = h.key;
    } else {
      h.key = lane.last;
    }
    lane.bytes += size;
    lane.queue.push_back(std::move(h));
  });
  held_ += size;
  return Flow::kContinue;
}

std::size_t Merge::share() const {
  return std::max<std::size_t>(budget_ / std::max<std::size_t>(lanes_.size(), 1), 1);
}

Flow Merge::run() {
  const Lane* current = nullptr;
  Header header;
  // Taken a batch at a time under the lock (as long as every lane stays
  // ready; at most kBatch entries, kBatchBytes beyond the first), written
  // outside it.
  constexpr std::size_t kBatch = 64;
  constexpr std::size_t kBatchBytes = std::size_t{1} << 20;
  std::vector<std::pair<Held, const Lane*>> batch;
  for (;;) {
    batch.clear();
    std::size_t batch_bytes = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      // Every lane has its next entry (or is done): the earliest is known.
      merge_waiting_ = true;
      merge_wakes_.wait(lock, [&] { return cancelled_ || unready_ == 0; });
      merge_waiting_ = false;
      if (cancelled_) return Flow::kStop;
      while (unready_ == 0 && !heads_.empty() && batch.size() < kBatch && batch_bytes < kBatchBytes) {
        const std::size_t i = heads_.begin()->second;
        Held h;
        update(i, [&](Lane& l) {
          h = std::move(l.queue.front());
          l.queue.pop_front();
          l.bytes -= h.text.size();
          if (l.waiting && (l.queue.empty() || l.bytes <= share() / 2)) l.room.notify_one();
        });
        held_ -= h.text.size();
        batch_bytes += h.text.size();
        batch.emplace_back(std::move(h), lanes_[i].get());
      }
    }
    if (batch.empty()) break;  // every lane closed and empty
    for (auto& [h, from] : batch) {
      if (from != current) {
        if (current) sink_.end_input();
        sink_.begin_input(from->name);
        current = from;
      }
      Flow flow;
      if (h.late) {
        flow = sink_.late_lines(h.text);
      } else {
        const std::string_view text(h.text);
        const auto nl = text.find('\n');
        const std::size_t first = nl == std::string_view::npos ? text.size() : nl + 1;
        parse_header(text.substr(0, std::min(first, max_entry_)), header);
        flow = sink_.entry(Entry{&header, text, h.cut, h.line});
      }
      if (flow == Flow::kStop) {
        cancel();
        if (current) sink_.end_input();
        return Flow::kStop;
      }
    }
  }
  if (current) sink_.end_input();
  return Flow::kContinue;
}

void MergeInputs::begin_input(const InputName& name) {
  end_input();
  index_ = merge_.lanes();
  lane_ = &merge_.lane(name, false);
}

void MergeInputs::end_input() {
  if (!lane_) return;
  merge_.close(index_);
  lane_ = nullptr;
}

}  // namespace tracegrep
