// --follow: reads a file as `tail -F` does, from its start, then waits for
// more; across rotation (the name now points at a new file) and truncation
// (copytruncate). Polls: inotify would not see a file replaced over NFS.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

#include "source/stream.hpp"

namespace tracegrep {

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
  int fd_ = -1;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  off_t offset_ = 0;
  bool reported_missing_ = false;
};

}  // namespace tracegrep
