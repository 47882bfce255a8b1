#include "print/output.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tracegrep {

Output::Output(int fd) : fd_(fd), terminal_(::isatty(fd) != 0) { buf_.reserve(kFlushAt); }

Output::Output(std::function<void(std::string_view)> drain) : drain_(std::move(drain)) {
  buf_.reserve(kFlushAt);
}

Output::~Output() { flush(); }

void Output::write_all(std::string_view bytes) {
  if (drain_) {
    if (!bytes.empty()) drain_(bytes);
    return;
  }
  while (!bytes.empty() && !closed_ && error_.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE)
        closed_ = true;
      else
        error_ = std::strerror(errno);
      return;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void Output::flush() {
  write_all(buf_);
  buf_.clear();
}

void Output::flush_full(std::string_view more) {
  flush();
  if (more.size() >= kFlushAt)
    write_all(more);
  else
    buf_.append(more);
}

}  // namespace tracegrep
