#include "source/watch.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <map>
#include <thread>
#include <vector>

namespace tracegrep {
namespace {

constexpr std::uint32_t kFileEvents = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVE_SELF | IN_DELETE_SELF;
constexpr std::uint32_t kDirEvents = IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE;

// The process's one inotify instance. A watch descriptor is per inode, so
// several FileWatches may share one (two files in a directory): each keeps
// its own subscription.
class Hub {
 public:
  static Hub& get() {
    static auto* hub = new Hub();  // lives as long as the process; its thread too
    return *hub;
  }

  int add(const std::string& path, std::uint32_t events, FileWatch* who) {
    if (fd_ < 0) return -1;
    std::lock_guard<std::mutex> lock(mutex_);
    const int wd = ::inotify_add_watch(fd_, path.c_str(), events | IN_MASK_ADD);
    if (wd < 0) return -1;
    subscribers_[wd].push_back(who);
    return wd;
  }

  void remove(int wd, FileWatch* who) {
    if (wd < 0) return;
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = subscribers_.find(wd);
    if (it == subscribers_.end()) return;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), who), v.end());
    if (v.empty()) {
      subscribers_.erase(it);
      ::inotify_rm_watch(fd_, wd);
    }
  }

 private:
  Hub() {
    fd_ = ::inotify_init1(IN_CLOEXEC);
    if (fd_ >= 0) std::thread([this] { run(); }).detach();
  }

  void run() {
    alignas(inotify_event) char buf[64 * 1024];
    for (;;) {
      const ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        return;  // the instance is gone: every FileWatch polls on
      }
      std::lock_guard<std::mutex> lock(mutex_);
      for (char* p = buf; p < buf + n;) {
        const auto* e = reinterpret_cast<const inotify_event*>(p);
        if (e->mask & IN_Q_OVERFLOW) {  // events were lost: wake everyone
          for (auto& [wd, who] : subscribers_)
            for (FileWatch* w : who) w->wake();
        } else if (auto it = subscribers_.find(e->wd); it != subscribers_.end()) {
          const bool arrived = (e->mask & (IN_CREATE | IN_MOVED_TO)) && e->len > 0;
          for (FileWatch* w : it->second) w->wake(arrived ? e->name : nullptr);
        }
        p += sizeof(inotify_event) + e->len;
      }
    }
  }

  int fd_ = -1;
  std::mutex mutex_;
  std::map<int, std::vector<FileWatch*>> subscribers_;
};

// File systems whose files other hosts change, which inotify does not see.
bool remote(const std::string& dir) {
  struct statfs fs {};
  if (::statfs(dir.c_str(), &fs) != 0) return true;
  switch (static_cast<unsigned long>(fs.f_type)) {
    case 0x6969:      // NFS
    case 0x517B:      // SMB
    case 0xFF534D42:  // CIFS
    case 0xFE534D42:  // SMB2
    case 0x65735546:  // FUSE (sshfs, ...)
    case 0x00C36400:  // Ceph
    case 0x5346414F:  // AFS
    case 0x01021997:  // 9P
    case 0x47504653:  // GPFS
    case 0x0BD00BD0:  // Lustre
      return true;
    default:
      return false;
  }
}

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

FileWatch::FileWatch(std::string path, std::function<void()> appeared)
    : path_(std::move(path)),
      dir_(directory_of(path_)),
      base_(path_.substr(path_.rfind('/') == std::string::npos ? 0 : path_.rfind('/') + 1)),
      appeared_(std::move(appeared)),
      remote_(remote(dir_)) {
  dir_wd_ = Hub::get().add(dir_, kDirEvents, this);
  file_wd_ = Hub::get().add(path_, kFileEvents, this);
}

FileWatch::~FileWatch() {
  Hub::get().remove(file_wd_, this);
  Hub::get().remove(dir_wd_, this);
}

void FileWatch::rearm(int fd) {
  Hub::get().remove(file_wd_, this);
  // The open file's own inode, through /proc (the name may be elsewhere by now).
  file_wd_ = Hub::get().add("/proc/self/fd/" + std::to_string(fd), kFileEvents, this);
  if (file_wd_ < 0) file_wd_ = Hub::get().add(path_, kFileEvents, this);
}

void WakeGroup::mark(std::size_t id) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ready_.push_back(id);
  }
  cv_.notify_one();
}

std::vector<std::size_t> WakeGroup::wait(int timeout_ms) {
  std::unique_lock<std::mutex> lock(mutex_);
  const auto some = [this] { return !ready_.empty(); };
  if (timeout_ms < 0)
    cv_.wait(lock, some);
  else if (timeout_ms > 0)
    cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), some);
  std::vector<std::size_t> out;
  out.swap(ready_);
  return out;
}

void FileWatch::join(WakeGroup& group, std::size_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  group_ = &group;
  id_ = id;
  if (changed_) group.mark(id);
  changed_ = false;
}

void FileWatch::wake(const char* name) {
  if (name && appeared_ && base_ == name) appeared_();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (group_) {
      group_->mark(id_);
      return;
    }
    changed_ = true;
  }
  cv_.notify_one();
}

int FileWatch::poll_ms() const {
  // Without inotify, or where it does not see other hosts' writes, poll;
  // with it, look now and then all the same (a lost event, a file not yet
  // there whose directory cannot be watched).
  const bool watched = file_wd_ >= 0 || dir_wd_ >= 0;
  return !watched ? kPollMs : remote_ ? kRemotePollMs : kSafetyPollMs;
}

void FileWatch::wait(int timeout_ms) {
  const int most = poll_ms();
  const int ms = timeout_ms < 0 ? most : std::min(timeout_ms, most);
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return changed_; });
  changed_ = false;
}

}  // namespace tracegrep
