// parse/: is an input in a layout tracegrep reads? Looked at only when an
// input gave no entry, to say why instead of exiting 1 in silence.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "parse/header.hpp"

namespace tracegrep {

struct LayoutCheck {
  std::size_t lines = 0;
  std::size_t timed = 0;   ///< lines that begin an entry (a timestamp first)
  std::size_t tagged = 0;  ///< of those, lines with a [req=…|session=…] tag
  std::string first_line;  ///< the first non-empty line, for the message
};

/// Checks the first lines of `head` (a cut last line is left out).
LayoutCheck check_layout(std::string_view head);

/// Entries counted by the layout they were read as (`tracegrep layouts`,
/// and what the index records of each file).
struct LayoutCounts {
  static constexpr std::size_t kUntimed = 4;  ///< text lines without a time that begin entries
  std::array<std::uint64_t, 5> n{};           ///< by Layout, then kUntimed
  void add(const Header& h) {
    ++n[h.layout == Layout::kText && !h.has_ts ? kUntimed : static_cast<std::size_t>(h.layout)];
  }
  std::uint64_t total() const { return n[0] + n[1] + n[2] + n[3] + n[4]; }
};

/// The layout most entries were read as: "text", "json", "logfmt",
/// "--log-format", "mixed, mostly json" when others are there too, or "no
/// known layout" when only untimed text is.
std::string dominant_layout(const LayoutCounts& c);

/// Each layout's count: "1 text, 2 json, 1 untimed text".
std::string layout_parts(const LayoutCounts& c);

}  // namespace tracegrep
