// search/: the schedules of the Searcher.
#include "search/searcher.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "parse/layout_check.hpp"
#include "print/escape.hpp"
#include "print/printers.hpp"
#include "search/merge.hpp"
#include "source/watch.hpp"

namespace tracegrep {
namespace {

// Stops a worker's input once the run is cancelled (the real output closed).
class CancelGuard final : public EntrySink {
 public:
  CancelGuard(EntrySink& next, const std::atomic<bool>& cancel) : next_(next), cancel_(cancel) {}
  void begin_input(const InputName& name) override { next_.begin_input(name); }
  Flow entry(const Entry& e) override { return cancel_ ? Flow::kStop : next_.entry(e); }
  Flow late_lines(std::string_view lines) override { return cancel_ ? Flow::kStop : next_.late_lines(lines); }
  void end_input() override { next_.end_input(); }
  void idle() override { next_.idle(); }

 private:
  EntrySink& next_;
  const std::atomic<bool>& cancel_;
};

}  // namespace

Searcher::Searcher(SearchOptions options, Reporter& reporter, Output& out)
    : options_(options), reporter_(reporter), out_(out) {}

SourceOutcome Searcher::run(Source& source, EntrySink& sink, const Notice& notice) {
  if (!options_.context.any()) {
    Assembler assembler(*options_.filter, sink, options_.max_entry, options_.numbers);
    return source.search(assembler, sink, notice);
  }
  ContextSink context(*options_.filter, options_.context, options_.max_count, sink);
  Assembler assembler(accept_all_filter(), context, options_.max_entry, options_.numbers);
  return source.search(assembler, context, notice);
}

SourceOutcome Searcher::search_one(Source& source, EntrySink& sink, const Notice& notice) {
  const bool announce = !source.announces_inputs();
  if (announce) sink.begin_input(source.name());
  SourceOutcome outcome = run(source, sink, notice);
  if (announce) sink.end_input();
  return outcome;
}

void Searcher::report(const Source& source, const SourceOutcome& outcome) {
  if (outcome.error) reporter_.error(source.name().display, outcome.error);
}

void Searcher::explain_no_entries(const Source& source) {
  // The first 4 KiB, and first a look that costs nothing to speak of: most
  // inputs that gave no entry (999 of 1,000 rotated files searched for one
  // session) are in a layout tracegrep reads.
  const std::string head = source.head(4096);
  const std::string_view first_line = std::string_view(head).substr(0, head.find('\n'));
  if (format::starts_entry(first_line) && (!options_.ids_asked || head.find("req=") != std::string::npos ||
                                           head.find("session=") != std::string::npos))
    return;
  const LayoutCheck c = check_layout(head);
  if (c.lines == 0) return;
  std::string first;
  append_terminal_safe(first, c.first_line);
  const char* why = nullptr;
  if (c.timed == 0)
    why = "no line matched a known layout";
  else if (options_.ids_asked && c.tagged == 0)
    why = "no line has a request or session id";
  if (why)
    reporter_.notice(
        source.name().display,
        fmt::format("{} (first line: \"{}\"); see --log-format, and LOG FORMAT in tracegrep(1)", why, first));
}

void Searcher::finish() {
  out_.flush();
  if (!out_.error().empty() && !out_.closed())
    reporter_.error(fmt::format("error writing output: {}", out_.error()));
}

bool Searcher::in_order(const std::vector<std::unique_ptr<Source>>& sources, EntrySink& sink) {
  Tally tally(sink, out_, tally_max());
  for (const auto& source : sources) {
    const std::string name = source->name().display;
    const std::uint64_t before = tally.total();
    const SourceOutcome outcome =
        search_one(*source, tally, [this, &name](const std::string& what) { reporter_.notice(name, what); });
    report(*source, outcome);
    if (!outcome.error && tally.total() == before) explain_no_entries(*source);
    if (out_.closed()) break;
  }
  finish();
  return tally.total() > 0;
}

bool Searcher::parallel(const std::vector<std::unique_ptr<Source>>& sources,
                        const PrinterFactory& make_printer) {
  const std::size_t cores =
      options_.workers ? options_.workers : std::max(1u, std::thread::hardware_concurrency());
  const std::size_t workers = std::min(sources.size(), cores);
  workers_used_ = 1;
  const bool apart =
      std::all_of(sources.begin(), sources.end(), [](const auto& s) { return s->runs_apart(); });
  if (workers < 2 || !apart || options_.context.any()) {
    const auto printer = make_printer(out_);
    return in_order(sources, *printer);
  }
  workers_used_ = workers;
  // Each input's output is held back until the inputs before it are
  // written; the input whose turn it is writes straight through.
  struct Slot {
    std::string held;
    bool done = false;
    SourceOutcome outcome;
    std::uint64_t entries = 0;
  };
  std::vector<Slot> slots(sources.size());
  std::mutex mutex;  // guards slots, head and out_
  std::condition_variable turn;
  std::size_t head = 0;  // the input whose output is being written
  std::atomic<std::size_t> next{0};
  std::atomic<bool> cancel{false};
  std::atomic<std::uint64_t> matched{0};

  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < sources.size() && !cancel;) {
      Slot& slot = slots[i];
      Output held([&](std::string_view bytes) {
        std::unique_lock<std::mutex> lock(mutex);
        turn.wait(lock, [&] {
          return i == head || slot.held.size() + bytes.size() <= options_.held_back || cancel;
        });
        if (i != head) {
          slot.held.append(bytes);
          return;
        }
        if (!slot.held.empty()) out_.write(slot.held);
        slot.held.clear();
        out_.write(bytes);
        if (out_.closed()) cancel = true;
      });
      {
        const auto printer = make_printer(held);
        CancelGuard guard(*printer, cancel);
        Tally tally(guard, held, tally_max());
        slot.outcome = search_one(*sources[i], tally, [](const std::string&) {});
        held.flush();
        slot.entries = tally.total();
        matched += tally.total();
      }
      std::lock_guard<std::mutex> lock(mutex);
      slot.done = true;
      // Write out, in order, every input that is complete.
      while (head < slots.size() && slots[head].done) {
        if (!slots[head].held.empty()) out_.write(slots[head].held);
        std::string().swap(slots[head].held);
        report(*sources[head], slots[head].outcome);
        if (!slots[head].outcome.error && slots[head].entries == 0 && !cancel)
          explain_no_entries(*sources[head]);
        ++head;
      }
      if (out_.closed()) cancel = true;
      turn.notify_all();
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  finish();
  return matched > 0;
}

namespace {

// A merge holds every input open at once; a soft limit on descriptors below
// what that needs is raised toward the hard one (as systemd advises), so a
// directory of thousands of logs merges instead of failing with EMFILE.
void allow_open_files(std::size_t inputs) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t want = static_cast<rlim_t>(inputs) + 64;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < want) {
    limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? want : std::min(want, limit.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

bool Searcher::merged(const std::vector<std::unique_ptr<Source>>& sources, EntrySink& sink) {
  if (sources.size() < 2) return in_order(sources, sink);
  allow_open_files(sources.size());
  Merge merge(sink, options_.max_entry, options_.merge_budget);
  std::vector<EntrySink*> lanes;
  for (const auto& source : sources) lanes.push_back(&merge.lane(source->name(), true));
  std::vector<SourceOutcome> outcomes(sources.size());
  std::vector<std::uint64_t> totals(sources.size(), 0);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    threads.emplace_back([&, i] {
      Tally tally(*lanes[i], out_, tally_max());
      const std::string name = sources[i]->name().display;
      outcomes[i] =
          run(*sources[i], tally, [this, &name](const std::string& what) { reporter_.notice(name, what); });
      totals[i] = tally.total();
      merge.close(i);
    });
  }
  merge.run();
  merge.cancel();  // the output closed: the others stop too
  for (auto& t : threads) t.join();
  std::uint64_t matched = 0;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    report(*sources[i], outcomes[i]);
    if (!outcomes[i].error && totals[i] == 0 && !out_.closed()) explain_no_entries(*sources[i]);
    matched += totals[i];
  }
  finish();
  return matched > 0;
}

namespace {

// side_by_side(): an input's entries reach the sink under the output lock,
// preceded by a switch of input when another one printed last.
class Port final : public EntrySink {
 public:
  Port(EntrySink& sink, std::recursive_mutex& lock, std::function<void()> switch_here)
      : sink_(sink), lock_(lock), switch_here_(std::move(switch_here)) {}
  Flow entry(const Entry& e) override {
    std::lock_guard<std::recursive_mutex> hold(lock_);
    switch_here_();
    return sink_.entry(e);
  }
  Flow late_lines(std::string_view lines) override {
    std::lock_guard<std::recursive_mutex> hold(lock_);
    switch_here_();  // with the file name shown, they stay attributable
    return sink_.late_lines(lines);
  }
  void idle() override {
    std::lock_guard<std::recursive_mutex> hold(lock_);
    sink_.idle();
  }

 private:
  EntrySink& sink_;
  std::recursive_mutex& lock_;
  std::function<void()> switch_here_;
};

}  // namespace

bool Searcher::side_by_side(const std::vector<std::unique_ptr<Source>>& sources, EntrySink& sink,
                            const Discover& discover) {
  // Every input has its own Tally (--max-count counts each one's entries).
  std::recursive_mutex& lock = reporter_.output_mutex();
  const Source* current = nullptr;
  auto switch_to = [&](const Source* s) {
    if (current == s) return;
    if (current) sink.end_input();
    sink.begin_input(s->name());
    current = s;
  };
  std::atomic<std::uint64_t> matched{0};
  auto report_end = [&](const Source& s, const SourceOutcome& outcome) {
    if (!outcome.error) return;
    std::lock_guard<std::recursive_mutex> hold(lock);
    report(s, outcome);
  };

  // Followed files are stepped by this thread, the event loop: each one's
  // watch marks it in `group` when it changes (whatever their number, two
  // threads: this one and the watcher's). An input that cannot be stepped
  // (standard input) is searched on a thread of its own.
  using Clock = std::chrono::steady_clock;
  struct Lane {
    Source* source;
    std::string name;
    std::unique_ptr<Port> port;
    std::unique_ptr<Tally> tally;
    std::unique_ptr<ContextSink> context;
    std::unique_ptr<Assembler> assembler;
    std::unique_ptr<LiveSearch> live;
    Clock::time_point due{};
    bool marked = true;  // step at once
    bool done = false;
  };
  WakeGroup group;  // outlives the lanes: their watches mark it
  std::vector<std::unique_ptr<Lane>> lanes;
  std::vector<std::thread> threads;
  std::size_t running = 0;
  auto start = [&](Source* s) {
    auto lane = std::make_unique<Lane>();
    lane->source = s;
    lane->name = s->name().display;
    lane->port = std::make_unique<Port>(sink, lock, [&, s] { switch_to(s); });
    lane->tally = std::make_unique<Tally>(*lane->port, out_, tally_max());
    EntrySink* into = lane->tally.get();
    const EntryFilter* filter = options_.filter;
    if (options_.context.any()) {
      lane->context =
          std::make_unique<ContextSink>(*options_.filter, options_.context, options_.max_count, *into);
      into = lane->context.get();
      filter = &accept_all_filter();
    }
    lane->assembler = std::make_unique<Assembler>(*filter, *into, options_.max_entry, options_.numbers);
    const std::string* lane_name = &lane->name;
    lane->live = s->start_live(
        *lane->assembler, *into,
        [this, lane_name](const std::string& what) { reporter_.notice(*lane_name, what); }, group,
        lanes.size());
    if (lane->live) {
      ++running;
      lanes.push_back(std::move(lane));
      return;
    }
    threads.emplace_back([&, s] {
      Port port(sink, lock, [&, s] { switch_to(s); });
      Tally tally(port, out_, tally_max());
      const std::string name = s->name().display;
      report_end(*s,
                 run(*s, tally, [this, &name](const std::string& what) { reporter_.notice(name, what); }));
      matched += tally.total();
    });
  };
  for (const auto& source : sources) start(source.get());

  // Inputs that appear later (files created in a followed directory), until
  // the output is closed.
  std::vector<std::unique_ptr<Source>> found;
  Clock::time_point discover_at = Clock::now() + kDiscoverEvery;
  while ((running > 0 || discover) && !out_.closed()) {
    Clock::time_point now = Clock::now();
    if (discover && now >= discover_at) {
      for (auto& s : discover()) {
        found.push_back(std::move(s));
        start(found.back().get());
      }
      discover_at = now + kDiscoverEvery;
    }
    for (auto& lane : lanes) {
      if (lane->done || (!lane->marked && now < lane->due)) continue;
      lane->marked = false;
      const SourceStep step = lane->live->step();
      if (step.done) {
        lane->done = true;
        --running;
        report_end(*lane->source, step.outcome);
        matched += lane->tally->total();
        continue;
      }
      now = Clock::now();
      lane->due =
          step.due_in_ms < 0 ? Clock::time_point::max() : now + std::chrono::milliseconds(step.due_in_ms);
      if (step.due_in_ms == 0) lane->marked = true;
    }
    if (out_.closed()) break;
    Clock::time_point wake = discover ? discover_at : Clock::time_point::max();
    for (const auto& lane : lanes) {
      if (lane->done) continue;
      wake = lane->marked ? now : std::min(wake, lane->due);
      if (lane->marked) break;
    }
    int timeout = -1;
    if (wake != Clock::time_point::max()) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now()).count();
      timeout = static_cast<int>(std::clamp<long long>(ms + (ms > 0 ? 1 : 0), 0, 60'000));
    }
    for (const std::size_t id : group.wait(timeout))
      if (id < lanes.size()) lanes[id]->marked = true;
  }
  for (const auto& lane : lanes)
    if (!lane->done) matched += lane->tally->total();
  for (auto& t : threads) t.join();
  {
    std::lock_guard<std::recursive_mutex> hold(lock);
    if (current) sink.end_input();
  }
  finish();
  return matched > 0;
}

}  // namespace tracegrep
