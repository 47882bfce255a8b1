#include "cli/timeline_cmd.hpp"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/index_cmd.hpp"
#include "cli/plan.hpp"
#include "cli/run.hpp"
#include "index/summary.hpp"
#include "print/entry_json.hpp"
#include "print/table.hpp"
#include "print/timeline_json.hpp"
#include "print/timeline_printer.hpp"

namespace tracegrep {
namespace {

// Copies the entries the scan or the index finds into timeline items, or,
// for the tables, only into summaries (memory then grows with the number of
// requests and sessions, not of entries).
class Collector : public EntrySink {
 public:
  timeline::RequestSummarizer* requests = nullptr;  // set: summarise instead of keeping
  timeline::SessionSummarizer* sessions = nullptr;
  void begin_input(const InputName& name) override {
    source_ = name.display;
    ++index_;
  }
  Flow entry(const Entry& e) override {
    const Header& h = *e.header;
    timeline::Item it;
    it.source = source_;
    it.source_index = index_;
    it.line = e.line;
    it.has_ts = h.has_ts;
    it.ts = h.ts;
    it.level = h.level;
    it.level_text = std::string(shown_level(h));
    it.request = std::string(h.req);
    it.session = std::string(h.session);
    // A JSON or logfmt message may hold newlines, and its exception text
    // does: the lines after the first are continuation lines, as in text,
    // so that no decoded line ever stands as an entry of its own.
    std::string decoded;
    decode_message(h, decoded);
    if (!h.detail.empty()) {
      decoded += '\n';
      decode_detail(h, decoded);
    }
    std::string_view d = decoded;
    const auto first_nl = d.find('\n');
    it.message = std::string(d.substr(0, first_nl));
    d = first_nl == std::string_view::npos ? std::string_view() : d.substr(first_nl + 1);
    while (!d.empty()) {
      const auto nl = d.find('\n');
      it.continuation.emplace_back(d.substr(0, nl));
      d.remove_prefix(nl == std::string_view::npos ? d.size() : nl + 1);
    }
    if (!requests && !sessions)  // the summaries need no attributes
      append_attrs(it.attrs, h);
    it.cut = e.cut;
    std::string_view rest = e.text;
    const auto nl = rest.find('\n');
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    while (!rest.empty()) {
      const auto end = rest.find('\n');
      const std::string_view line = rest.substr(0, end == std::string_view::npos ? rest.size() : end + 1);
      it.continuation.emplace_back(chomp(line));
      rest.remove_prefix(line.size());
    }
    ++seen;
    if (requests) requests->add(it);
    if (sessions) sessions->add(it);
    if (!requests && !sessions) items.push_back(std::move(it));
    return Flow::kContinue;
  }
  std::vector<timeline::Item> items;
  std::size_t seen = 0;

 private:
  std::string source_;
  std::size_t index_ = 0;
};

// Collects the entries a scan plan (files) or the index gives for `s`.
// Returns the exit code of the collection; the plan is left in `plan`.
int collect(const ScanArgs& s, std::unique_ptr<Plan>& plan, Output& out, Reporter& reporter,
            Collector& collector) {
  std::string error;
  plan = make_plan(s, out, error);
  if (!plan) {
    reporter.error(error);
    return kExitError;
  }
  plan->numbers = LineNumbers::kCount;  // notes name file:line
  if (!plan->dbs.empty()) return query_into(*plan, out, reporter, collector);
  return reporter.status(
      Searcher(search_options(*plan), reporter, out).in_order(file_sources(*plan), collector));
}

// What the three commands share: the entries the scan arguments select,
// read from files or the index.
struct Collected {
  Output out{1};
  Reporter reporter{&out};
  std::unique_ptr<Plan> plan;
  Collector collector;
  int rc = kExitMatch;
  /// The exit code once the output was written.
  int done() const { return rc == kExitError ? kExitError : kExitMatch; }
};

std::unique_ptr<Collected> collect_entries(ScanArgs s, const std::vector<std::string>& files,
                                           const std::vector<std::string>& db, const std::string& since,
                                           const std::string& until, bool utc,
                                           timeline::RequestSummarizer* requests = nullptr,
                                           timeline::SessionSummarizer* sessions = nullptr) {
  s.files = files;
  s.db = db;
  s.since = since;
  s.until = until;
  s.utc = utc;
  auto c = std::make_unique<Collected>();
  c->collector.requests = requests;
  c->collector.sessions = sessions;
  c->rc = collect(s, c->plan, c->out, c->reporter, c->collector);
  return c;
}

// The plan alone, for a command that answers from the index's summaries;
// nullptr when the answer must come from the entries (no index, or a filter
// the summaries do not keep).
std::unique_ptr<Collected> summary_plan(const std::vector<std::string>& db,
                                        const std::vector<std::string>& files, const std::string& color) {
  if (db.size() != 1 || !files.empty()) return nullptr;  // several indexes: from the entries
  ScanArgs s;
  s.db = db;
  s.color = color;
  auto c = std::make_unique<Collected>();
  std::string error;
  c->plan = make_plan(s, c->out, error);
  if (!c->plan) return nullptr;  // the entries' path says what is wrong
  return c;
}

std::optional<format::Level> level_of(const std::string& text, bool& bad) {
  bad = false;
  if (text.empty()) return std::nullopt;
  auto level = format::parse_level(text);
  if (!level) {
    Reporter().error(messages::bad_level(text));
    bad = true;
  }
  return level;
}

// The waterfall's width: the terminal's, else 100.
std::size_t terminal_width() {
  winsize w{};
  if (::ioctl(1, TIOCGWINSZ, &w) == 0 && w.ws_col > 20) return w.ws_col;
  return 100;
}

}  // namespace

int timeline_command(const TimelineArgs& a) {
  if (a.request.empty() && a.session.empty()) {
    Reporter().error("timeline of what? give -r REQUEST or -s SESSION");
    return kExitError;
  }
  if (!a.request.empty() && !a.session.empty()) {
    Reporter().error("timeline of a request or of a session: give -r or -s, not both");
    return kExitError;
  }
  if (a.entries && a.session.empty()) {
    Reporter().error(
        "--entries lists a session's entries: give -s SESSION (-r shows a request's entries already)");
    return kExitError;
  }
  ScanArgs s;
  if (!a.request.empty()) s.requests = {a.request};
  if (!a.session.empty()) s.sessions = {a.session};
  s.level = a.level;
  s.color = a.color;
  const auto c = collect_entries(s, a.files, a.db, a.since, a.until, a.utc);
  if (c->rc == kExitError && c->collector.items.empty()) return c->rc;
  Output& out = c->out;
  auto& collector = c->collector;
  const Plan* plan = c->plan.get();
  if (collector.items.empty()) {
    c->reporter.notice(a.request.empty() ? "session " + a.session : "request " + a.request, "no entries");
    return kExitNoMatch;
  }
  const std::string format = a.json ? "json" : a.format;
  const int rc = c->rc;
  if (format == "chrome") {
    print_chrome_trace(collector.items, out);
  } else if (!a.request.empty()) {
    const auto r = timeline::build_request(std::move(collector.items));
    if (format == "json")
      print_request_json(r, out);
    else
      print_request_timeline(r, out, plan->style);
  } else if (format == "json") {
    const auto requests = timeline::summarize(collector.items);
    if (a.entries) {
      const auto story = timeline::build_request(std::move(collector.items));
      print_session_json(a.session, requests, out, &story);
    } else {
      print_session_json(a.session, requests, out);
    }
  } else {
    const auto requests = timeline::summarize(collector.items);
    print_session(a.session, requests, out, plan->style, a.width ? a.width : terminal_width(),
                  table_width(a.width));
    if (a.entries) {
      // The session's whole story: every entry, all inputs merged by time.
      const auto story = timeline::build_request(collector.items);
      out.write(fmt::format("\nentries in time order ({}):\n", story.items.size()));
      print_timeline_entries(story, out, plan->style, true);
    }
    if (a.expand) {
      for (const auto& r : requests) {
        out.write("\n");
        print_request_timeline(timeline::build_request(timeline::items_of(collector.items, r.request)), out,
                               plan->style);
      }
    }
  }
  out.flush();
  return rc == kExitError ? kExitError : kExitMatch;
}

int requests_command(const RequestsArgs& a) {
  ScanArgs s;
  if (!a.session.empty()) s.sessions = {a.session};
  s.color = a.color;
  bool bad = false;
  const std::optional<format::Level> min_level = level_of(a.level, bad);
  if (bad) return kExitError;
  auto print = [&a](const timeline::Summaries& requests, Collected& c) {
    if (a.json)
      print_requests_json(requests, c.out);
    else
      print_requests_table(requests, c.out, c.plan->style, table_width(a.width));
    c.out.flush();
  };
  // The index keeps a summary of each request: -s (a session lookup) and a
  // time window read the entries.
  if (a.session.empty() && a.since.empty() && a.until.empty()) {
    if (const auto c = summary_plan(a.db, a.files, a.color)) {
      const auto rc = with_summaries(*c->plan, c->reporter, [&](index::Store& store) {
        const auto requests = index::request_summaries(store, min_level, a.slowest);
        if (requests.empty()) return kExitNoMatch;
        print(requests, *c);
        return kExitMatch;
      });
      if (rc) return *rc;
    }
  }
  timeline::RequestSummarizer summarizer;
  const auto c = collect_entries(s, a.files, a.db, a.since, a.until, a.utc, &summarizer, nullptr);
  if (c->rc == kExitError && c->collector.seen == 0) return c->rc;
  auto requests = summarizer.take();
  // Entries outside any request are not a request.
  std::erase_if(requests, [&](const timeline::RequestSummary& r) {
    return r.request.empty() || (min_level && format::level_rank(r.highest) < format::level_rank(*min_level));
  });
  if (a.slowest > 0) {
    timeline::sort_summaries(requests,
                             [](const auto& x, const auto& y) { return x.duration_ns > y.duration_ns; });
    if (requests.size() > a.slowest) requests.resize(a.slowest);
  }
  if (requests.empty()) return c->rc == kExitError ? kExitError : kExitNoMatch;
  print(requests, *c);
  return c->done();
}

int sessions_command(const SessionsArgs& a) {
  bool bad = false;
  const std::optional<format::Level> min_level = level_of(a.level, bad);
  if (bad) return kExitError;
  std::vector<std::string> wanted;
  if (!a.session.empty()) wanted = {a.session};
  auto print = [&a](const std::vector<timeline::SessionSummary>& sessions, Collected& c) {
    if (a.json)
      print_sessions_json(sessions, c.out);
    else
      print_sessions_table(sessions, c.out, c.plan->style, table_width(a.width));
  };
  if (a.since.empty() && a.until.empty()) {
    if (const auto c = summary_plan(a.db, a.files, a.color)) {
      const auto rc = with_summaries(*c->plan, c->reporter, [&](index::Store& store) {
        const auto sessions = index::session_summaries(store, wanted, min_level);
        if (sessions.empty()) return kExitNoMatch;
        print(sessions, *c);
        c->out.flush();
        return kExitMatch;
      });
      if (rc) return *rc;
    }
  }
  timeline::SessionSummarizer summarizer;
  ScanArgs s;
  s.sessions = wanted;
  s.color = a.color;
  const auto c = collect_entries(s, a.files, a.db, a.since, a.until, a.utc, nullptr, &summarizer);
  if (c->rc == kExitError && c->collector.seen == 0) return c->rc;
  auto sessions = summarizer.take();
  std::erase_if(sessions, [&](const timeline::SessionSummary& x) {
    return min_level && format::level_rank(x.highest) < format::level_rank(*min_level);
  });
  if (sessions.empty()) return c->rc == kExitError ? kExitError : kExitNoMatch;
  print(sessions, *c);
  c->out.flush();
  return c->done();
}

}  // namespace tracegrep
