// --follow: reads a file as `tail -F` does, from its start, then waits for
// more; across rotation (the name now points at a new file) and truncation
// (copytruncate). Woken by inotify when the file or its directory changes
// (source/watch.hpp), polling where inotify cannot serve.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "source/stream.hpp"
#include "source/watch.hpp"

namespace tracegrep {

/// After the name points at a new file, the old one is read on until it has
/// been this quiet: the writer has reopened the name.
inline constexpr int kRotateQuietMs = 20;

class FollowStream : public ByteStream {
 public:
  using Notice = std::function<void(const std::string&)>;
  FollowStream(std::string path, Notice notice);
  ~FollowStream() override;
  FollowStream(const FollowStream&) = delete;
  FollowStream& operator=(const FollowStream&) = delete;
  ReadStatus read(char* buf, std::size_t cap, std::size_t& n, int timeout_ms) override;
  bool live() const override { return true; }

 private:
  bool try_open();
  std::string path_;
  Notice notice_;
  FileWatch watch_;
  int fd_ = -1;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  off_t offset_ = 0;
  bool reported_missing_ = false;
  std::chrono::steady_clock::time_point last_data_at_{};
  std::optional<std::chrono::steady_clock::time_point> replaced_at_;  // the name moved on
};

}  // namespace tracegrep
