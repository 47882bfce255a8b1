#include "parse/layout_check.hpp"

#include "parse/header.hpp"

namespace tracegrep {
namespace {
constexpr std::array<std::string_view, 5> kNames{"text", "json", "logfmt", "--log-format", "untimed text"};
}  // namespace

std::string dominant_layout(const LayoutCounts& c) {
  std::size_t best = LayoutCounts::kUntimed;
  for (std::size_t i = 0; i < LayoutCounts::kUntimed; ++i)
    if (c.n[i] > 0 && (best == LayoutCounts::kUntimed || c.n[i] > c.n[best])) best = i;
  if (best == LayoutCounts::kUntimed) return "no known layout";
  std::string name(kNames[best]);
  return c.n[best] + c.n[LayoutCounts::kUntimed] < c.total() ? "mixed, mostly " + name : name;
}

std::string layout_parts(const LayoutCounts& c) {
  std::string out;
  for (std::size_t i = 0; i < c.n.size(); ++i) {
    if (c.n[i] == 0) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(c.n[i]) + " " + std::string(kNames[i]);
  }
  return out;
}

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
