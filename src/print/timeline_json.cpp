#include "print/timeline_json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "print/entry_json.hpp"
#include "print/escape.hpp"

namespace tracegrep {
namespace {

std::string str(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string opt_str(std::string_view s) { return s.empty() ? "null" : str(s); }

std::string time_json(const std::optional<format::Timestamp>& t) {
  return t ? str(format::format_iso(*t)) : std::string("null");
}

std::string ms_json(std::int64_t ns) { return fmt::format("{:.3f}", static_cast<double>(ns) / 1e6); }

std::string level_json(format::Level l) {
  return l == format::Level::kNone ? "null" : str(format::level_name(l));
}

// The scan's --json object of an item, without its closing brace.
std::string item_json(const timeline::Item& it) {
  std::string msg = it.message;
  for (const auto& c : it.continuation) msg += "\n" + c;
  std::string out;
  append_entry_json(out, {it.has_ts, it.ts, it.level_text, it.request, it.session, msg, it.source, it.line,
                          it.attrs, it.cut});
  return out;
}

template <typename Names>
std::string sources_json(const Names& sources) {
  std::string out = "[";
  for (std::size_t i = 0; i < sources.size(); ++i) {
    if (i) out += ',';
    out += str(sources[i]);
  }
  return out + "]";
}

std::string summary_json(const timeline::RequestSummary& r) {
  return fmt::format(
      "{{\"request\":{},\"session\":{},\"start\":{},\"end\":{},\"duration_ms\":{},\"entries\":{},\"highest\":"
      "{},"
      "\"sources\":{},\"first_msg\":{}}}",
      opt_str(r.request), opt_str(r.session), time_json(r.start), time_json(r.end), ms_json(r.duration_ns),
      r.entries, level_json(r.highest), sources_json(r.sources), str(r.first_message));
}

// Microseconds since the epoch of the written time, as Chrome's "ts" wants.
long long micros(const format::Timestamp& t) { return t.seconds * 1'000'000LL + t.nanos / 1000; }

// "notes":[...],"timeline":[entries with offset_ms and gap_ms]
std::string notes_and_timeline(const timeline::Request& r) {
  std::string s = "\"notes\":[";
  for (std::size_t i = 0; i < r.notes.size(); ++i) {
    if (i) s += ',';
    s += str(r.notes[i]);
  }
  s += "],\"timeline\":[";
  for (std::size_t i = 0; i < r.items.size(); ++i) {
    if (i) s += ',';
    s += item_json(r.items[i]) +
         fmt::format(",\"offset_ms\":{},\"gap_ms\":{}}}", ms_json(r.offset_ns[i]), ms_json(r.gap_ns[i]));
  }
  return s + "]";
}

}  // namespace

void print_request_json(const timeline::Request& r, Output& out) {
  std::string s = fmt::format(
      "{{\"request\":{},\"session\":{},\"sources\":{},\"start\":{},\"end\":{},\"duration_ms\":{},\"entries\":"
      "{},"
      "\"highest\":{},",
      opt_str(r.request), opt_str(r.session), sources_json(r.sources), time_json(r.start), time_json(r.end),
      ms_json(r.duration_ns), r.items.size(), level_json(r.highest));
  s += "\"largest_gap\":";
  if (r.largest_gap) {
    const auto& it = r.items[*r.largest_gap];
    s += fmt::format("{{\"ms\":{},\"before_file\":{},\"before_line\":{}}}", ms_json(r.gap_ns[*r.largest_gap]),
                     str(it.source), it.line);
  } else {
    s += "null";
  }
  s += ",";
  s += notes_and_timeline(r);
  s += "}\n";
  out.write(s);
}

void print_requests_json(const timeline::Summaries& requests, Output& out) {
  for (const auto& r : requests) out.write(summary_json(r) + "\n");
}

void print_session_json(std::string_view session, const timeline::Summaries& requests, Output& out,
                        const timeline::Request* entries) {
  std::string s = "{\"session\":" + str(session) + ",\"requests\":[";
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (i) s += ',';
    s += summary_json(requests[i]);
  }
  s += "]";
  if (entries) {
    s += ',';
    s += notes_and_timeline(*entries);
  }
  s += "}\n";
  out.write(s);
}

void print_chrome_trace(const std::vector<timeline::Item>& items, Output& out) {
  // One track (thread) per source, in the order the sources came.
  std::vector<std::string> sources;
  for (const auto& it : items) {
    if (std::find(sources.begin(), sources.end(), it.source) == sources.end()) sources.push_back(it.source);
  }
  auto tid = [&](const std::string& s) {
    return static_cast<int>(std::find(sources.begin(), sources.end(), s) - sources.begin()) + 1;
  };
  std::string s = "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[";
  bool first = true;
  auto add = [&](const std::string& e) {
    s += first ? "" : ",\n";
    s += e;
    first = false;
  };
  for (const auto& src : sources) {
    add(fmt::format("{{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":{},\"args\":{{\"name\":{}}}}}",
                    tid(src), str(src)));
  }
  // A complete event per request and source: where the request spent its time there.
  std::map<std::pair<std::string, std::string>, std::pair<format::Timestamp, format::Timestamp>> spans;
  for (const auto& it : items) {
    if (!it.has_ts) continue;
    auto [pos, fresh] = spans.try_emplace({it.request, it.source}, it.ts, it.ts);
    if (!fresh) {
      if (it.ts < pos->second.first) pos->second.first = it.ts;
      if (pos->second.second < it.ts) pos->second.second = it.ts;
    }
  }
  for (const auto& [key, span] : spans) {
    add(fmt::format(
        "{{\"ph\":\"X\",\"name\":{},\"cat\":\"request\",\"pid\":1,\"tid\":{},\"ts\":{},\"dur\":{},"
        "\"args\":{{\"request\":{}}}}}",
        str(key.first.empty() ? "none" : key.first), tid(key.second), micros(span.first),
        std::max<long long>(micros(span.second) - micros(span.first), 1), str(key.first)));
  }
  for (const auto& it : items) {
    if (!it.has_ts) continue;
    std::string msg = it.message;
    for (const auto& c : it.continuation) msg += "\n" + c;
    add(fmt::format(
        "{{\"ph\":\"i\",\"s\":\"t\",\"name\":{},\"cat\":\"entry\",\"pid\":1,\"tid\":{},\"ts\":{},"
        "\"args\":{{\"msg\":{},\"level\":{},\"request\":{},\"line\":{}}}}}",
        str(std::string(it.level_text.empty() ? "entry" : it.level_text) + ": " + it.message.substr(0, 60)),
        tid(it.source), micros(it.ts), str(msg), level_json(it.level), opt_str(it.request), it.line));
  }
  out.write(s + "]}\n");
}

void print_sessions_json(const std::vector<timeline::SessionSummary>& sessions, Output& out) {
  for (const auto& s : sessions) {
    out.write(
        fmt::format("{{\"session\":{},\"first\":{},\"last\":{},\"requests\":{},\"entries\":{},\"errors\":{},"
                    "\"highest\":{}}}\n",
                    str(s.session), time_json(s.first), time_json(s.last), s.requests, s.entries, s.errors,
                    level_json(s.highest)));
  }
}

}  // namespace tracegrep
