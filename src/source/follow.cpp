#include "source/follow.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
namespace tracegrep {

FollowStream::FollowStream(std::string path, Notice notice)
    : path_(std::move(path)), notice_(std::move(notice)), watch_(path_) {
  try_open();
}

FollowStream::~FollowStream() {
  if (fd_ >= 0) ::close(fd_);
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
  watch_.rearm();
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  offset_ = 0;
  replaced_at_.reset();
  if (reported_missing_) notice_("appeared; following it");
  reported_missing_ = false;
  return true;
}

ReadStatus FollowStream::read(char* buf, std::size_t cap, std::size_t& n, int timeout_ms) {
  n = 0;
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    if (fd_ >= 0) {
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
      // until it has been quiet for kRotateQuietMs, then the new one from
      // its start, so neither loses what was written to it.
      struct stat by_name {};
      if (::stat(path_.c_str(), &by_name) == 0 && (by_name.st_dev != dev_ || by_name.st_ino != ino_)) {
        const auto now = std::chrono::steady_clock::now();
        if (!replaced_at_) replaced_at_ = now;
        const auto quiet = now - std::max(*replaced_at_, last_data_at_);
        if (quiet >= std::chrono::milliseconds(kRotateQuietMs)) {
          if (try_open()) {
            notice_("replaced; following the new file");
            return ReadStatus::kRestart;
          }
        } else {
          watch_.wait(kRotateQuietMs);  // woken by a write to the old file, or looks again soon
          if (timeout_ms >= 0 &&
              std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(timeout_ms))
            return ReadStatus::kIdle;
          continue;
        }
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
    watch_.wait(timeout_ms < 0 ? -1 : static_cast<int>(timeout_ms - waited));
  }
}

}  // namespace tracegrep
