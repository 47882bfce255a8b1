// --follow: reads a file as `tail -F` does, from its start, then waits for
// more; across rotation (the name now points at a new file) and truncation
// (copytruncate). Woken by inotify when the file or its directory changes
// (source/watch.hpp), polling where inotify cannot serve.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "source/stream.hpp"
#include "source/watch.hpp"

namespace tracegrep {

/// After the name points at a new file, the old one is read on until it has
/// been this quiet: the writer has reopened the name.
inline constexpr int kRotateQuietMs = 20;
/// How often the name is looked at while the file is being read.
inline constexpr int kLookEveryMs = 5;
/// Files the name pointed at, opened and waiting to be read, at most.
inline constexpr std::size_t kMostQueued = 64;

class FollowStream : public ByteStream {
 public:
  using Notice = std::function<void(const std::string&)>;
  FollowStream(std::string path, Notice notice);
  ~FollowStream() override;
  FollowStream(const FollowStream&) = delete;
  FollowStream& operator=(const FollowStream&) = delete;
  ReadStatus read(char* buf, std::size_t cap, std::size_t& n, int timeout_ms) override;
  bool live() const override { return true; }
  bool join(WakeGroup& group, std::size_t id) override;
  int due_in_ms() const override;

 private:
  bool try_open();
  // Opens a file the name now points at, to read in turn (`force`: now,
  // else at most every kLookEveryMs). Called by the reader and, when a file
  // arrives under the name, by the watcher's thread.
  void look_for_new(bool force);
  void take_next();  // the oldest such file becomes the one read
  struct Opened {
    int fd;
    dev_t dev;
    ino_t ino;
  };
  std::string path_;
  Notice notice_;
  int fd_ = -1;  // the reader's alone
  off_t offset_ = 0;
  bool reported_missing_ = false;
  std::chrono::steady_clock::time_point last_data_at_{};
  // Shared with the watcher's thread.
  mutable std::mutex mutex_;
  dev_t dev_ = 0;  // of fd_
  ino_t ino_ = 0;
  std::deque<Opened> next_;
  std::chrono::steady_clock::time_point looked_at_{};
  std::chrono::steady_clock::time_point rotate_at_{};                 // the next file's turn, while one waits
  std::optional<std::chrono::steady_clock::time_point> replaced_at_;  // the name moved on
  std::unique_ptr<FileWatch> watch_;  // made once everything above is there, gone first
};

}  // namespace tracegrep
