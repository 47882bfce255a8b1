#include "cli/run.hpp"

#include <csignal>

#include <fmt/format.h>

#include "cli/args.hpp"
#include "cli/index_cmd.hpp"
#include "cli/plan.hpp"
#include "cli/timeline_cmd.hpp"

namespace tracegrep {
namespace {

void complain(std::string_view what) { fmt::print(stderr, "tracegrep: {}\n", what); }

}  // namespace

int scan_into(const Plan& plan_ref, Output& out, EntrySink& sink) {
  const Plan* plan = &plan_ref;
  Tally tally(sink, out, plan->max_count);
  Assembler assembler(*plan->filter, tally, plan->input_options.max_entry, plan->numbers);
  bool failed = false;
  for (const std::string& path : plan->inputs) {
    const InputName name = input_name(path);
    InputOptions options = plan->input_options;
    options.notice = [&out, &name](const std::string& what) {
      out.flush();
      complain(fmt::format("{}: {}", name.display, what));
    };
    tally.begin_input(name);
    const FeedOutcome outcome = scan_input(path, assembler, tally, options);
    tally.end_input();
    if (!outcome.error.empty()) {
      out.flush();
      complain(fmt::format("{}: {}", name.display, outcome.error));
      failed = true;
    }
    if (out.closed()) break;
  }
  out.flush();
  if (!out.error().empty() && !out.closed()) {
    complain(fmt::format("error writing output: {}", out.error()));
    failed = true;
  }
  if (failed) return kExitError;
  return tally.total() > 0 ? kExitMatch : kExitNoMatch;
}

namespace {

int scan(const ScanArgs& args) {
  Output out(1);
  std::string error;
  auto plan = make_plan(args, out, error);
  if (!plan) {
    complain(error);
    return kExitError;
  }
  if (!plan->db.empty()) return query_command(*plan, out);
  const auto printer = make_printer(*plan, out);
  return scan_into(*plan, out, *printer);
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
  if (parsed.command == Command::kIndex) return index_command(parsed.index);
  if (parsed.command == Command::kTimeline) return timeline_command(parsed.timeline);
  if (parsed.command == Command::kRequests) return requests_command(parsed.requests);
  if (parsed.command == Command::kSessions) return sessions_command(parsed.sessions);
  return scan(parsed.scan);
}

}  // namespace tracegrep
