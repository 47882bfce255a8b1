// parse/: where entries begin. A line with a timestamp always begins one. A
// line without one continues the entry above only when it looks like a
// continuation; any other untimed line (a uvicorn access line, print()
// output) is an entry of its own, without timestamp or ids, so that it is
// never glued onto whatever request logged last:
//   - blank or indented lines (traceback frames, Java "\tat ...", "... 3 more");
//   - "Traceback (most recent call last):", "During handling of the above
//     exception, another exception occurred:", "The above exception was the
//     direct cause of the following exception:", Java's "Caused by: ...";
//   - inside a traceback, the exception line that ends it: a dotted name
//     alone or followed by ":" ("ValueError: bad amount", "KeyboardInterrupt").
// A line the user's layout (--log-format) reads always begins an entry.
// The scan, the index's chunker and its queries all decide with this class,
// so they group lines alike.
#pragma once

#include <functional>
#include <string_view>

namespace tracegrep {

class EntryBoundary {
 public:
  /// True when `line` (with or without its '\n') begins an entry. Lines are
  /// given in order: whether a traceback is open is remembered.
  bool begins(std::string_view line);
  /// A new input, or a position known to begin an entry.
  void reset() {
    in_traceback_ = false;
    in_quote_ = false;
  }
  /// The entry just begun left a logfmt quote open (Header::open_quote): the
  /// lines up to the one that closes it continue it, unless one begins with
  /// a timestamp or is a JSON object.
  void open_quote() { in_quote_ = true; }

 private:
  bool in_traceback_ = false;
  bool in_quote_ = false;
};

/// True when an untimed line looks like a continuation outside a traceback.
bool looks_like_continuation(std::string_view line);

/// Replaces the rule above for lines that do not begin an entry by
/// themselves (--continuation REGEX): such a line continues the entry above
/// when `is_continuation` says so, else begins one of its own. Set once,
/// before any input is read; an empty function restores the built-in rule.
void set_continuation_rule(std::function<bool(std::string_view line)> is_continuation);

}  // namespace tracegrep
