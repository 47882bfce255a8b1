#include "cli/timeline_cmd.hpp"

#include <fmt/format.h>

#include "cli/index_cmd.hpp"
#include "cli/plan.hpp"
#include "cli/run.hpp"
#include "print/timeline_printer.hpp"

namespace tracegrep {
namespace {

// Copies the entries the scan or the index finds into timeline items.
class Collector : public EntrySink {
 public:
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
    it.level_text = std::string(h.level_text);
    it.request = std::string(h.req);
    it.session = std::string(h.session);
    it.message = std::string(h.message);
    std::string_view rest = e.text;
    const auto nl = rest.find('\n');
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    while (!rest.empty()) {
      const auto end = rest.find('\n');
      const std::string_view line = rest.substr(0, end == std::string_view::npos ? rest.size() : end + 1);
      it.continuation.emplace_back(chomp(line));
      rest.remove_prefix(line.size());
    }
    items.push_back(std::move(it));
    return Flow::kContinue;
  }
  std::vector<timeline::Item> items;

 private:
  std::string source_;
  std::size_t index_ = 0;
};

}  // namespace

int timeline_command(const TimelineArgs& a) {
  ScanArgs s;
  s.requests = {a.request};
  s.files = a.files;
  s.db = a.db;
  s.level = a.level;
  s.since = a.since;
  s.until = a.until;
  s.color = a.color;
  Output out(1);
  std::string error;
  auto plan = make_plan(s, out, error);
  if (!plan) {
    fmt::print(stderr, "tracegrep: {}\n", error);
    return kExitError;
  }
  plan->numbers = LineNumbers::kCount;  // notes name file:line
  Collector collector;
  const int rc = plan->db.empty() ? scan_into(*plan, out, collector) : query_into(*plan, out, collector);
  if (rc == kExitError && collector.items.empty()) return rc;
  if (collector.items.empty()) {
    fmt::print(stderr, "tracegrep: request {}: no entries\n", a.request);
    return kExitNoMatch;
  }
  print_request_timeline(timeline::build_request(std::move(collector.items)), out, plan->style);
  out.flush();
  return rc == kExitError ? kExitError : kExitMatch;
}

}  // namespace tracegrep
