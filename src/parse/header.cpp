// The layouts accepted after the timestamp, since services configure their
// formatters differently:
//   ts - LEVEL - [tag] - message     (Python's reference layout)
//   ts LEVEL [tag] message           (plain spaces)
//   ts [LEVEL] [tag] message         (bracketed level)
// Level and tag are each optional; an unknown word is message text, and so is
// a broken tag (no ']', an empty value, neither req nor session).
#include "parse/header.hpp"

namespace tracegrep {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

// Skips a field separator: blanks, optionally "-" and more blanks. Returns the
// position after it; `pos` itself when there is none.
std::size_t skip_separator(std::string_view s, std::size_t pos) {
  std::size_t p = pos;
  while (p < s.size() && is_space(s[p])) ++p;
  if (p < s.size() && s[p] == '-' && p + 1 < s.size() && is_space(s[p + 1])) {
    ++p;
    while (p < s.size() && is_space(s[p])) ++p;
  }
  return p;
}

// A field ends at a blank or at the end of the line.
bool field_ends(std::string_view s, std::size_t pos) { return pos == s.size() || is_space(s[pos]); }

// Tries a level at s[pos]: "LEVEL" or "[LEVEL]". Returns bytes used or 0.
std::size_t parse_level_field(std::string_view s, std::size_t pos, Header& out) {
  const bool bracket = pos < s.size() && s[pos] == '[';
  std::size_t start = pos + (bracket ? 1 : 0);
  std::size_t end = start;
  while (end < s.size() && end - start <= 8 &&
         ((s[end] >= 'A' && s[end] <= 'Z') || (s[end] >= 'a' && s[end] <= 'z'))) {
    ++end;
  }
  const auto level = format::parse_level(s.substr(start, end - start));
  if (!level) return 0;
  std::size_t after = end;
  if (bracket) {
    if (after >= s.size() || s[after] != ']') return 0;
    ++after;
  }
  if (!field_ends(s, after)) return 0;
  out.level = *level;
  out.level_text = s.substr(start, end - start);
  return after - pos;
}

// Tries a tag at s[pos]. Returns bytes used or 0 (then it is message text).
std::size_t parse_tag_field(std::string_view s, std::size_t pos, Header& out) {
  if (pos >= s.size() || s[pos] != format::kTagOpen) return 0;
  std::size_t p = pos + 1;
  std::string_view req, session;
  bool have_req = false, have_session = false;
  for (;;) {
    const std::size_t key_start = p;
    while (p < s.size() && format::is_key_char(static_cast<unsigned char>(s[p]))) ++p;
    if (p == key_start || p >= s.size() || s[p] != format::kKeyValueSeparator) return 0;
    const std::string_view key = s.substr(key_start, p - key_start);
    const std::size_t value_start = ++p;
    while (p < s.size() && format::is_value_char(static_cast<unsigned char>(s[p]))) ++p;
    if (p == value_start || p >= s.size()) return 0;
    const std::string_view value = s.substr(value_start, p - value_start);
    if (key == format::kRequestKey) {
      if (have_req) return 0;  // two ids in one tag would make the entry ambiguous
      have_req = true;
      req = value;
    } else if (key == format::kSessionKey) {
      if (have_session) return 0;
      have_session = true;
      session = value;
    }
    if (s[p] == format::kTagClose) break;
    if (s[p] != format::kPairSeparator) return 0;
    ++p;
  }
  ++p;  // past ']'
  if (!(have_req || have_session) || !field_ends(s, p)) return 0;
  out.has_tag = true;
  out.tag = s.substr(pos, p - pos);
  out.req = req == format::kNoneValue ? std::string_view{} : req;
  out.session = session == format::kNoneValue ? std::string_view{} : session;
  return p - pos;
}

}  // namespace

bool parse_header(std::string_view line, Header& out) {
  line = chomp(line);
  out = Header{};
  const std::size_t ts_len = format::parse_timestamp(line, out.ts);
  if (ts_len == 0 || !field_ends(line, ts_len)) {
    out.ts = {};
    out.message = line;
    return false;
  }
  out.has_ts = true;
  std::size_t pos = skip_separator(line, ts_len);
  if (const std::size_t n = parse_level_field(line, pos, out)) pos = skip_separator(line, pos + n);
  if (const std::size_t n = parse_tag_field(line, pos, out)) pos = skip_separator(line, pos + n);
  out.message = line.substr(pos);
  return true;
}

}  // namespace tracegrep
