#include "cli/layouts_cmd.hpp"

#include <fmt/format.h>

#include <array>

#include "cli/layout_config.hpp"
#include "cli/plan.hpp"
#include "parse/fields.hpp"
#include "parse/layout_check.hpp"
#include "print/escape.hpp"
#include "print/output.hpp"
#include "report/reporter.hpp"
#include "search/searcher.hpp"

namespace tracegrep {
namespace {

// Counts each input's entries by the layout they were read as.
class LayoutCounter : public EntrySink {
 public:
  explicit LayoutCounter(Output& out) : out_(out) {}
  void begin_input(const InputName& name) override {
    name_ = name.display;
    counts_ = {};
    timed_ = with_ids_ = 0;
    first_line_.clear();
  }
  Flow entry(const Entry& e) override {
    const Header& h = *e.header;
    if (first_line_.empty())
      first_line_ = std::string(e.text.substr(0, std::min<std::size_t>(e.text.find('\n'), 80)));
    counts_.add(h);
    if (h.has_ts) ++timed_;
    if (!h.req.empty() || !h.session.empty()) ++with_ids_;
    return Flow::kContinue;
  }
  void end_input() override {
    std::string name;
    append_terminal_safe(name, name_);
    const std::uint64_t entries = counts_.total();
    if (entries == 0) {
      out_.write(fmt::format("{}: empty\n", name));
      return;
    }
    const std::string layout = dominant_layout(counts_);
    std::string line =
        fmt::format("{}: {} ({} {}: {}; {} with a time, {} with ids)", name, layout, entries,
                    entries == 1 ? "entry" : "entries", layout_parts(counts_), timed_, with_ids_);
    if (counts_.n[LayoutCounts::kUntimed] == entries) {
      line += " first line: \"";
      append_terminal_safe(line, first_line_);
      line += '"';
    }
    line += '\n';
    out_.write(line);
  }

 private:
  Output& out_;
  std::string name_;
  LayoutCounts counts_;
  std::uint64_t timed_ = 0, with_ids_ = 0;
  std::string first_line_;
};

std::string joined(fields::Role role) {
  std::string out;
  for (const auto& k : fields::keys_of(role)) out += (out.empty() ? "" : " ") + k;
  return out;
}

void print_builtin(Output& out) {
  using fields::Role;
  out.write(
      "Layouts read with no option, line by line (tracegrep(1), LOG FORMAT):\n"
      "  text    a timestamp first, then the level, the tag [req=R|session=S] (or OpenTelemetry's\n"
      "          [trace_id=T span_id=S ...]) and up to four fields such as %(name)s, in any order\n"
      "  json    one JSON object per line\n"
      "  logfmt  key=value pairs, values bare or quoted\n"
      "  format  the service's own format string, given with --log-format (tried first)\n"
      "Keys of JSON and logfmt fields (dotted: nested; the first listed wins):\n");
  const std::array<std::pair<const char*, std::string>, 6> rows{{
      {"time", joined(Role::kTime)},
      {"level", joined(Role::kLevel) + " " + joined(Role::kLevelOtel) + " " + joined(Role::kLevelPython)},
      {"message", joined(Role::kMessage)},
      {"exception", joined(Role::kException)},
      {"request", joined(Role::kRequest)},
      {"session", joined(Role::kSession)},
  }};
  for (const auto& [what, keys] : rows) out.write(fmt::format("  {:<10} {}\n", what, keys));
}

// The layouts named in the config file, for --log-format @NAME.
bool print_named(Output& out, Reporter& reporter) {
  std::vector<NamedLayout> named;
  std::string error;
  if (!read_named_layouts(named, error)) {
    reporter.error(error);
    return false;
  }
  out.write(fmt::format("Named layouts (--log-format @NAME), from {}:{}\n", layouts_file_path(),
                        named.empty() ? " none" : ""));
  for (const auto& n : named) {
    std::string line = fmt::format("  @{:<9} ", n.name);
    append_terminal_safe(line, n.spec.format);
    if (!n.spec.datefmt.empty()) {
      line += "   datefmt ";
      append_terminal_safe(line, n.spec.datefmt);
    }
    if (n.spec.style != log_format::Style::kPercent)
      line += n.spec.style == log_format::Style::kBrace ? "   style {" : "   style $";
    out.write(line + "\n");
  }
  return true;
}

}  // namespace

int layouts_command(const LayoutsArgs& args) {
  Output out(1);
  Reporter reporter(&out);
  if (args.files.empty()) {
    print_builtin(out);
    const bool ok = print_named(out, reporter);
    out.flush();
    return ok ? kExitMatch : kExitError;
  }
  ScanArgs s;
  s.files = args.files;
  std::string error;
  const auto plan = make_plan(s, out, error);
  if (!plan) {
    reporter.error(error);
    return kExitError;
  }
  LayoutCounter counter(out);
  SearchOptions options = search_options(*plan);
  Searcher searcher(options, reporter, out);
  searcher.in_order(file_sources(*plan), counter);
  return reporter.status(true);
}

}  // namespace tracegrep
