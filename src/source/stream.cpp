#include "source/stream.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tracegrep {

FdStream::FdStream(int fd, bool live, std::string prefix)
    : fd_(fd), live_(live), prefix_(std::move(prefix)) {}

ReadStatus FdStream::read(char* buf, std::size_t cap, std::size_t& n, int timeout_ms) {
  n = 0;
  if (!prefix_.empty()) {
    n = std::min(cap, prefix_.size());
    std::memcpy(buf, prefix_.data(), n);
    prefix_.erase(0, n);
    return ReadStatus::kData;
  }
  if (live_) {
    pollfd pfd{fd_, POLLIN, 0};
    int r;
    do {
      r = ::poll(&pfd, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
    if (r == 0) return ReadStatus::kIdle;
  }
  ssize_t got;
  do {
    got = ::read(fd_, buf, cap);
  } while (got < 0 && errno == EINTR);
  if (got < 0) {
    error_ = Error::from_errno(errno);
    return ReadStatus::kError;
  }
  if (got == 0) return ReadStatus::kEof;
  n = static_cast<std::size_t>(got);
  return ReadStatus::kData;
}

GzipStream::GzipStream(std::unique_ptr<ByteStream> inner)
    : inner_(std::move(inner)), in_(std::size_t{1} << 16) {
  // 15 + 32: a zlib or gzip header, detected.
  inflateInit2(&z_, 15 + 32);
}

GzipStream::~GzipStream() { inflateEnd(&z_); }

ReadStatus GzipStream::read(char* buf, std::size_t cap, std::size_t& n, int timeout_ms) {
  n = 0;
  if (failed_) return ReadStatus::kError;
  if (finished_) return ReadStatus::kEof;
  const auto room = static_cast<uInt>(std::min<std::size_t>(cap, std::size_t{1} << 30));
  z_.next_out = reinterpret_cast<Bytef*>(buf);
  z_.avail_out = room;
  auto produced = [&] { return static_cast<std::size_t>(room - z_.avail_out); };
  while (z_.avail_out > 0) {
    if (z_.avail_in == 0) {
      if (produced() > 0) break;  // never block while holding decoded bytes
      if (inner_eof_) {
        if (member_done_) {
          finished_ = true;
          return ReadStatus::kEof;
        }
        failed_ = true;
        error_ = Error::condition("unexpected end of gzip data (truncated file?)");
        return ReadStatus::kError;
      }
      std::size_t got = 0;
      const ReadStatus s = inner_->read(in_.data(), in_.size(), got, timeout_ms);
      if (s == ReadStatus::kError) {
        failed_ = true;
        error_ = inner_->error();
        return s;
      }
      if (s == ReadStatus::kIdle || s == ReadStatus::kRestart) return s;
      if (s == ReadStatus::kEof) {
        inner_eof_ = true;
        continue;
      }
      z_.next_in = reinterpret_cast<Bytef*>(in_.data());
      z_.avail_in = static_cast<uInt>(got);
    }
    if (member_done_) {
      // Another member may follow (gzip files can be concatenated); anything
      // else after a complete member (tar padding) is ignored, as gzip does.
      if (z_.next_in[0] != 0x1f) {
        finished_ = true;
        break;
      }
      inflateReset(&z_);
      member_done_ = false;
    }
    const int r = inflate(&z_, Z_NO_FLUSH);
    if (r == Z_STREAM_END) {
      member_done_ = true;
    } else if (r != Z_OK && r != Z_BUF_ERROR) {
      failed_ = true;
      error_ = Error::condition(std::string("corrupt gzip data: ") + (z_.msg ? z_.msg : "inflate failed"));
      break;
    }
  }
  n = produced();
  if (n > 0) return ReadStatus::kData;
  return failed_ ? ReadStatus::kError : ReadStatus::kEof;
}

}  // namespace tracegrep
