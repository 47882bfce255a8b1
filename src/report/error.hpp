// report/: what went wrong, as a code. An Error carries errno (or our own
// condition's text, for reasons no errno names) and is rendered into a
// message once, where it is reported; callers decide by the code, never by
// comparing message text.
#pragma once

#include <string>
#include <utility>

namespace tracegrep {

class Error {
 public:
  Error() = default;  ///< no error
  static Error from_errno(int code) {
    Error e;
    e.errno_ = code;
    return e;
  }
  /// A condition of our own, as the user should read it ("file shrank while being read").
  static Error condition(std::string text) {
    Error e;
    e.text_ = std::move(text);
    return e;
  }
  explicit operator bool() const { return errno_ != 0 || !text_.empty(); }
  /// The errno, or 0 when the error is not a system error.
  int sys() const { return errno_; }
  /// The reason as the user reads it ("No such file or directory").
  std::string message() const;

 private:
  int errno_ = 0;
  std::string text_;
};

}  // namespace tracegrep
