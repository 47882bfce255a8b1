// libFuzzer: the timeline builder and every printer of timelines, requests
// and sessions, on entries made from arbitrary bytes: times anywhere in the
// parser's range (years 0000-9999) or none, any order, any source, ids and
// messages with any bytes. For any of them:
// - duration, offsets and gaps are never negative, the timed entries are in
//   time order, the largest gap is a real gap and the greatest;
// - every JSON output parses; every text output (colour off, terminal
//   safety on) is safe to show on a terminal.
//   fuzz/run.sh timeline
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.hpp"
#include "print/output.hpp"
#include "print/printers.hpp"
#include "print/timeline_json.hpp"
#include "print/timeline_printer.hpp"
#include "timeline/timeline.hpp"
#include "tracegrep/format.hpp"

using namespace tracegrep;
using fuzz::check;

namespace {

// The parser's range: 0000-01-01 to 9999-12-31 23:59:60, offsets ±24 h.
const std::int64_t kFirst = format::days_from_civil(0, 1, 1) * 86400 - 86400;
const std::int64_t kLast = format::days_from_civil(9999, 12, 31) * 86400 + 2 * 86400;

std::string_view text(fuzz::Bytes& in, std::size_t most) { return in.take(in.byte() % (most + 1)); }

timeline::Item item(fuzz::Bytes& in) {
  timeline::Item it;
  const std::uint8_t kind = in.byte();
  static const char* const kSources[] = {"api.log", "worker.log", "db.log.gz", "a\x1b[31mb\n"};
  it.source_index = kind & 3;
  it.source = kSources[it.source_index];
  it.line = in.byte();
  it.has_ts = (kind & 4) == 0;
  if (it.has_ts) {
    const std::uint64_t span = static_cast<std::uint64_t>(kLast - kFirst);
    // Mostly close together (real requests), sometimes anywhere in the range.
    const std::uint64_t r = in.u64();
    it.ts.seconds = (kind & 8) ? kFirst + static_cast<std::int64_t>(r % span)
                               : 1'700'000'000 + static_cast<std::int64_t>(r % 100);
    it.ts.nanos = static_cast<std::int32_t>(in.u64() % 1'000'000'000);
    it.ts.frac_digits = static_cast<std::uint8_t>(kind >> 4) % 10;
  }
  it.level = static_cast<format::Level>((kind >> 5) % 7);
  it.level_text = std::string(text(in, 8));
  it.request = (kind & 16) ? std::string(text(in, 12)) : std::string("r1");
  it.session = std::string(text(in, 12));
  it.message = std::string(text(in, 64));
  const std::uint8_t more = in.byte() % 3;
  for (std::uint8_t i = 0; i < more; ++i) it.continuation.emplace_back(text(in, 32));
  it.attrs = (kind & 2) ? "\"user\":\"x\"" : "";
  it.cut = (kind & 1) != 0;
  return it;
}

void check_request(const timeline::Request& r) {
  check(r.duration_ns >= 0, "a negative duration");
  check(r.offset_ns.size() == r.items.size() && r.gap_ns.size() == r.items.size(), "offsets or gaps missing");
  const format::Timestamp* last = nullptr;
  std::int64_t greatest = -1;
  for (std::size_t i = 0; i < r.items.size(); ++i) {
    check(r.offset_ns[i] >= 0 && r.gap_ns[i] >= 0, "a negative offset or gap");
    if (r.offset_ns[i] > r.duration_ns) fuzz::fail("an offset beyond the duration");
    if (!r.items[i].has_ts) continue;
    if (last) check(!(r.items[i].ts < *last), "timed entries out of time order");
    last = &r.items[i].ts;
    greatest = std::max(greatest, r.gap_ns[i]);
  }
  if (r.largest_gap) {
    check(*r.largest_gap < r.items.size(), "the largest gap points past the entries");
    check(r.gap_ns[*r.largest_gap] == greatest, "the largest gap is not the greatest");
  }
}

template <typename Print>
std::string printed(Print print) {
  std::string s;
  {
    Output out([&](std::string_view b) { s += b; });
    print(out);
    out.flush();
  }
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Bytes in(data, size);
  const std::uint8_t width = in.byte();
  std::vector<timeline::Item> items;
  while (!in.empty() && items.size() < 24) items.push_back(item(in));

  const timeline::Request request = timeline::build_request(items);
  check(request.items.size() == items.size(), "the timeline lost or made entries");
  check_request(request);

  const TextStyle style{true, true, Color::kOff, Safety::kTerminal, false};
  const timeline::Summaries summaries = timeline::summarize(items);
  std::size_t counted = 0;
  for (const auto& s : summaries) {
    check(s.duration_ns >= 0, "a summary's negative duration");
    counted += s.entries;
  }
  check(counted == items.size(), "the summaries do not count every entry");
  timeline::SessionSummarizer sessions;
  for (const auto& it : items) sessions.add(it);
  const auto session_rows = sessions.take();

  fuzz::check_terminal_safe(printed([&](Output& o) { print_request_timeline(request, o, style); }),
                            "the timeline text is not terminal-safe");
  fuzz::check_terminal_safe(printed([&](Output& o) { print_timeline_entries(request, o, style, true); }),
                            "the session entries text is not terminal-safe");
  fuzz::check_terminal_safe(printed([&](Output& o) { print_requests_table(summaries, o, style, width); }),
                            "the requests table is not terminal-safe");
  fuzz::check_terminal_safe(
      printed([&](Output& o) { print_session("s1\x1b", summaries, o, style, 10 + width % 100, width); }),
      "the session waterfall is not terminal-safe");
  fuzz::check_terminal_safe(printed([&](Output& o) { print_sessions_table(session_rows, o, style, width); }),
                            "the sessions table is not terminal-safe");

  fuzz::check_json_lines(printed([&](Output& o) { print_request_json(request, o); }), "timeline JSON");
  fuzz::check_json_lines(printed([&](Output& o) { print_requests_json(summaries, o); }), "requests JSON");
  fuzz::check_json_lines(printed([&](Output& o) { print_session_json("s1", summaries, o, &request); }),
                         "session JSON");
  fuzz::check_json_lines(printed([&](Output& o) { print_sessions_json(session_rows, o); }), "sessions JSON");
  fuzz::check_json_document(printed([&](Output& o) { print_chrome_trace(items, o); }), "Chrome trace JSON");
  return 0;
}
