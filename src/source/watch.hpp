// source/: what wakes a followed file. One inotify instance and one thread
// for the whole process watch every followed file and the directory its
// name is in; a FileWatch wakes when either changes (data written, the
// file truncated, renamed, replaced or created), as tail -F reacts, within
// the writer's pause rather than at the next poll. Where inotify cannot be
// had (no instance or watch left), a FileWatch polls every kPollMs; on a
// network file system (whose other hosts' writes inotify does not see),
// every kRemotePollMs; elsewhere it still looks every kSafetyPollMs.
// A FileWatch that joined a WakeGroup tells the group instead: one event
// loop then follows any number of files (search/'s side_by_side).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace tracegrep {

inline constexpr int kPollMs = 50;
inline constexpr int kRemotePollMs = 250;
inline constexpr int kSafetyPollMs = 5000;

/// Where the watches of many followed files say which of them changed:
/// the one thread that reads them waits here.
class WakeGroup {
 public:
  /// Member `id` changed (from the watcher's thread).
  void mark(std::size_t id);
  /// The members that changed since the last call, after waiting for one
  /// for at most `timeout_ms` (< 0: as long as it takes).
  std::vector<std::size_t> wait(int timeout_ms);

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::size_t> ready_;
};

class FileWatch {
 public:
  /// `appeared`, when given, is called on the watcher's thread as soon as a
  /// file is created or moved in under the name (to open it at once: a
  /// reader busy writing its output still sees every file rotated past).
  explicit FileWatch(std::string path, std::function<void()> appeared = {});
  ~FileWatch();
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;

  /// Watches the file open as `fd` (the one being read, whatever the name
  /// now points at).
  void rearm(int fd);
  /// Returns when something changed since the last call, or after at most
  /// `timeout_ms` (and at most the poll interval).
  void wait(int timeout_ms);
  /// True when inotify watches the file (false: polling).
  bool notified() const { return file_wd_ >= 0; }
  /// From now on a change marks `id` in `group` instead of waking wait().
  void join(WakeGroup& group, std::size_t id);
  /// How long wait() waits at most: the poll interval that applies here.
  int poll_ms() const;

  /// For the hub: something changed; `name` is a directory entry's.
  void wake(const char* name = nullptr);

 private:
  std::string path_;
  std::string dir_;
  std::string base_;
  std::function<void()> appeared_;
  int file_wd_ = -1;
  int dir_wd_ = -1;
  bool remote_ = false;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool changed_ = false;
  WakeGroup* group_ = nullptr;  // guarded by mutex_
  std::size_t id_ = 0;
};

}  // namespace tracegrep
