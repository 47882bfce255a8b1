#include "parse/layout_check.hpp"

#include "parse/header.hpp"

namespace tracegrep {

LayoutCheck check_layout(std::string_view head) {
  LayoutCheck c;
  const std::size_t end = head.rfind('\n');
  if (end == std::string_view::npos) return c;  // not even one whole line
  head = head.substr(0, end + 1);
  while (!head.empty()) {
    const std::size_t nl = head.find('\n');
    const std::string_view line = chomp(head.substr(0, nl + 1));
    head.remove_prefix(nl + 1);
    if (line.empty()) continue;
    ++c.lines;
    if (c.first_line.empty()) c.first_line = std::string(line.substr(0, 80));
    Header h;
    if (!parse_header(line, h)) continue;
    ++c.timed;
    if (h.has_tag) ++c.tagged;
  }
  return c;
}

}  // namespace tracegrep
