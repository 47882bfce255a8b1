#include "cli/run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
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

namespace {

// Several followed files are read at once, each by a thread with its own
// assembler; their entries reach the one printer whole, one at a time,
// each preceded by a switch of input when it comes from another file.
class Interleaver {
 public:
  Interleaver(EntrySink& printer, Output& out) : printer_(printer), out_(out) {}

  class Port : public EntrySink {
   public:
    Port(Interleaver& owner, InputName name, std::uint64_t max_count)
        : owner_(owner), name_(std::move(name)), tally_(owner.printer_, owner.out_, max_count) {}
    Flow entry(const Entry& e) override {
      std::lock_guard<std::mutex> lock(owner_.mutex_);
      owner_.switch_to(this);
      return tally_.entry(e);
    }
    Flow late_lines(std::string_view lines) override {
      std::lock_guard<std::mutex> lock(owner_.mutex_);
      owner_.switch_to(this);  // with the file name shown, they stay attributable
      return tally_.late_lines(lines);
    }
    void idle() override {
      std::lock_guard<std::mutex> lock(owner_.mutex_);
      owner_.printer_.idle();
    }
    std::uint64_t total() const { return tally_.total(); }
    const InputName& name() const { return name_; }

   private:
    Interleaver& owner_;
    InputName name_;
    Tally tally_;  // per input: -m counts each file's entries
  };

  // Runs `f` with the output to itself (notices, errors).
  template <typename F>
  void locked(F f) {
    std::lock_guard<std::mutex> lock(mutex_);
    f();
  }
  void finish() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (current_) printer_.end_input();
    current_ = nullptr;
  }

 private:
  void switch_to(Port* port) {
    if (current_ == port) return;
    if (current_) printer_.end_input();
    printer_.begin_input(port->name());
    current_ = port;
  }
  EntrySink& printer_;
  Output& out_;
  std::mutex mutex_;
  Port* current_ = nullptr;
};

int follow_all(const Plan& plan, Output& out, EntrySink& printer) {
  Interleaver shared(printer, out);
  std::vector<std::unique_ptr<Interleaver::Port>> ports;
  for (const std::string& path : plan.inputs)
    ports.push_back(std::make_unique<Interleaver::Port>(shared, input_name(path), plan.max_count));
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < ports.size(); ++i) {
    threads.emplace_back([&, i] {
      Interleaver::Port& port = *ports[i];
      Assembler assembler(*plan.filter, port, plan.input_options.max_entry, plan.numbers);
      InputOptions options = plan.input_options;
      options.notice = [&](const std::string& what) {
        shared.locked([&] {
          out.flush();
          complain(fmt::format("{}: {}", port.name().display, what));
        });
      };
      const FeedOutcome outcome = scan_input(plan.inputs[i], assembler, port, options);
      if (!outcome.error.empty()) {
        options.notice(outcome.error);
        failed = true;
      }
    });
  }
  for (auto& t : threads) t.join();
  shared.finish();
  out.flush();
  if (!out.error().empty() && !out.closed()) {
    complain(fmt::format("error writing output: {}", out.error()));
    failed = true;
  }
  if (failed) return kExitError;
  for (const auto& p : ports)
    if (p->total() > 0) return kExitMatch;
  return kExitNoMatch;
}

}  // namespace

int scan_into(const Plan& plan_ref, Output& out, EntrySink& sink) {
  const Plan* plan = &plan_ref;
  if (plan->input_options.follow == FollowMode::kYes && plan->inputs.size() > 1)
    return follow_all(*plan, out, sink);
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
