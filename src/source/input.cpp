#include "source/input.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "source/follow.hpp"
#include "source/mapped.hpp"

namespace tracegrep {
namespace {

// Closes the descriptor it owns (never stdin).
class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ > 2) ::close(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;

 private:
  int fd_;
};

// Reads the first bytes of a stream to look for gzip's magic.
std::string sniff(int fd, std::string& error) {
  char magic[2];
  std::size_t have = 0;
  while (have < sizeof magic) {
    const ssize_t got = ::read(fd, magic + have, sizeof magic - have);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      error = std::strerror(errno);
      break;
    }
    if (got == 0) break;
    have += static_cast<std::size_t>(got);
  }
  return std::string(magic, have);
}

}  // namespace

InputName input_name(const std::string& path) {
  if (path == "-") return {"(standard input)", "-"};
  return {path, path};
}

FeedOutcome scan_input(const std::string& path, Assembler& assembler, EntrySink& sink,
                       const InputOptions& options) {
  assembler.reset();
  LineFeeder feeder(assembler, sink, options.max_entry);
  if (options.follow == FollowMode::kYes && path != "-") {
    FollowStream stream(path, options.notice);
    return feeder.run(stream);
  }
  const int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {Flow::kContinue, std::strerror(errno)};
  FdGuard guard(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return {Flow::kContinue, std::strerror(errno)};
  if (S_ISDIR(st.st_mode)) return {Flow::kContinue, std::strerror(EISDIR)};
  const bool live = !S_ISREG(st.st_mode);
  if (!live) posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::string error;
  std::string head = sniff(fd, error);
  if (!error.empty()) return {Flow::kContinue, error};
  const bool gzip = is_gzip_magic(head.data(), head.size());
  if (!live && !gzip && st.st_size > 0) {
    bool mapped = false;
    FeedOutcome outcome = scan_mapped(fd, st.st_size, assembler, sink, options.max_entry, mapped);
    if (mapped) return outcome;  // else (a file system without mmap) read it
  }
  std::unique_ptr<ByteStream> stream = std::make_unique<FdStream>(fd, live, std::move(head));
  if (gzip) stream = std::make_unique<GzipStream>(std::move(stream));
  return feeder.run(*stream);
}

}  // namespace tracegrep
