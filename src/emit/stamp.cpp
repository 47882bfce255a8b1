// emit/: the list of every logging thread's stamping slot (stamp.hpp).
// Lock-free: slots are pushed at the head with a CAS and never freed; a
// thread that ends marks its slot free for the next new thread.
#include "emit/stamp.hpp"

#include <pthread.h>

#include <algorithm>

namespace tracegrep::detail {
namespace {

std::atomic<StampSlot*> g_slots{nullptr};
thread_local StampSlot* t_slot = nullptr;
thread_local bool t_slot_gone = false;

// In the child of fork() only the forking thread exists: the slots of the
// others (perhaps mid-call when it forked) are idle and free there.
void after_fork_in_child() {
  for (StampSlot* s = g_slots.load(std::memory_order_acquire); s; s = s->next) {
    if (s == t_slot) continue;
    s->depth = 0;
    s->stamping.store(kStampIdle, std::memory_order_relaxed);
    s->in_use.store(false, std::memory_order_release);
  }
}

StampSlot* take_slot() {
  static const bool registered = [] {
    pthread_atfork(nullptr, nullptr, &after_fork_in_child);
    return true;
  }();
  (void)registered;
  for (StampSlot* s = g_slots.load(std::memory_order_acquire); s; s = s->next) {
    bool free = false;
    if (!s->in_use.load(std::memory_order_relaxed) &&
        s->in_use.compare_exchange_strong(free, true, std::memory_order_acquire)) {
      s->last = 0;
      s->depth = 0;
      return s;
    }
  }
  auto* s = new StampSlot();  // never freed: writers read the list without a lock
  s->next = g_slots.load(std::memory_order_relaxed);
  while (!g_slots.compare_exchange_weak(s->next, s, std::memory_order_release, std::memory_order_relaxed)) {
  }
  return s;
}

struct SlotOwner {
  StampSlot* slot = take_slot();
  ~SlotOwner() {
    t_slot_gone = true;  // a log call from a later thread_local destructor keeps the slot
    if (slot->depth != 0) return;
    t_slot = nullptr;
    slot->stamping.store(kStampIdle, std::memory_order_relaxed);
    slot->in_use.store(false, std::memory_order_release);
  }
};

}  // namespace

StampSlot& thread_stamp() {
  if (t_slot) [[likely]]
    return *t_slot;
  if (t_slot_gone) {
    t_slot = take_slot();  // the thread is ending: this slot is not given back
  } else {
    thread_local SlotOwner owner;
    t_slot = owner.slot;
  }
  return *t_slot;
}

std::int64_t stamps_in_flight(std::int64_t now, const StampSlot* self) {
  std::int64_t bound = now;
  for (StampSlot* s = g_slots.load(std::memory_order_acquire); s; s = s->next) {
    if (s == self) continue;
    const std::int64_t v = s->stamping.load(std::memory_order_acquire);
    if (v == kStampIdle) continue;
    const std::int64_t t = v >> 1;
    if (!(v & 1) && now - t > kStuckNs) continue;  // blocked in a sink: not waited for
    bound = std::min(bound, t);
  }
  return bound;
}

}  // namespace tracegrep::detail
