#include "parse/boundary.hpp"

#include "parse/header.hpp"
#include "parse/log_format.hpp"
#include "tracegrep/format.hpp"

namespace tracegrep {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

// "ValueError: x", "requests.exceptions.ConnectionError", "KeyboardInterrupt".
bool exception_line(std::string_view line) {
  if (line.empty() ||
      !((line[0] >= 'A' && line[0] <= 'Z') || (line[0] >= 'a' && line[0] <= 'z') || line[0] == '_'))
    return false;
  std::size_t i = 0;
  while (i < line.size() && is_name_char(line[i])) ++i;
  return i == line.size() || line[i] == ':';
}

std::function<bool(std::string_view)> g_rule;

}  // namespace

void set_continuation_rule(std::function<bool(std::string_view)> is_continuation) {
  g_rule = std::move(is_continuation);
}

bool looks_like_continuation(std::string_view line) {
  line = chomp(line);
  if (line.empty() || line[0] == ' ' || line[0] == '\t') return true;
  return starts_with(line, "Traceback (most recent call last):") ||
         starts_with(line, "During handling of the above exception") ||
         starts_with(line, "The above exception was the direct cause") || starts_with(line, "Caused by: ");
}

bool EntryBoundary::begins(std::string_view line) {
  const std::string_view l = chomp(line);
  Header h;
  if (format::starts_entry(line) || begins_structured(line) ||
      (log_format::configured() && log_format::parse(l, h))) {
    in_traceback_ = in_quote_ = false;
    return true;
  }
  if (g_rule) return !g_rule(l);
  // Binary junk (a NUL byte: a crash's zero-filled block, a binary file) is
  // never glued onto the entry above: it is an entry of its own, without ids.
  if (l.find('\0') != std::string_view::npos) {
    in_traceback_ = in_quote_ = false;
    return true;
  }
  if (in_quote_) {
    for (std::size_t i = 0; i < l.size(); ++i) {
      if (l[i] == '\\') {
        ++i;
      } else if (l[i] == '"') {
        in_quote_ = false;
        break;
      }
    }
    return false;
  }
  if (starts_with(l, "Traceback (most recent call last):")) {
    in_traceback_ = true;
    return false;
  }
  if (looks_like_continuation(l)) return false;
  if (in_traceback_ && exception_line(l)) {
    in_traceback_ = false;  // the exception line ends the traceback
    return false;
  }
  in_traceback_ = false;
  return true;
}

}  // namespace tracegrep
