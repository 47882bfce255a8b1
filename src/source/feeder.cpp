#include "source/feeder.hpp"

#include <algorithm>
#include <cstring>

namespace tracegrep {
namespace {
constexpr std::size_t kChunk = std::size_t{256} << 10;
}

LineFeeder::LineFeeder(LineSink& lines, EntrySink& sink, std::size_t max_entry)
    : lines_(lines),
      sink_(sink),
      max_entry_(max_entry),
      cap_(max_entry + 1 + kChunk),
      buf_(std::make_unique_for_overwrite<char[]>(cap_)) {}  // not zeroed: a file costs no 1.3 MB memset

void LineFeeder::drop(std::size_t n) {
  std::memmove(buf_.get(), buf_.get() + n, len_ - n);
  len_ -= n;
}

Flow LineFeeder::process() {
  for (;;) {
    if (skipping_) {
      const void* nl = std::memchr(buf_.get(), '\n', len_);
      if (!nl) {
        lines_.dropped(len_);
        len_ = 0;
        return Flow::kContinue;
      }
      const auto n = static_cast<std::size_t>(static_cast<const char*>(nl) - buf_.get()) + 1;
      lines_.dropped(n);
      drop(n);
      skipping_ = false;
    }
    const void* last = memrchr(buf_.get(), '\n', len_);
    if (last) {
      const auto n = static_cast<std::size_t>(static_cast<const char*>(last) - buf_.get()) + 1;
      if (lines_.feed(std::string_view(buf_.get(), n)) == Flow::kStop) return Flow::kStop;
      drop(n);
      continue;
    }
    if (len_ > max_entry_) {
      if (lines_.feed_cut_line(std::string_view(buf_.get(), max_entry_)) == Flow::kStop) {
        return Flow::kStop;
      }
      drop(max_entry_);
      skipping_ = true;
      continue;
    }
    return Flow::kContinue;
  }
}

bool LineFeeder::at_end(ReadStatus s, ByteStream& stream, FeedOutcome& out) {
  // End, restart or error: what is buffered is a last line without '\n'.
  out = {};
  if (len_ > 0 && !skipping_) {
    if (lines_.feed_last_line(std::string_view(buf_.get(), len_)) == Flow::kStop) {
      out.flow = Flow::kStop;
      return false;
    }
  }
  len_ = 0;
  skipping_ = false;
  if (lines_.flush() == Flow::kStop) {
    out.flow = Flow::kStop;
    return false;
  }
  if (s == ReadStatus::kRestart) {
    lines_.reset();
    return true;
  }
  if (s == ReadStatus::kError) out.error = stream.error();
  return false;
}

FeedOutcome LineFeeder::run(ByteStream& stream) {
  FeedOutcome out;
  len_ = 0;
  skipping_ = false;
  bool waited = false;  // the idle flush was done for this quiet spell
  for (;;) {
    // Live input: look without waiting; when nothing is there, show what was
    // printed, wait up to kIdleFlushMs, then complete the open entry.
    int timeout = -1;
    if (stream.live()) timeout = waited ? -1 : 0;
    std::size_t n = 0;
    ReadStatus s = stream.read(buf_.get() + len_, cap_ - len_, n, timeout);
    if (s == ReadStatus::kIdle && timeout == 0) {
      sink_.idle();
      s = stream.read(buf_.get() + len_, cap_ - len_, n, kIdleFlushMs);
      if (s == ReadStatus::kIdle) {
        if (lines_.flush() == Flow::kStop) return {Flow::kStop, {}};
        sink_.idle();
        waited = true;
        continue;
      }
    }
    if (s == ReadStatus::kIdle) continue;
    if (s == ReadStatus::kData) {
      waited = false;
      len_ += n;
      if (process() == Flow::kStop) return {Flow::kStop, {}};
      continue;
    }
    if (!at_end(s, stream, out)) return out;
  }
}

void LineFeeder::start() {
  len_ = 0;
  skipping_ = false;
  quiet_ = false;
  flushed_ = false;
}

FeedStep LineFeeder::step(ByteStream& stream) {
  using std::chrono::milliseconds;
  FeedStep out;
  for (int i = 0; i < kStepReads; ++i) {
    std::size_t n = 0;
    const ReadStatus s = stream.read(buf_.get() + len_, cap_ - len_, n, 0);
    if (s == ReadStatus::kData) {
      quiet_ = flushed_ = false;
      len_ += n;
      if (process() == Flow::kStop) return {true, {Flow::kStop, {}}, -1};
      continue;
    }
    if (s == ReadStatus::kIdle) {
      const auto now = std::chrono::steady_clock::now();
      if (!quiet_) {  // show what was printed
        quiet_ = true;
        quiet_since_ = now;
        sink_.idle();
      }
      const auto flush_at = quiet_since_ + milliseconds(kIdleFlushMs);
      if (!flushed_ && now >= flush_at) {
        if (lines_.flush() == Flow::kStop) return {true, {Flow::kStop, {}}, -1};
        sink_.idle();
        flushed_ = true;
      }
      out.due_in_ms = stream.due_in_ms();
      if (!flushed_) {
        const auto left = std::chrono::duration_cast<milliseconds>(flush_at - now).count() + 1;
        const int ms = static_cast<int>(std::clamp<long long>(left, 0, kIdleFlushMs + 1));
        out.due_in_ms = out.due_in_ms < 0 ? ms : std::min(out.due_in_ms, ms);
      }
      return out;
    }
    quiet_ = flushed_ = false;
    if (!at_end(s, stream, out.outcome)) {
      out.done = true;
      return out;
    }
  }
  out.due_in_ms = 0;  // more may be there: after the others' turn
  return out;
}

}  // namespace tracegrep
