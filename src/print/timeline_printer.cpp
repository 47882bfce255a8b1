#include "print/timeline_printer.hpp"

#include <fmt/format.h>

#include "print/escape.hpp"

namespace tracegrep {
namespace {

std::string ms(std::int64_t ns) { return fmt::format("{:.3f} ms", static_cast<double>(ns) / 1e6); }

std::string_view level_color(format::Level l) {
  switch (l) {
    case format::Level::kError: return "\x1b[1;31m";
    case format::Level::kCritical: return "\x1b[1;37;41m";
    case format::Level::kWarning: return "\x1b[33m";
    default: return {};
  }
}

}  // namespace

void print_request_timeline(const timeline::Request& r, Output& out, const TextStyle& style) {
  const bool color = style.color == Color::kOn;
  auto text = [&](std::string_view s) {
    if (style.safety == Safety::kRaw) return std::string(s);
    std::string safe;
    append_terminal_safe(safe, s);
    return safe;
  };
  std::string sources;
  for (const auto& s : r.sources) sources += (sources.empty() ? "" : ", ") + text(s);
  out.write(fmt::format("request {}  session {}  sources: {}\n", text(r.request.empty() ? "none" : r.request),
                        text(r.session.empty() ? "none" : r.session), sources));
  const std::string start = r.start ? format::format_iso(*r.start) : "unknown";
  const std::string end = r.end ? format::format_iso(*r.end) : "unknown";
  out.write(fmt::format("start {}  end {}  duration {}  entries {}  highest {}\n\n", start, end, ms(r.duration_ns),
                        r.items.size(), r.highest == format::Level::kNone ? "none" : format::level_name(r.highest)));
  std::size_t source_width = 0;
  for (const auto& s : r.sources) source_width = std::max(source_width, text(s).size());
  const std::size_t indent = 14 + 16 + 9 + source_width + 2;
  for (std::size_t i = 0; i < r.items.size(); ++i) {
    const timeline::Item& it = r.items[i];
    const std::string offset = it.has_ts ? "+" + ms(r.offset_ns[i]) : "";
    const std::string gap = i == 0 || !it.has_ts ? "" : "(+" + ms(r.gap_ns[i]) + ")";
    const std::string level = it.level_text.empty() ? "-" : std::string(format::level_name(it.level));
    std::string line = fmt::format("{:>13} {:>15} ", offset, gap);
    const std::string_view lc = color ? level_color(it.level) : std::string_view();
    line += lc;
    line += fmt::format("{:<8}", level);
    if (!lc.empty()) line += "\x1b[0m";
    line += fmt::format(" {:<{}}  ", text(it.source), source_width);
    line += text(it.message);
    if (r.largest_gap && *r.largest_gap == i) line += color ? "  \x1b[7m<- largest gap\x1b[0m" : "  <- largest gap";
    line += '\n';
    for (const auto& c : it.continuation) line += std::string(indent, ' ') + text(c) + '\n';
    out.write(line);
  }
  if (r.largest_gap) {
    const std::size_t i = *r.largest_gap;
    const double share = r.duration_ns > 0 ? 100.0 * static_cast<double>(r.gap_ns[i]) / static_cast<double>(r.duration_ns) : 0;
    out.write(fmt::format("\nlargest gap: {} before {}:{} ({:.1f}% of the request)\n", ms(r.gap_ns[i]),
                          text(r.items[i].source), r.items[i].line, share));
  }
  for (const auto& n : r.notes) out.write(fmt::format("note: {}\n", text(n)));
}

}  // namespace tracegrep
