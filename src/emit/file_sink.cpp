// The file sink. A log call takes no lock, makes no system call and writes
// no memory another thread writes: each thread copies its lines, with their
// times, into a ring of its own (one producer, one consumer). A writer
// thread merges the rings by time and writes whole lines, many per
// write(2), to a file opened with O_APPEND, so the file is in time order
// across threads and processes sharing it never tear or interleave lines.
//
// Merging by time: each round the writer reads the clock, then every
// writing thread's stamping state (stamp.hpp), and writes the lines stamped
// up to the least time a line still on its way can carry, and no later than
// kGraceNs before its clock (a margin for callers of write_at that stamp
// with a clock of their own). So a line is never written while an
// older-stamped one can still arrive, however long a thread is preempted
// between reading the clock and copying its line (a fixed hold of 20 us
// let 46 to 1,098 lines a run out of order under load; see RESULTS). A
// round also writes the lines stamped more than kFutureNs after its clock
// reading (the clock was set back: their time will not come soon). A flush (after ERROR lines)
// is done by the flushing thread itself: handing it to the writer thread
// and waiting cost 50-70 us a call. It writes what is due up to its own
// clock, waiting (draining as it goes) for threads with an older line on
// its way, at most kFlushWaitNs.
//
// Lines longer than 32 KiB go to a shared queue under the mutex, merged
// with the rest by time.
//
// fork(): the child has no writer thread and the parent's buffered lines
// are the parent's to write. Handlers registered with pthread_atfork hold
// every sink's mutex across fork() and, in the child, drop what was
// buffered and have the next call start a writer thread.
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "emit/stamp.hpp"
#include "emit/write.hpp"
#include "tracegrep/log.hpp"

namespace tracegrep {
namespace {

// Per thread and sink: 0.7 ms of lines at the fastest rate measured, in
// address space; a thread whose lines are all written starts again at the
// ring's start, so one that logs little only ever touches its first pages.
constexpr std::size_t kRingBytes = std::size_t{512} << 10;
constexpr std::size_t kRestartStep = std::size_t{16} << 10;
constexpr std::size_t kHeader = 16;  // int64 time, uint32 length, uint32 kind
constexpr std::size_t kLargeLine = std::size_t{32} << 10;
constexpr std::size_t kLargeQueueBytes = std::size_t{4} << 20;  // then large lines wait
constexpr std::size_t kWriteBytes = std::size_t{64} << 10;      // one write(2)
constexpr std::int64_t kGraceNs = 20'000;
constexpr std::int64_t kFutureNs = 1'000'000'000;  // "from the future": the clock was set back
constexpr std::int64_t kFlushWaitNs =
    100'000'000;  // a thread preempted mid-call longer than this: write anyway
constexpr std::size_t kPollBytes = std::size_t{4} << 10;  // a round writing this much: poll
constexpr int kPollUs = 50;
constexpr std::uint32_t kWrapKind = 1;  // "the rest of the ring is unused: go to its start"
constexpr std::int64_t kAll = std::numeric_limits<std::int64_t>::max();

std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

std::size_t record_size(std::size_t line) { return (kHeader + line + 7) & ~std::size_t{7}; }

// One thread's lines for one sink. Positions count bytes since the start
// and never wrap; a record never straddles the ring's end.
struct Ring {
  alignas(64) std::atomic<std::uint64_t> written{0};  // by the thread
  std::uint64_t read_seen = 0;                        // the thread's copy of `read`
  alignas(64) std::atomic<std::uint64_t> read{0};     // by the writer thread
  std::atomic<bool> closed{false};                    // the thread ended
  std::atomic<bool> orphaned{false};                  // the sink ended
  std::unique_ptr<char[]> data{new char[kRingBytes]};
};

struct Header {
  std::int64_t time;
  std::uint32_t length;
  std::uint32_t kind;
};
static_assert(sizeof(Header) == kHeader);

// The rings of this thread, by sink id (ids are never reused).
struct ThreadRings {
  std::vector<std::pair<std::uint64_t, std::shared_ptr<Ring>>> rings;
  ~ThreadRings();
};
thread_local bool t_rings_gone = false;
thread_local ThreadRings t_rings;
ThreadRings::~ThreadRings() {
  t_rings_gone = true;
  for (auto& r : rings) r.second->closed.store(true, std::memory_order_release);
}

std::atomic<std::uint64_t> g_next_sink_id{1};

class RingFileSink;
std::mutex g_sinks_mutex;
std::vector<RingFileSink*>& all_sinks() {
  static auto* sinks = new std::vector<RingFileSink*>();
  return *sinks;
}

class RingFileSink : public Sink {
 public:
  RingFileSink(int fd, bool owned, FileSinkOptions options)
      : fd_(fd), owned_(owned), max_write_(write_limit(fd)), interval_(options.interval) {
    out_.reserve(kWriteBytes + kLargeLine);
    static const bool registered = [] {
      pthread_atfork(&before_fork, &after_fork_in_parent, &after_fork_in_child);
      return true;
    }();
    (void)registered;
    std::lock_guard<std::mutex> lock(g_sinks_mutex);
    all_sinks().push_back(this);
  }
  ~RingFileSink() override {
    {
      std::lock_guard<std::mutex> drain(drain_mutex_);  // no call is under way: everything is due
      drain_round(Round::kEnd);
      if (!write_error_.empty()) report_error(write_error_);
      write_error_.clear();
    }
    {
      std::lock_guard<std::mutex> lock(g_sinks_mutex);
      auto& sinks = all_sinks();
      sinks.erase(std::find(sinks.begin(), sinks.end(), this));
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
    }
    wake_.notify_all();
    if (writer_.joinable()) writer_.join();
    for (auto& r : rings_) r->orphaned.store(true, std::memory_order_release);
    if (owned_) ::close(fd_);
  }
  RingFileSink(const RingFileSink&) = delete;
  RingFileSink& operator=(const RingFileSink&) = delete;

  void write(std::string_view line) override {
    detail::Stamping stamping;
    const std::int64_t now = now_ns();
    stamping.stamped(now);
    write_at(line, now);
  }

  void write_at(std::string_view line, std::int64_t time) override {
    if (!writer_running_.load(std::memory_order_acquire)) [[unlikely]]
      start_writer();
    if (line.size() > kLargeLine || t_rings_gone) [[unlikely]]
      return write_large(line, time);
    Ring& r = my_ring();
    const std::size_t size = record_size(line.size());
    std::uint64_t w = r.written.load(std::memory_order_relaxed);
    const std::size_t tail = kRingBytes - w % kRingBytes;
    std::size_t skip = tail < size ? tail : 0;
    if ((w + size) / kRestartStep != w / kRestartStep && w % kRingBytes != 0) [[unlikely]] {
      r.read_seen = r.read.load(std::memory_order_acquire);
      if (r.read_seen == w) skip = tail;  // all written: back to the start
    }
    wait_for_room(r, w + skip + size);
    if (skip) {
      if (tail >= kHeader) {
        const Header wrap{0, 0, kWrapKind};
        std::memcpy(r.data.get() + w % kRingBytes, &wrap, kHeader);
      }
      w += skip;
    }
    char* at = r.data.get() + w % kRingBytes;
    const Header h{time, static_cast<std::uint32_t>(line.size()), 0};
    std::memcpy(at, &h, kHeader);
    std::memcpy(at + kHeader, line.data(), line.size());
    w += size;
    r.written.store(w, std::memory_order_release);
    if (w - r.read_seen > kRingBytes / 2) [[unlikely]]
      half_full(r, w);
  }

  // Returns once every line written before the call is in the file. The
  // caller writes them itself: no hand-over to the writer thread and back
  // (that cost an ERROR line 50-70 us; spdlog's flush takes 1-2 us).
  void flush() override {
    std::string error;
    {
      std::lock_guard<std::mutex> drain(drain_mutex_);
      drain_round(Round::kFlush);
      error.swap(write_error_);
    }
    if (!error.empty()) report_error(error);  // outside the lock: the handler may log
  }

  // Locks are taken in the order g_sinks_mutex, drain_mutex_, mutex_.
  static void before_fork() {
    g_sinks_mutex.lock();
    for (RingFileSink* s : all_sinks()) {
      s->drain_mutex_.lock();
      s->mutex_.lock();
    }
  }
  static void after_fork_in_parent() {
    for (RingFileSink* s : all_sinks()) {
      s->mutex_.unlock();
      s->drain_mutex_.unlock();
    }
    g_sinks_mutex.unlock();
  }
  static void after_fork_in_child() {
    for (RingFileSink* s : all_sinks()) {
      s->forget_parent();
      s->mutex_.unlock();
      s->drain_mutex_.unlock();
    }
    g_sinks_mutex.unlock();
  }

 private:
  Ring& my_ring() {
    auto& rings = t_rings.rings;
    if (!rings.empty() && rings.front().first == id_) [[likely]]
      return *rings.front().second;
    // Drop the rings of sinks that ended; find or make this sink's.
    std::erase_if(rings, [](const auto& e) { return e.second->orphaned.load(std::memory_order_acquire); });
    auto it = std::find_if(rings.begin(), rings.end(), [&](const auto& e) { return e.first == id_; });
    if (it == rings.end()) {
      auto ring = std::make_shared<Ring>();
      {
        std::lock_guard<std::mutex> lock(mutex_);
        rings_.push_back(ring);
      }
      rings.emplace_back(id_, std::move(ring));
      it = rings.end() - 1;
    }
    std::rotate(rings.begin(), it, it + 1);
    return *rings.front().second;
  }

  void wait_for_room(Ring& r, std::uint64_t end) {
    if (end - r.read_seen <= kRingBytes) [[likely]]
      return;
    for (;;) {
      const std::uint64_t read = r.read.load(std::memory_order_acquire);
      r.read_seen = read;
      if (end - read <= kRingBytes) return;
      if (!polling_.load(std::memory_order_relaxed)) ask_writer();
      r.read.wait(read, std::memory_order_acquire);
    }
  }

  void half_full(Ring& r, std::uint64_t w) {
    r.read_seen = r.read.load(std::memory_order_acquire);
    if (w - r.read_seen > kRingBytes / 2 && !polling_.load(std::memory_order_relaxed) &&
        !wake_asked_.load(std::memory_order_relaxed))
      ask_writer();
  }

  void ask_writer() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      wake_asked_.store(true, std::memory_order_relaxed);
    }
    wake_.notify_all();
  }

  void write_large(std::string_view line, std::int64_t time) {
    std::unique_lock<std::mutex> lock(mutex_);
    room_.wait(lock, [&] { return large_bytes_ < kLargeQueueBytes || quit_; });
    large_.push_back({time, std::string(line)});
    large_bytes_ += line.size();
    if (large_bytes_ >= kLargeQueueBytes / 2) {
      wake_asked_.store(true, std::memory_order_relaxed);
      wake_.notify_all();
    }
  }

  void start_writer() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (writer_running_.load(std::memory_order_relaxed)) return;
    writer_ = std::thread([this] { run(); });
    writer_running_.store(true, std::memory_order_release);
  }

  // In the child of fork(), with both locks held: the parent writes what was
  // buffered; the writer thread is not there.
  void forget_parent() {
    new (&writer_) std::thread();  // the parent's thread: not ours to join
    new (&wake_) std::condition_variable();
    new (&room_) std::condition_variable();
    writer_running_.store(false, std::memory_order_relaxed);
    for (auto& r : rings_) {
      const std::uint64_t w = r->written.load(std::memory_order_relaxed);
      r->read.store(w, std::memory_order_relaxed);
      r->read_seen = w;
    }
    large_.clear();
    large_bytes_ = 0;
    pending_large_.clear();
    drain_rings_.clear();
    out_.clear();
    wake_asked_.store(false, std::memory_order_relaxed);
  }

  struct Large {
    std::int64_t time;
    std::string line;
  };
  // Where the writer is in a ring during a round.
  struct Cursor {
    Ring* ring;
    std::uint64_t at, end;
    Header next;
  };

  void run() {
    // Polling sleeps of kPollUs, not the default 50 us timer slack.
    ::prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
    std::unique_lock<std::mutex> lock(mutex_);
    std::size_t moved = 0;  // bytes the last round wrote
    for (;;) {
      // While lines come fast the writer polls, so that no log call pays
      // for waking it; once they slow down, it sleeps until asked.
      polling_.store(moved >= kPollBytes, std::memory_order_relaxed);
      auto asked = [&] { return quit_ || wake_asked_.load(std::memory_order_relaxed); };
      if (moved >= kPollBytes)
        wake_.wait_for(lock, std::chrono::microseconds(kPollUs), asked);
      else
        wake_.wait_for(lock, interval_, asked);
      wake_asked_.store(false, std::memory_order_relaxed);
      const bool quit = quit_;
      lock.unlock();
      std::string error;
      {
        std::lock_guard<std::mutex> drain(drain_mutex_);
        moved = drain_round(quit ? Round::kEnd : Round::kWriter);
        error.swap(write_error_);
      }
      if (!error.empty()) report_error(error);
      lock.lock();
      if (quit) return;
    }
  }

  enum class Round {
    kWriter,  // the writer thread's: what is due
    kFlush,   // a caller's: everything stamped before the call, waiting for lines on their way
    kEnd,     // the sink's end: everything
  };

  // One round, by the writer thread or a flushing caller, with drain_mutex_
  // held: takes what the rings and the large queue hold and writes the lines
  // that are due. Returns the bytes written.
  std::size_t drain_round(Round round) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      drain_rings_ = rings_;
      for (auto& l : large_) pending_large_.push_back(std::move(l));
      large_.clear();
      large_bytes_ = 0;
    }
    room_.notify_all();
    // Lines in the large queue arrive in call order; a merge wants time order.
    if (pending_large_.size() > 1)
      std::stable_sort(pending_large_.begin(), pending_large_.end(),
                       [](const Large& a, const Large& b) { return a.time < b.time; });
    std::size_t moved = 0;
    std::int64_t now = clock_then_fence();
    switch (round) {
      case Round::kEnd:
        moved = drain(drain_rings_, pending_large_, kAll, now);
        break;
      case Round::kWriter:
        moved = drain(drain_rings_, pending_large_,
                      std::min(now - kGraceNs, detail::stamps_in_flight(now, nullptr)), now);
        break;
      case Round::kFlush: {
        // Everything stamped up to `target` is written: the caller's lines,
        // and older ones still on their way from other threads (waited for,
        // writing what is safe meanwhile, so a thread waiting for room in
        // its ring gets it).
        const detail::StampSlot* self = &detail::thread_stamp();
        const std::int64_t target = now;
        for (;;) {
          const std::int64_t bound = detail::stamps_in_flight(now, self);
          const bool late = now - target > kFlushWaitNs;
          moved += drain(drain_rings_, pending_large_, late ? std::max(bound, target) : bound, now);
          if (bound >= target || late) break;
          std::this_thread::yield();
          now = clock_then_fence();
          refresh_rings();
        }
        break;
      }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& l : pending_large_) large_bytes_ += l.line.size();  // kept for the next round
    // A ring whose thread ended and whose lines are written is dropped.
    std::erase_if(rings_, [](const std::shared_ptr<Ring>& r) {
      return r->closed.load(std::memory_order_acquire) &&
             r->read.load(std::memory_order_relaxed) == r->written.load(std::memory_order_acquire);
    });
    return moved;
  }

  // The writer's clock, read before the threads' stamping states are (the
  // fence keeps the loads after it).
  static std::int64_t clock_then_fence() {
    const std::int64_t now = now_ns();
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return now;
  }

  // Rings that appeared since the round began (a flush waiting for them).
  void refresh_rings() {
    std::lock_guard<std::mutex> lock(mutex_);
    drain_rings_ = rings_;
  }

  // Writes, in time order, the lines stamped up to `cutoff`, and those
  // stamped over kFutureNs after `now` (the clock went back since: waiting
  // would not help). Lines stamped just after `now` are not due: they were
  // stamped after the clock reading and lines older than them may be on
  // their way.
  // Returns the bytes written.
  std::size_t drain(const std::vector<std::shared_ptr<Ring>>& rings, std::deque<Large>& large,
                    std::int64_t cutoff, std::int64_t now) {
    std::size_t moved = 0;
    auto due = [&](std::int64_t t) { return t <= cutoff || t > now + kFutureNs; };
    auto& cursors = cursors_;  // kept between rounds: a round allocates nothing
    cursors.clear();
    for (const auto& r : rings) {
      Cursor c{
          r.get(), r->read.load(std::memory_order_relaxed), r->written.load(std::memory_order_acquire), {}};
      if (peek(c.ring, c.at, c.end, c.next)) cursors.push_back(c);
    }
    auto publish = [&] {
      moved += out_.size();
      write_out();
      for (Cursor& c : cursors) {
        if (c.ring->read.load(std::memory_order_relaxed) == c.at) continue;
        c.ring->read.store(c.at, std::memory_order_release);
        c.ring->read.notify_all();
      }
    };
    for (;;) {
      Cursor* best = nullptr;
      for (Cursor& c : cursors)
        if (c.at != c.end && due(c.next.time) && (!best || c.next.time < best->next.time)) best = &c;
      if (!large.empty() && due(large.front().time) && (!best || large.front().time <= best->next.time)) {
        out_.append(large.front().line);
        large.pop_front();
      } else if (best) {
        out_.append(best->ring->data.get() + best->at % kRingBytes + kHeader, best->next.length);
        best->at += record_size(best->next.length);
        if (!peek(best->ring, best->at, best->end, best->next)) best->at = best->end;
      } else {
        break;
      }
      if (out_.size() >= kWriteBytes) publish();
    }
    publish();
    return moved;
  }

  // Reads the header of the record at `at`, past a wrap; false at the end.
  static bool peek(Ring* r, std::uint64_t& at, std::uint64_t end, Header& h) {
    while (at != end) {
      const std::size_t tail = kRingBytes - at % kRingBytes;
      if (tail >= kHeader) {
        std::memcpy(&h, r->data.get() + at % kRingBytes, kHeader);
        if (h.kind != kWrapKind) return true;
      }
      at += tail;
    }
    return false;
  }

  // Writes out_ in pieces of whole lines of at most max_write_ bytes (a
  // longer line alone): on a pipe, pieces of up to PIPE_BUF are never torn
  // by other processes writing to it.
  void write_out() {
    if (out_.empty()) return;
    try {
      std::string_view rest = out_;
      while (rest.size() > max_write_) {
        std::size_t cut = rest.rfind('\n', max_write_ - 1);
        cut = cut == std::string_view::npos ? rest.find('\n', max_write_) : cut;
        const std::size_t piece = cut == std::string_view::npos ? rest.size() : cut + 1;
        write_fully(fd_, rest.substr(0, piece));
        rest.remove_prefix(piece);
      }
      write_fully(fd_, rest);
    } catch (const std::exception& e) {
      write_error_ = e.what();  // reported once the round is over; the lines are dropped, not retried
    }
    out_.clear();
  }

  // Pieces for one write(2): a pipe, socket or terminal takes PIPE_BUF at
  // once without tearing; a file takes any size with O_APPEND.
  static std::size_t write_limit(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) return kWriteBytes;
    return PIPE_BUF;
  }

  const int fd_;
  const bool owned_;
  const std::size_t max_write_;
  const std::chrono::milliseconds interval_;
  const std::uint64_t id_ = g_next_sink_id.fetch_add(1);
  std::atomic<bool> writer_running_{false};
  std::atomic<bool> wake_asked_{false};
  std::atomic<bool> polling_{false};
  std::mutex drain_mutex_;  // one round at a time; guards the next five
  std::vector<std::shared_ptr<Ring>> drain_rings_;
  std::deque<Large> pending_large_;  // large lines not due yet
  std::string out_;
  std::vector<Cursor> cursors_;
  std::string write_error_;
  std::mutex mutex_;              // guards what follows
  std::condition_variable wake_;  // the writer waits for work
  std::condition_variable room_;  // large lines wait for the queue to shrink
  std::vector<std::shared_ptr<Ring>> rings_;
  std::deque<Large> large_;
  std::size_t large_bytes_ = 0;
  bool quit_ = false;
  std::thread writer_;
};

}  // namespace

std::shared_ptr<Sink> file_sink(const std::string& path, FileSinkOptions options) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
                        static_cast<mode_t>(options.mode & 07777));
  if (fd < 0) {
    report_error(path + ": " + std::strerror(errno));
    return nullptr;
  }
  return std::make_shared<RingFileSink>(fd, true, options);
}

std::shared_ptr<Sink> buffered_stdout_sink(FileSinkOptions options) {
  return std::make_shared<RingFileSink>(1, false, options);
}
std::shared_ptr<Sink> buffered_stderr_sink(FileSinkOptions options) {
  return std::make_shared<RingFileSink>(2, false, options);
}

}  // namespace tracegrep
