#include "print/table.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>

namespace tracegrep {
namespace {

constexpr std::string_view kEllipsis = "\u2026";
constexpr std::size_t kMinShrunk = 8;  // a shortened column keeps at least this much

// The code point at `s[i]` and its length in bytes (a bad byte is itself).
char32_t decode(std::string_view s, std::size_t i, std::size_t& len) {
  const auto b = static_cast<unsigned char>(s[i]);
  len = 1;
  if (b < 0x80) return b;
  std::size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
  if (n == 1 || i + n > s.size()) return b;
  char32_t c = b & (0x3F >> (n - 1));
  for (std::size_t k = 1; k < n; ++k) {
    const auto cb = static_cast<unsigned char>(s[i + k]);
    if ((cb & 0xC0) != 0x80) return b;
    c = (c << 6) | (cb & 0x3F);
  }
  len = n;
  return c;
}

std::size_t columns_of(char32_t c) {
  if (c < 0x20 || (c >= 0x7F && c < 0xA0)) return 0;
  if ((c >= 0x300 && c <= 0x36F) || (c >= 0x200B && c <= 0x200F) || (c >= 0xFE00 && c <= 0xFE0F)) return 0;
  const bool wide = (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
                    (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
                    (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
                    (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
                    (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
  return wide ? 2 : 1;
}

}  // namespace

std::size_t display_width(std::string_view text) {
  std::size_t w = 0;
  for (std::size_t i = 0, len = 0; i < text.size(); i += len) w += columns_of(decode(text, i, len));
  return w;
}

std::string fit_to_width(std::string_view text, std::size_t width) {
  if (display_width(text) <= width) return std::string(text);
  if (width == 0) return {};
  std::string out;
  std::size_t w = 0;
  for (std::size_t i = 0, len = 0; i < text.size(); i += len) {
    const std::size_t c = columns_of(decode(text, i, len));
    if (w + c > width - 1) break;
    out.append(text.substr(i, len));
    w += c;
  }
  out += kEllipsis;
  return out;
}

void Table::write(Output& out, std::size_t width, bool color) const {
  const std::size_t n = columns_.size();
  std::vector<std::size_t> natural(n, 0);
  for (std::size_t c = 0; c < n; ++c) {
    natural[c] = display_width(columns_[c].title);
    for (const auto& row : rows_)
      if (c < row.size()) natural[c] = std::max(natural[c], display_width(row[c].text));
  }
  std::vector<std::size_t> w;
  std::size_t gap = 2;
  auto total = [&] {
    std::size_t t = n > 0 ? (n - 1) * gap : 0;
    for (const std::size_t x : w) t += x;
    return t;
  };
  // Shortens the text columns, the last (messages, sources) first, down to
  // kMinShrunk each; true when the table then fits.
  auto fit = [&](std::size_t g) {
    gap = g;
    w = natural;
    for (std::size_t c = n; total() > width && c-- > 0;) {
      if (!columns_[c].shrinks || w[c] <= kMinShrunk) continue;
      const std::size_t over = total() - width;
      w[c] = std::max(kMinShrunk, w[c] > over ? w[c] - over : 0);
    }
    return total() <= width;
  };
  std::size_t shown = n;  // columns written: those that fit whole
  if (width == 0) {
    w = natural;
  } else if (!fit(2) && !fit(1)) {
    std::size_t used = 0;
    for (shown = 0; shown < n; ++shown) {
      const std::size_t need = (shown > 0 ? gap : 0) + w[shown];
      if (used + need > width) break;
      used += need;
    }
    if (shown == 0) {  // not even the first: it is cut
      w[0] = width;
      shown = 1;
    }
  }
  std::string line;
  auto emit = [&](const std::vector<Cell>& cells, bool title) {
    line.clear();
    for (std::size_t c = 0; c < shown; ++c) {
      std::string text = c < cells.size() ? cells[c].text : std::string();
      std::size_t tw = display_width(text);
      if (tw > w[c]) {
        text = fit_to_width(text, w[c]);
        tw = display_width(text);
      }
      std::size_t pad = w[c] - tw;
      if (c + 1 == shown && columns_[c].align == Align::kLeft) pad = 0;  // no trailing blanks
      if (c > 0) line.append(gap, ' ');
      const std::string_view sgr = title ? std::string_view("\x1b[1m") : cells[c].color;
      if (columns_[c].align == Align::kRight) line.append(pad, ' ');
      if (color && !sgr.empty()) line += sgr;
      line += text;
      if (color && !sgr.empty()) line += "\x1b[0m";
      if (columns_[c].align == Align::kLeft) line.append(pad, ' ');
    }
    line += '\n';
    out.write(line);
  };
  std::vector<Cell> titles;
  for (const auto& c : columns_) titles.push_back({c.title, {}});
  emit(titles, true);
  for (const auto& row : rows_) emit(row, false);
}

std::size_t table_width(std::size_t given) {
  if (given > 0) return given;
  winsize ws{};
  if (::isatty(1) && ::ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 0;
}

}  // namespace tracegrep
