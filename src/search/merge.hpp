// search/: --merge. Entries of several inputs interleaved by time into one
// sink, each input's own order kept (a clock that goes back in one file does
// not reorder it): a k-way merge over one lane per input. A lane whose
// producer runs on a thread of its own is bounded (its producer waits while
// it holds more than its share of the budget), so files of any size merge
// in bounded memory; a lane filled before the merge runs (the index, whose
// entries come file after file) counts against the whole budget instead.
// Entries are compared by their time as written (as timeline does); one
// without a time takes the time of the entry before it in its input, or at
// the head of an input, of the one after it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "parse/entry.hpp"
#include "tracegrep/format.hpp"

namespace tracegrep {

class Merge {
 public:
  /// Merges into `sink`, which hears begin_input/end_input when the input of
  /// the next entry is another one. `budget`: bytes held in all, at most.
  Merge(EntrySink& sink, std::size_t max_entry, std::size_t budget);
  ~Merge();
  Merge(const Merge&) = delete;
  Merge& operator=(const Merge&) = delete;

  /// A new lane and the sink its producer writes to (valid as long as the
  /// Merge). `bounded`: the producer runs on another thread than run(), and
  /// waits while its lane is full; else the lane may hold the whole budget
  /// and its sink stops (see over_budget()) beyond it.
  EntrySink& lane(InputName name, bool bounded);
  /// The producer of lane `i` has finished.
  void close(std::size_t i);
  /// The lanes' entries, in time order, until every lane is closed and
  /// empty (or the sink stops, or cancel()). Call it on one thread.
  Flow run();
  /// Producers stop at their next entry, and run() returns.
  void cancel();
  bool over_budget() const { return over_budget_; }
  /// Bytes held now, in every lane.
  std::size_t held() const;
  std::size_t lanes() const;

 private:
  struct Held {
    std::string text;  // or late continuation lines
    std::uint64_t line = 0;
    bool cut = false;
    bool late = false;
    std::optional<format::Timestamp> key;  // unset: an untimed entry before the lane's first time
  };
  struct Lane;
  class Feed;
  // A lane's head, as the merge orders them: no time first, then by time,
  // ties to the lane named first.
  using HeadKey = std::pair<std::optional<format::Timestamp>, std::size_t>;
  Flow push(std::size_t lane, const Entry* e, std::string_view late);
  bool ready(const Lane& l) const;
  std::size_t share() const;  // of the budget, per bounded lane
  // Runs `change` on lane `i` under the lock, keeping unready_ and heads_
  // true to it, and wakes the merge when it may go on.
  template <typename Change>
  void update(std::size_t i, Change change);

  EntrySink& sink_;
  std::size_t max_entry_;
  std::size_t budget_;
  mutable std::mutex mutex_;
  std::condition_variable merge_wakes_;  // run() waits here for a lane to be ready
  bool merge_waiting_ = false;
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::set<HeadKey> heads_;  // the head of every lane holding entries
  std::size_t unready_ = 0;  // lanes whose head cannot be placed yet
  std::size_t held_ = 0;     // bytes in every lane
  bool cancelled_ = false;
  bool over_budget_ = false;
};

/// Fills a Merge from a source that announces its own inputs (the index):
/// a lane for each input it begins, filled before the merge runs.
class MergeInputs final : public EntrySink {
 public:
  explicit MergeInputs(Merge& merge) : merge_(merge) {}
  void begin_input(const InputName& name) override;
  Flow entry(const Entry& e) override { return lane_ ? lane_->entry(e) : Flow::kContinue; }
  Flow late_lines(std::string_view lines) override {
    return lane_ ? lane_->late_lines(lines) : Flow::kContinue;
  }
  void end_input() override;

 private:
  Merge& merge_;
  EntrySink* lane_ = nullptr;
  std::size_t index_ = 0;
};

}  // namespace tracegrep
