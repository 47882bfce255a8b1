// cli/: the program. Parses the arguments, builds the plan and hands it to
// the search stage (search/) or to a subcommand; nothing here loops over
// inputs or entries.
#include "cli/run.hpp"

#include <fmt/format.h>

#include <csignal>

#include "cli/args.hpp"
#include "cli/index_cmd.hpp"
#include "cli/layout_config.hpp"
#include "cli/plan.hpp"
#include "cli/timeline_cmd.hpp"
#include "match/filter.hpp"
#include "parse/boundary.hpp"
#include "parse/fields.hpp"
#include "parse/log_format.hpp"
#include "search/searcher.hpp"

namespace tracegrep {
namespace {

int scan(const ScanArgs& args) {
  Output out(1);
  Reporter reporter(&out);
  std::string error;
  auto plan = make_plan(args, out, error);
  if (!plan) {
    reporter.error(error);
    return kExitError;
  }
  if (plan->read_nothing) return kExitNoMatch;  // -m 0, as grep
  if (!plan->dbs.empty()) return query_command(*plan, out, reporter);
  Searcher searcher(search_options(*plan), reporter, out);
  const auto sources = file_sources(*plan);
  bool matched = false;
  if (plan->printer == Plan::Printer::kQuiet) {
    // In argument order, stopping at the first match: as grep -q, a match
    // is exit 0 even when an input before it could not be read.
    const auto printer = make_printer(*plan, out);
    return searcher.in_order(sources, *printer) ? kExitMatch : reporter.status(false);
  }
  if (plan->input_options.follow == FollowMode::kYes && (sources.size() > 1 || !plan->watches.empty())) {
    const auto printer = make_printer(*plan, out);
    Searcher::Discover discover;
    if (!plan->watches.empty()) {
      discover = [&plan] {
        std::vector<std::unique_ptr<Source>> found;
        for (const auto& watch : plan->watches)
          for (std::string& path : watch->poll())
            found.push_back(file_source(std::move(path), plan->input_options));
        return found;
      };
    }
    matched = searcher.side_by_side(sources, *printer, discover);
  } else if (plan->merge) {
    const auto printer = make_printer(*plan, out);
    matched = searcher.merged(sources, *printer);
  } else {
    matched = searcher.parallel(sources, [&plan](Output& o) { return make_printer(*plan, o); });
  }
  return reporter.status(matched);
}

}  // namespace

int run(int argc, char** argv) {
  // A closed pipe shows up as EPIPE from write(), which ends the run quietly.
  std::signal(SIGPIPE, SIG_IGN);
  // A file size limit (ulimit -f) then fails a write with EFBIG, reported
  // like a full disk, instead of killing the process mid-batch.
  std::signal(SIGXFSZ, SIG_IGN);
  const ParsedArgs parsed = parse_args(argc, argv);
  if (parsed.exit_code) return *parsed.exit_code;
  fields::set_id_keys(parsed.keys.request, parsed.keys.session);  // before the layout: it names ids
  set_walk_options({parsed.keys.globs, parsed.keys.hidden});
  log_format::Spec spec;
  std::string error;
  if (!resolve_layout(parsed.keys.log_format, parsed.keys.date_format, parsed.keys.log_format_style, spec,
                      error)) {
    Reporter().error(error);
    return kExitError;
  }
  if (!log_format::configure(spec, error)) {
    Reporter().error(fmt::format("--log-format \"{}\": {}", spec.format, error));
    return kExitError;
  }
  if (!parsed.keys.continuation.empty()) {
    auto rule = line_matcher(parsed.keys.continuation, error);
    if (!rule) {
      Reporter().error("--continuation: " + error);
      return kExitError;
    }
    set_continuation_rule(std::move(rule));
  }
  if (parsed.command == Command::kIndex) return index_command(parsed.index);
  if (parsed.command == Command::kTimeline) return timeline_command(parsed.timeline);
  if (parsed.command == Command::kRequests) return requests_command(parsed.requests);
  if (parsed.command == Command::kSessions) return sessions_command(parsed.sessions);
  if (parsed.command == Command::kLayouts) return layouts_command(parsed.layouts);
  return scan(parsed.scan);
}

}  // namespace tracegrep
