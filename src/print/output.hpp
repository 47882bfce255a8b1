// print/: entries -> bytes. Output is the buffered writer every printer uses;
// a closed pipe (`| head`) turns into a quiet stop, not an error.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace tracegrep {

class Output {
 public:
  explicit Output(int fd);
  /// Hands what it would write to `drain` instead of a descriptor (the
  /// held-back output of an input searched on a worker thread).
  explicit Output(std::function<void(std::string_view)> drain);
  ~Output();
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  void write(std::string_view bytes) {
    if (buf_.size() + bytes.size() > kFlushAt)
      flush_full(bytes);
    else
      buf_.append(bytes);
  }
  void put(char c) {
    buf_.push_back(c);
    if (buf_.size() >= kFlushAt) flush();
  }
  /// Writes what is buffered.
  void flush();
  /// The reader went away (EPIPE), or stop() was called: stop quietly.
  bool closed() const { return closed_; }
  /// Nothing more is wanted (-q found its match): drop what is buffered and
  /// stop, as if the reader went away.
  void stop() {
    buf_.clear();
    closed_ = true;
  }
  /// A write failed for another reason (disk full...): reported, exit 2.
  const std::string& error() const { return error_; }
  bool is_terminal() const { return terminal_; }

 private:
  static constexpr std::size_t kFlushAt = std::size_t{64} << 10;
  void flush_full(std::string_view more);
  void write_all(std::string_view bytes);

  int fd_ = -1;
  std::function<void(std::string_view)> drain_;
  bool terminal_ = false;
  bool closed_ = false;
  std::string error_;
  std::string buf_;
};

}  // namespace tracegrep
