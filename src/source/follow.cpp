#include "source/follow.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace tracegrep {

FollowStream::FollowStream(std::string path, Notice notice)
    : path_(std::move(path)), notice_(std::move(notice)) {
  watch_ = std::make_unique<FileWatch>(path_, [this] { look_for_new(true); });
  try_open();
}

FollowStream::~FollowStream() {
  watch_.reset();  // no call from the watcher's thread after this
  if (fd_ >= 0) ::close(fd_);
  for (const Opened& o : next_) ::close(o.fd);
}

void FollowStream::look_for_new(bool force) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - looked_at_ < std::chrono::milliseconds(kLookEveryMs)) return;
  looked_at_ = now;
  if (dev_ == 0 && ino_ == 0) return;  // nothing open yet: try_open's work
  struct stat by_name {};
  if (::stat(path_.c_str(), &by_name) != 0) return;
  const auto known = [&](dev_t d, ino_t i) {
    if (d == dev_ && i == ino_) return true;
    for (const Opened& o : next_)
      if (o.dev == d && o.ino == i) return true;
    return false;
  };
  if (known(by_name.st_dev, by_name.st_ino)) return;
  // Without blocking: a FIFO made under the name would hold the watcher's
  // thread in open() until a writer came.
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return;
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || known(st.st_dev, st.st_ino)) {
    ::close(fd);
    return;
  }
  if (next_.size() >= kMostQueued) {  // far behind: the oldest waiting file is let go
    ::close(next_.front().fd);
    next_.pop_front();
    notice_("rotated faster than it is read; a rotated file is skipped");
  }
  next_.push_back({fd, st.st_dev, st.st_ino});
  if (!replaced_at_) replaced_at_ = now;
}

void FollowStream::take_next() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ::close(fd_);
    const Opened o = next_.front();
    next_.pop_front();
    fd_ = o.fd;
    dev_ = o.dev;
    ino_ = o.ino;
    replaced_at_.reset();
    if (!next_.empty()) replaced_at_ = std::chrono::steady_clock::now();
  }
  offset_ = 0;
  watch_->rearm(fd_);
}

bool FollowStream::join(WakeGroup& group, std::size_t id) {
  watch_->join(group, id);
  return true;
}

int FollowStream::due_in_ms() const {
  int due = watch_->poll_ms();
  bool waiting = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    waiting = !next_.empty();
  }
  if (waiting && fd_ >= 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(rotate_at_ - std::chrono::steady_clock::now())
            .count() +
        1;
    due = std::clamp(static_cast<int>(std::min<long long>(left, due)), 0, due);
  }
  return due;
}

bool FollowStream::try_open() {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (!reported_missing_) {
      notice_(std::string(std::strerror(errno)) + "; waiting for it to appear");
      reported_missing_ = true;
    }
    return false;
  }
  struct stat st {};
  ::fstat(fd, &st);
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    dev_ = st.st_dev;
    ino_ = st.st_ino;
    replaced_at_.reset();
  }
  watch_->rearm(fd_);
  offset_ = 0;
  if (reported_missing_) notice_("appeared; following it");
  reported_missing_ = false;
  return true;
}

ReadStatus FollowStream::read(char* buf, std::size_t cap, std::size_t& n, int timeout_ms) {
  n = 0;
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    if (fd_ >= 0) {
      look_for_new(false);  // also while behind, reading: at most every kLookEveryMs
      ssize_t got;
      do {
        got = ::read(fd_, buf, cap);
      } while (got < 0 && errno == EINTR);
      if (got > 0) {
        last_data_at_ = std::chrono::steady_clock::now();
        offset_ += got;
        n = static_cast<std::size_t>(got);
        return ReadStatus::kData;
      }
      if (got < 0) {
        error_ = Error::from_errno(errno);
        return ReadStatus::kError;
      }
      // At the end: has the name moved on to another file, or was it cut?
      // A writer goes on writing to the file it has open until it reopens
      // the name (logrotate's create, then SIGHUP): the old file is read on
      // until it has been quiet for kRotateQuietMs, then the next one from
      // its start, so neither loses what was written to it. Each file the
      // name pointed at is opened as soon as it is seen, and read in turn:
      // a reader behind the writer does not skip a file rotated twice.
      look_for_new(true);
      bool waiting = false;
      std::chrono::steady_clock::time_point since{};
      {
        std::lock_guard<std::mutex> lock(mutex_);
        waiting = !next_.empty();
        if (waiting) since = std::max(*replaced_at_, last_data_at_);
      }
      if (waiting) {
        rotate_at_ = since + std::chrono::milliseconds(kRotateQuietMs);
        if (std::chrono::steady_clock::now() >= rotate_at_) {
          take_next();
          notice_("replaced; following the new file");
          return ReadStatus::kRestart;
        }
        if (timeout_ms == 0) return ReadStatus::kIdle;  // an event loop's look: due_in_ms() says when
        watch_->wait(kRotateQuietMs);  // woken by a write to the old file, or looks again soon
        if (timeout_ms >= 0 &&
            std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(timeout_ms))
          return ReadStatus::kIdle;
        continue;
      }
      // Only a regular file can be cut: a FIFO's size is always 0.
      struct stat by_fd {};
      if (::fstat(fd_, &by_fd) == 0 && S_ISREG(by_fd.st_mode) && by_fd.st_size < offset_) {
        ::lseek(fd_, 0, SEEK_SET);
        offset_ = 0;
        notice_("truncated; reading it from the start");
        return ReadStatus::kRestart;
      }
    } else if (try_open()) {
      continue;
    }
    const auto waited =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
            .count();
    if (timeout_ms >= 0 && waited >= timeout_ms) return ReadStatus::kIdle;
    watch_->wait(timeout_ms < 0 ? -1 : static_cast<int>(timeout_ms - waited));
  }
}

}  // namespace tracegrep
