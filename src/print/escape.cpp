#include "print/escape.hpp"

#include "util/hash.hpp"

namespace tracegrep {
namespace {

void hex_byte(std::string& out, unsigned char c) {
  out += "\\x";
  out += kHexDigits[c >> 4];
  out += kHexDigits[c & 15];
}

// Unicode code points a terminal acts on or that reorder what is shown.
bool unsafe_code_point(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) ||      // C1 controls (8-bit CSI...)
         (cp >= 0x202a && cp <= 0x202e) ||  // bidi embeddings, overrides
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f || cp == 0x2028 || cp == 0x2029 ||
         cp == 0xfeff;
}

}  // namespace

std::size_t utf8_sequence(std::string_view t, char32_t& cp) {
  const auto b0 = static_cast<unsigned char>(t[0]);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t len;
  char32_t min;
  if ((b0 & 0xe0) == 0xc0) {
    len = 2;
    cp = b0 & 0x1f;
    min = 0x80;
  } else if ((b0 & 0xf0) == 0xe0) {
    len = 3;
    cp = b0 & 0x0f;
    min = 0x800;
  } else if ((b0 & 0xf8) == 0xf0) {
    len = 4;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    return 0;
  }
  if (t.size() < len) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(t[i]);
    if ((b & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

void append_terminal_safe(std::string& out, std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    // Fast path over plain printable ASCII.
    std::size_t j = i;
    while (j < text.size()) {
      const auto c = static_cast<unsigned char>(text[j]);
      if (c < 0x20 || c >= 0x7f) break;
      ++j;
    }
    out.append(text, i, j - i);
    i = j;
    if (i >= text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n' || c == '\t') {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;
      continue;
    }
    if (c < 0x20 || c == 0x7f) {
      hex_byte(out, c);
      ++i;
      continue;
    }
    char32_t cp = 0;
    const std::size_t len = utf8_sequence(text.substr(i), cp);
    if (len == 0) {
      hex_byte(out, c);
      ++i;
    } else if (unsafe_code_point(cp)) {
      out += "\\u{";
      for (int shift = 12; shift >= 0; shift -= 4) out += kHexDigits[(cp >> shift) & 15];
      out += '}';
      i += len;
    } else {
      out.append(text, i, len);
      i += len;
    }
  }
}

void append_one_line(std::string& out, std::string_view text, bool terminal) {
  for (;;) {
    const std::size_t stop = text.find_first_of("\n\r\t");
    const std::string_view part = text.substr(0, stop);
    if (terminal)
      append_terminal_safe(out, part);
    else
      out.append(part);
    if (stop == std::string_view::npos) return;
    out += text[stop] == '\n' ? "\\n" : text[stop] == '\r' ? "\\r" : "\\t";
    text.remove_prefix(stop + 1);
  }
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        ++i;
        continue;
      case '\\':
        out += "\\\\";
        ++i;
        continue;
      case '\n':
        out += "\\n";
        ++i;
        continue;
      case '\r':
        out += "\\r";
        ++i;
        continue;
      case '\t':
        out += "\\t";
        ++i;
        continue;
      default:
        break;
    }
    if (c < 0x20) {
      out += "\\u00";
      out += kHexDigits[c >> 4];
      out += kHexDigits[c & 15];
      ++i;
      continue;
    }
    char32_t cp = 0;
    const std::size_t len = utf8_sequence(text.substr(i), cp);
    if (len == 0) {
      out += "\\ufffd";
      ++i;
    } else if (unsafe_code_point(
                   cp)) {  // bidi overrides, C1 controls: escaped, so valid JSON shows them inert
      out += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) out += kHexDigits[(cp >> shift) & 15];
      i += len;
    } else {
      out.append(text, i, len);
      i += len;
    }
  }
  out += '"';
}

}  // namespace tracegrep
