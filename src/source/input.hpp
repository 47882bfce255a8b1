// source/: opens one input (a path, "-" for stdin) and sizes it up: a small
// regular file is read whole, a larger one mapped, gzip (found by its magic
// bytes) decompressed, pipes and terminals read live, a followed file
// followed. It yields bytes, whole-line windows or a stream; what reads the
// lines is the search stage's.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "parse/entry.hpp"
#include "parse/line_sink.hpp"
#include "report/error.hpp"
#include "source/stream.hpp"

namespace tracegrep {

enum class FollowMode { kNo, kYes };

struct InputOptions {
  std::size_t max_entry = std::size_t{1} << 20;
  FollowMode follow = FollowMode::kNo;
  /// Receives notices about a followed file (rotated, truncated).
  std::function<void(const std::string&)> notice;
};

/// The names an input is shown by: `-` is "(standard input)" in text, "-" in JSON.
InputName input_name(const std::string& path);

/// An opened input, and how it is best read.
class OpenInput {
 public:
  enum class Kind {
    kWhole,   ///< a small regular file, read: bytes()
    kMapped,  ///< a regular file to map: fd(), size()
    kStream,  ///< everything else: stream()
  };
  OpenInput() = default;
  ~OpenInput();
  OpenInput(const OpenInput&) = delete;
  OpenInput& operator=(const OpenInput&) = delete;

  Kind kind() const { return kind_; }
  std::string_view bytes() const { return bytes_; }
  int fd() const { return fd_; }
  off_t size() const { return size_; }
  ByteStream& stream() { return *stream_; }
  /// A mapped file on a file system that cannot map: read it as a stream.
  void read_instead();

 private:
  friend Error open_input(const std::string& path, const InputOptions& options, OpenInput& out);
  Kind kind_ = Kind::kStream;
  int fd_ = -1;
  off_t size_ = 0;
  std::string_view bytes_;
  std::unique_ptr<ByteStream> stream_;
};

/// Opens `path` into `out`; the error alone ("No such file or directory")
/// when it cannot, the caller names the input.
Error open_input(const std::string& path, const InputOptions& options, OpenInput& out);

/// Feeds a whole input's bytes to `lines` (its last line may lack '\n')
/// and completes it. For inputs no longer than the entry limit: no line is cut.
Flow feed_whole(std::string_view bytes, LineSink& lines);

}  // namespace tracegrep
