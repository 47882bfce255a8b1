// emit/: what each thread is stamping, so that the file sink's writer never
// writes a line while an older-stamped one can still arrive.
//
// A log call publishes a lower bound of the time it is about to stamp (its
// previous line's time: a thread's clock readings do not go back) with a
// seq_cst store, a full barrier, so the clock is read after the store is
// visible; then the time it read; then "idle" once the sink holds the line.
// A writer reads its own clock N, then every thread's state: an idle thread
// will stamp its next line at N or later, any other has nothing older than
// its state still on its way. So the writer may write every line up to the
// least of these and never see an older one after. Measured cost per call:
// bench/RESULTS.md ("strict time order").
//
// Every sink's writer waits for every thread (a Logger's sink may wrap the
// file sink, so the line's destination is not known here), but not for a
// thread whose stamped line is older than kStuckNs: that one is blocked in
// some other sink (a full stderr pipe) and must not hold a file's lines
// back. A thread that has published only its lower bound is always waited
// for: it is between two instructions, or preempted there.
//
// Every thread that ever logs has a slot in one list that is never freed
// (slots of ended threads are reused), so a writer reads it without a lock.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>

namespace tracegrep::detail {

constexpr std::int64_t kStampIdle = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kStuckNs = 250'000'000;

/// A state: a time (ns since the epoch, until 2116) and whether it is only
/// the lower bound published before the clock is read (low bit set).
inline std::int64_t stamp_state(std::int64_t unix_ns, bool before_clock) {
  return std::max<std::int64_t>(unix_ns, 0) << 1 | (before_clock ? 1 : 0);
}

/// One thread's slot.
struct StampSlot {
  std::atomic<std::int64_t> stamping{kStampIdle};
  std::atomic<bool> in_use{true};
  StampSlot* next = nullptr;  // set before the slot is published, then fixed
  std::int64_t last = 0;      // the thread's last stamp (its own)
  int depth = 0;              // nested log calls (a handler logging): the outermost one publishes
};

/// This thread's slot (taken on first use; a plain thread_local pointer after).
StampSlot& thread_stamp();

/// The least time a line on its way can carry, seen after reading `now`
/// and a fence: `now` if none is. Skips `self` (a flushing thread).
std::int64_t stamps_in_flight(std::int64_t now, const StampSlot* self);

/// Brackets one log call: construct before reading the clock, stamped()
/// with the time read, destroyed once the sink has the line.
class Stamping {
 public:
  Stamping() : s_(thread_stamp()) {
    if (s_.depth++ == 0) s_.stamping.store(stamp_state(s_.last, true), std::memory_order_seq_cst);
  }
  void stamped(std::int64_t unix_ns) {
    if (s_.depth != 1) return;
    s_.last = unix_ns;
    s_.stamping.store(stamp_state(unix_ns, false), std::memory_order_release);
  }
  ~Stamping() {
    if (--s_.depth == 0) s_.stamping.store(kStampIdle, std::memory_order_release);
  }
  Stamping(const Stamping&) = delete;
  Stamping& operator=(const Stamping&) = delete;

 private:
  StampSlot& s_;
};

}  // namespace tracegrep::detail
