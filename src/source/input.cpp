#include "source/input.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "source/follow.hpp"

namespace tracegrep {
namespace {

// Reads the first bytes of an input to look for gzip's magic: of a regular
// file with pread (its offset stays at 0, for a mapping or a plain read),
// of a pipe with read (they are then given to the stream first).
std::string sniff(int fd, bool regular, Error& error) {
  char magic[2];
  std::size_t have = 0;
  while (have < sizeof magic) {
    const ssize_t got = regular ? ::pread(fd, magic + have, sizeof magic - have, static_cast<off_t>(have))
                                : ::read(fd, magic + have, sizeof magic - have);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      error = Error::from_errno(errno);
      break;
    }
    if (got == 0) break;
    have += static_cast<std::size_t>(got);
  }
  return std::string(magic, have);
}

// Small files are read whole, with one read(2), into a buffer the thread
// keeps: in a log directory of many small rotated files a mapping per file
// (mmap, page faults, munmap), a reader's buffer and the extra read(2) of
// the gzip sniff per file cost more than the copy (bench/run-many.sh). A
// file no longer than the entry limit has no line to cut, so its bytes go
// to the assembler as they are.
constexpr off_t kReadWholeMax = off_t{1} << 20;

// Reads up to `size` bytes of `fd` into `buf`; fewer if it shrank meanwhile.
Error read_whole(int fd, off_t size, std::string& buf) {
  buf.resize(static_cast<std::size_t>(size));
  std::size_t have = 0;
  while (have < buf.size()) {
    const ssize_t got = ::read(fd, buf.data() + have, buf.size() - have);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return Error::from_errno(errno);
    if (got == 0) break;
    have += static_cast<std::size_t>(got);
  }
  buf.resize(have);
  return {};
}

}  // namespace

Flow feed_whole(std::string_view all, LineSink& lines) {
  const std::size_t last = all.rfind('\n');
  const std::size_t whole = last == std::string_view::npos ? 0 : last + 1;
  Flow flow = whole > 0 ? lines.feed(all.substr(0, whole)) : Flow::kContinue;
  if (flow != Flow::kStop && whole < all.size()) flow = lines.feed_last_line(all.substr(whole));
  if (flow != Flow::kStop) flow = lines.flush();
  return flow;
}

InputName input_name(const std::string& path) {
  if (path == "-") return {"(standard input)", "-"};
  return {path, path};
}

OpenInput::~OpenInput() {
  stream_.reset();
  if (fd_ > 2) ::close(fd_);
}

void OpenInput::read_instead() {
  kind_ = Kind::kStream;
  stream_ = std::make_unique<FdStream>(fd_, false);
}

Error open_input(const std::string& path, const InputOptions& options, OpenInput& out) {
  if (options.follow == FollowMode::kYes && path != "-") {
    out.stream_ = std::make_unique<FollowStream>(path, options.notice);
    return {};
  }
  const int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::from_errno(errno);
  out.fd_ = fd;
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Error::from_errno(errno);
  if (S_ISDIR(st.st_mode)) return Error::from_errno(EISDIR);
  const bool live = !S_ISREG(st.st_mode);
  std::string head;  // bytes already read, to be given to the stream first
  bool gzip = false;
  if (!live && st.st_size > 0 && st.st_size <= kReadWholeMax &&
      static_cast<std::size_t>(st.st_size) <= options.max_entry) {
    thread_local std::string whole;
    if (Error e = read_whole(fd, st.st_size, whole)) return e;
    if (!is_gzip_magic(whole.data(), whole.size())) {
      out.kind_ = OpenInput::Kind::kWhole;
      out.bytes_ = whole;
      return {};
    }
    head = whole;  // a small .gz: decompressed from what was read
    gzip = true;
  } else {
    if (!live) posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    Error error;
    const std::string magic = sniff(fd, !live, error);
    if (error) return error;
    gzip = is_gzip_magic(magic.data(), magic.size());
    if (!live && !gzip && st.st_size > 0) {
      out.kind_ = OpenInput::Kind::kMapped;
      out.size_ = st.st_size;
      return {};
    }
    if (live) head = magic;
  }

  out.stream_ = std::make_unique<FdStream>(fd, live, std::move(head));
  if (gzip) out.stream_ = std::make_unique<GzipStream>(std::move(out.stream_));
  return {};
}

}  // namespace tracegrep
