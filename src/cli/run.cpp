#include "cli/run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <vector>

#include "cli/args.hpp"
#include "cli/index_cmd.hpp"
#include "cli/plan.hpp"
#include "cli/timeline_cmd.hpp"

namespace tracegrep {
namespace {

void complain(std::string_view what) { fmt::print(stderr, "tracegrep: {}\n", what); }

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// A missing "file" that looks like a mistyped subcommand: say which.
std::string did_you_mean(std::string_view path) {
  if (path.find('/') != std::string_view::npos || path.find('.') != std::string_view::npos) return {};
  for (const std::string_view command : {"index", "timeline", "requests", "sessions"}) {
    if (edit_distance(path, command) <= 2) return fmt::format(" (did you mean 'tracegrep {}'?)", command);
  }
  return {};
}

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
      const std::string hint = outcome.error == std::strerror(ENOENT) ? did_you_mean(path) : std::string();
      complain(fmt::format("{}: {}{}", name.display, outcome.error, hint));
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
