// Writing to a file descriptor, shared by the emitter's sinks.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <system_error>

namespace tracegrep {

// Writes all of `bytes`, retrying short writes; throws on failure.
inline void write_fully(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "writing log lines");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace tracegrep
