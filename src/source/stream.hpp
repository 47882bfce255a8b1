// source/: where bytes come from. A ByteStream yields bytes from a file
// descriptor, a gzip decoder over another stream, or a followed file; the
// LineFeeder (feeder.hpp) turns them into whole lines for the assembler.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "report/error.hpp"

namespace tracegrep {

class WakeGroup;

enum class ReadStatus {
  kData,     ///< n > 0 bytes were read
  kEof,      ///< the input is finished
  kIdle,     ///< nothing arrived within the timeout (live inputs only)
  kRestart,  ///< a followed file was replaced or truncated: new content starts
  kError,    ///< see error()
};

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  /// Reads up to `cap` bytes. `timeout_ms` < 0 waits as long as needed; a
  /// stream that is not live ignores it.
  virtual ReadStatus read(char* buf, std::size_t cap, std::size_t& n, int timeout_ms) = 0;
  /// True when reads may block waiting for a writer (pipe, terminal, follow).
  virtual bool live() const = 0;
  /// A live stream that one event loop can read with many others (a
  /// followed file): from now on, a change marks `id` in `group`, to be
  /// read with timeout 0. False when it cannot (it then needs a thread).
  virtual bool join(WakeGroup& /*group*/, std::size_t /*id*/) { return false; }
  /// A joined stream that last read nothing wants to be read again within
  /// this long even when no change is marked (a poll, a rotation's quiet
  /// time running out); < 0: only when marked.
  virtual int due_in_ms() const { return -1; }
  const Error& error() const { return error_; }

 protected:
  Error error_;
};

/// Reads a file descriptor; pipes, sockets and terminals are polled so that a
/// timeout can be honoured. Bytes already read (a sniffed magic) come first.
class FdStream : public ByteStream {
 public:
  FdStream(int fd, bool live, std::string prefix = {});
  ReadStatus read(char* buf, std::size_t cap, std::size_t& n, int timeout_ms) override;
  bool live() const override { return live_; }

 private:
  int fd_;
  bool live_;
  std::string prefix_;
};

/// Decompresses gzip (concatenated members too) from another stream.
class GzipStream : public ByteStream {
 public:
  explicit GzipStream(std::unique_ptr<ByteStream> inner);
  ~GzipStream() override;
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;
  ReadStatus read(char* buf, std::size_t cap, std::size_t& n, int timeout_ms) override;
  bool live() const override { return inner_->live(); }

 private:
  std::unique_ptr<ByteStream> inner_;
  z_stream z_{};
  std::vector<char> in_;
  bool inner_eof_ = false;
  bool member_done_ = false;  // the last member ended; another may follow
  bool finished_ = false;
  bool failed_ = false;
};

/// True when the bytes start with gzip's magic number.
inline bool is_gzip_magic(const char* p, std::size_t n) {
  return n >= 2 && static_cast<unsigned char>(p[0]) == 0x1f && static_cast<unsigned char>(p[1]) == 0x8b;
}

}  // namespace tracegrep
