#include "print/timeline_printer.hpp"

#include <fmt/format.h>

#include <limits>

#include "print/colors.hpp"
#include "print/escape.hpp"
#include "print/table.hpp"

namespace tracegrep {
namespace {

std::string ms(std::int64_t ns) {
  // Durations are held at int64's end past 292 years (timeline::diff_ns).
  if (ns == std::numeric_limits<std::int64_t>::max()) return "over 292 years";
  return fmt::format("{:.3f} ms", static_cast<double>(ns) / 1e6);
}

// Every field of a timeline or table stays on its line: ids, sources and
// messages are untrusted and must not break a row or forge one.
std::string safe_text(std::string_view s, const TextStyle& style) {
  std::string out;
  append_one_line(out, s, style.safety == Safety::kTerminal);
  return out;
}

}  // namespace

void print_request_timeline(const timeline::Request& r, Output& out, const TextStyle& style) {
  auto text = [&](std::string_view s) { return safe_text(s, style); };
  std::string sources;
  for (const auto& s : r.sources) sources += (sources.empty() ? "" : ", ") + text(s);
  out.write(fmt::format("request {}  session {}  sources: {}\n", text(r.request.empty() ? "none" : r.request),
                        text(r.session.empty() ? "none" : r.session), sources));
  const std::string start = r.start ? format::format_iso(*r.start) : "unknown";
  const std::string end = r.end ? format::format_iso(*r.end) : "unknown";
  out.write(fmt::format("start {}  end {}  duration {}  entries {}  highest {}\n\n", start, end,
                        ms(r.duration_ns), r.items.size(),
                        r.highest == format::Level::kNone ? "none" : format::level_name(r.highest)));
  print_timeline_entries(r, out, style, false);
}

void print_timeline_entries(const timeline::Request& r, Output& out, const TextStyle& style,
                            bool with_request) {
  const bool color = style.color == Color::kOn;
  auto text = [&](std::string_view s) { return safe_text(s, style); };
  std::size_t source_width = 0;
  for (const auto& s : r.sources) source_width = std::max(source_width, text(s).size());
  std::size_t request_width = 0;
  if (with_request) {
    for (const auto& it : r.items)
      request_width = std::max(request_width, text(it.request.empty() ? "none" : it.request).size());
  }
  const std::size_t indent = 14 + 16 + 9 + (with_request ? request_width + 1 : 0) + source_width + 2;
  for (std::size_t i = 0; i < r.items.size(); ++i) {
    const timeline::Item& it = r.items[i];
    std::string offset;
    if (it.has_ts) offset.append("+").append(ms(r.offset_ns[i]));
    const std::string gap = i == 0 || !it.has_ts ? "" : "(+" + ms(r.gap_ns[i]) + ")";
    const std::string level = it.level_text.empty() ? "-" : std::string(format::level_name(it.level));
    std::string line = fmt::format("{:>13} {:>15} ", offset, gap);
    const std::string_view lc =
        color ? (format::level_rank(it.level) >= format::level_rank(format::Level::kWarning)
                     ? colors::level(it.level)
                     : std::string_view())
              : std::string_view();
    line += lc;
    line += fmt::format("{:<8}", level);
    if (!lc.empty()) line += "\x1b[0m";
    if (with_request)
      line += fmt::format(" {:<{}}", text(it.request.empty() ? "none" : it.request), request_width);
    line += fmt::format(" {:<{}}  ", text(it.source), source_width);
    line += text(it.message);
    if (r.largest_gap && *r.largest_gap == i)
      line += color ? "  \x1b[7m<- largest gap\x1b[0m" : "  <- largest gap";
    line += '\n';
    for (const auto& c : it.continuation) line += std::string(indent, ' ') + text(c) + '\n';
    out.write(line);
  }
  if (r.largest_gap) {
    const std::size_t i = *r.largest_gap;
    const double share =
        r.duration_ns > 0 ? 100.0 * static_cast<double>(r.gap_ns[i]) / static_cast<double>(r.duration_ns) : 0;
    out.write(fmt::format("\nlargest gap: {} before {}:{} ({:.1f}% of the {})\n", ms(r.gap_ns[i]),
                          text(r.items[i].source), r.items[i].line, share,
                          with_request ? "session" : "request"));
  }
  for (const auto& n : r.notes) out.write(fmt::format("note: {}\n", text(n)));
}

namespace {

std::string join_sources(const std::vector<std::string_view>& sources, const TextStyle& style) {
  std::string out;
  for (const auto& s : sources) {
    if (!out.empty()) out += ',';
    out += safe_text(s, style);
  }
  return out;
}

std::string level_or_dash(format::Level l) {
  return l == format::Level::kNone ? "-" : std::string(format::level_name(l));
}

std::string short_time(const std::optional<format::Timestamp>& t) {
  return t ? format::format_iso(*t) : std::string("-");
}

}  // namespace

void print_requests_table(const timeline::Summaries& requests, Output& out, const TextStyle& style,
                          std::size_t width) {
  using A = Table::Align;
  Table t({{"request"},
           {"session"},
           {"start"},
           {"duration", A::kRight},
           {"entries", A::kRight},
           {"highest"},
           {"sources", A::kLeft, true}});
  for (const auto& r : requests) {
    t.add({{safe_text(r.request.empty() ? "none" : r.request, style)},
           {safe_text(r.session.empty() ? "none" : r.session, style)},
           {short_time(r.start)},
           {ms(r.duration_ns)},
           {std::to_string(r.entries)},
           {level_or_dash(r.highest), colors::level(r.highest)},
           {join_sources(r.sources, style)}});
  }
  t.write(out, width, style.color == Color::kOn);
}

void print_sessions_table(const std::vector<timeline::SessionSummary>& sessions, Output& out,
                          const TextStyle& style, std::size_t width) {
  using A = Table::Align;
  Table t({{"session"},
           {"first"},
           {"last"},
           {"requests", A::kRight},
           {"entries", A::kRight},
           {"errors", A::kRight},
           {"highest"}});
  for (const auto& s : sessions) {
    t.add(
        {{safe_text(s.session, style)},
         {short_time(s.first)},
         {short_time(s.last)},
         {std::to_string(s.requests)},
         {std::to_string(s.entries)},
         {std::to_string(s.errors), s.errors > 0 ? colors::level(format::Level::kError) : std::string_view()},
         {level_or_dash(s.highest), colors::level(s.highest)}});
  }
  t.write(out, width, style.color == Color::kOn);
}

void print_session(std::string_view session, const timeline::Summaries& requests, Output& out,
                   const TextStyle& style, std::size_t width, std::size_t table_width) {
  const bool color = style.color == Color::kOn;
  std::optional<format::Timestamp> first, last;
  std::size_t entries = 0;
  for (const auto& r : requests) {
    entries += r.entries;
    if (r.start && (!first || *r.start < *first)) first = r.start;
    if (r.end && (!last || *last < *r.end)) last = r.end;
  }
  const std::int64_t span = first && last ? timeline::diff_ns(*first, *last) : 0;
  // The session's figures, on as many lines as the width needs.
  const std::string fields[] = {"session " + safe_text(session, style),
                                fmt::format("requests {}", requests.size()),
                                fmt::format("entries {}", entries),
                                "start " + short_time(first),
                                "end " + short_time(last),
                                "duration " + ms(span)};
  std::string figures;
  for (const std::string& f : fields) {
    if (!figures.empty() && table_width > 0 && display_width(figures) + 2 + display_width(f) > table_width) {
      out.write(figures + "\n");
      figures.clear();
    }
    figures += (figures.empty() ? "" : "  ") + f;
  }
  out.write(figures + "\n");
  out.write("\n");
  using A = Table::Align;
  Table table({{"request"},
               {"start"},
               {"duration", A::kRight},
               {"entries", A::kRight},
               {"highest"},
               {"sources", A::kLeft, true},
               {"first message", A::kLeft, true}});
  for (const auto& r : requests) {
    table.add({{safe_text(r.request.empty() ? "none" : r.request, style)},
               {short_time(r.start)},
               {ms(r.duration_ns)},
               {std::to_string(r.entries)},
               {level_or_dash(r.highest), colors::level(r.highest)},
               {join_sources(r.sources, style)},
               {safe_text(r.first_message, style)}});
  }
  table.write(out, table_width, color);
  // The waterfall: label, then a bar from start to end on the common axis.
  const std::size_t label = 10;
  const std::size_t bar_width = width > label + 12 ? width - label - 2 : 10;
  out.write(fmt::format("\n{:<{}}  {}{}{}\n", "", label, "|",
                        std::string(bar_width > 2 ? bar_width - 2 : 0, '-'), "|"));
  for (const auto& r : requests) {
    std::string line = fit_to_width(safe_text(r.request.empty() ? "none" : r.request, style), label);
    line.append(label + 2 - display_width(line), ' ');
    if (r.start && first && span > 0) {
      const auto col = [&](const format::Timestamp& t) {
        const double f = static_cast<double>(timeline::diff_ns(*first, t)) / static_cast<double>(span);
        return static_cast<std::size_t>(f * static_cast<double>(bar_width - 1) + 0.5);
      };
      const std::size_t a = col(*r.start);
      const std::size_t b = std::max(a, col(r.end ? *r.end : *r.start));
      line += std::string(a, ' ');
      if (color) line += colors::bar(r.highest);
      for (std::size_t i = a; i <= b; ++i) line += "\u2588";
      if (color) line += "\x1b[0m";
    } else if (r.start) {
      line += "\u2588";
    }
    line += '\n';
    out.write(line);
  }
  // The axis's ends under it, on two lines when one is too narrow.
  const std::string ends = fmt::format("{} .. {}", short_time(first), short_time(last));
  if (label + 2 + display_width(ends) <= width)
    out.write(fmt::format("{:<{}}  {}\n", "", label, ends));
  else if (display_width(ends) <= width)
    out.write(ends + "\n");
  else
    out.write(fmt::format("{} ..\n.. {}\n", short_time(first), short_time(last)));
}

}  // namespace tracegrep
