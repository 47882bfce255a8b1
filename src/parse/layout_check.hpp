// parse/: is an input in a layout tracegrep reads? Looked at only when an
// input gave no entry, to say why instead of exiting 1 in silence.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tracegrep {

struct LayoutCheck {
  std::size_t lines = 0;
  std::size_t timed = 0;   ///< lines that begin an entry (a timestamp first)
  std::size_t tagged = 0;  ///< of those, lines with a [req=…|session=…] tag
  std::string first_line;  ///< the first non-empty line, for the message
};

/// Checks the first lines of `head` (a cut last line is left out).
LayoutCheck check_layout(std::string_view head);

}  // namespace tracegrep
