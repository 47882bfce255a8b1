#include "parse/fields.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace tracegrep::fields {
namespace {

struct Key {
  std::string_view key;
  Role role;
};

// Rank is the order within a role, as listed.
constexpr std::array kKeys{
    Key{"timestamp", Role::kTime},
    Key{"time", Role::kTime},
    Key{"ts", Role::kTime},
    Key{"@timestamp", Role::kTime},
    Key{"asctime", Role::kTime},
    Key{"datetime", Role::kTime},
    Key{"created", Role::kTime},
    Key{"timeUnixNano", Role::kTime},
    Key{"time_unix_nano", Role::kTime},
    Key{"observedTimeUnixNano", Role::kTime},
    Key{"time.repr", Role::kTime},       // loguru: record.time.repr
    Key{"time.timestamp", Role::kTime},  // loguru: record.time.timestamp
    Key{"levelname", Role::kLevel},
    Key{"level", Role::kLevel},
    Key{"severity", Role::kLevel},
    Key{"log.level", Role::kLevel},
    Key{"severity_text", Role::kLevel},
    Key{"severityText", Role::kLevel},
    Key{"loglevel", Role::kLevel},
    Key{"lvl", Role::kLevel},
    Key{"level.name", Role::kLevel},  // loguru: record.level.name
    Key{"severity_number", Role::kLevelOtel},
    Key{"severityNumber", Role::kLevelOtel},
    Key{"levelno", Role::kLevelPython},
    Key{"level.no", Role::kLevelPython},  // loguru: record.level.no
    Key{"message", Role::kMessage},
    Key{"msg", Role::kMessage},
    Key{"event", Role::kMessage},
    Key{"body", Role::kMessage},
    Key{"body.stringValue", Role::kMessage},
    Key{"exc_info", Role::kException},
    Key{"exception", Role::kException},
    Key{"exc_text", Role::kException},
    Key{"stack", Role::kException},
    Key{"stack_trace", Role::kException},
    Key{"stacktrace", Role::kException},
    Key{"error.stack", Role::kException},
    Key{"error.stack_trace", Role::kException},
    Key{"err.stack", Role::kException},
    Key{"exception.stacktrace", Role::kException},
};

constexpr std::array<std::string_view, 10> kRequestKeys{"request_id",  "req",         "requestId", "reqId",
                                                        "req_id",      "trace_id",    "traceId",   "trace.id",
                                                        "otelTraceID", "x_request_id"};
constexpr std::array<std::string_view, 5> kSessionKeys{"session_id", "session", "sessionId", "correlation_id",
                                                       "correlationId"};

struct Table {
  std::vector<std::pair<std::string, Meaning>> fixed;  // sorted by key
  std::vector<std::pair<std::string, Meaning>> ids;    // sorted by key
};

void add(std::vector<std::pair<std::string, Meaning>>& to, std::string_view key, Role role) {
  std::uint8_t rank = 0;
  for (const auto& [k, m] : to)
    if (m.role == role) ++rank;
  to.emplace_back(std::string(key), Meaning{role, rank});
}

void sort(std::vector<std::pair<std::string, Meaning>>& v) {
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  // A key given twice keeps its first meaning.
  v.erase(std::unique(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
          v.end());
}

Table make_table(const std::vector<std::string>& request, const std::vector<std::string>& session) {
  Table t;
  for (const Key& k : kKeys) add(t.fixed, k.key, k.role);
  if (request.empty())
    for (const auto k : kRequestKeys) add(t.ids, k, Role::kRequest);
  else
    for (const auto& k : request) add(t.ids, k, Role::kRequest);
  if (session.empty())
    for (const auto k : kSessionKeys) add(t.ids, k, Role::kSession);
  else
    for (const auto& k : session) add(t.ids, k, Role::kSession);
  sort(t.fixed);
  sort(t.ids);
  return t;
}

Table& table() {
  static Table t = make_table({}, {});
  return t;
}

std::uint32_t g_generation = 0;

Meaning find(const std::vector<std::pair<std::string, Meaning>>& v, std::string_view key) {
  const auto it = std::lower_bound(v.begin(), v.end(), key,
                                   [](const auto& entry, std::string_view k) { return entry.first < k; });
  return it != v.end() && it->first == key ? it->second : Meaning{};
}

}  // namespace

Meaning meaning_of(std::string_view path) {
  const Table& t = table();
  // An id keeps its meaning under any object; a user's key is also an id
  // key, so it wins over a fixed field of the same name.
  if (const Meaning m = find(t.ids, path); m.role != Role::kNone) return m;
  for (std::size_t dot = path.find('.'); dot != std::string_view::npos; dot = path.find('.', dot + 1)) {
    if (const Meaning m = find(t.ids, path.substr(dot + 1)); m.role != Role::kNone) return m;
  }
  if (const Meaning m = find(t.fixed, path); m.role != Role::kNone) return m;
  constexpr std::string_view kLoguru = "record.";
  if (path.starts_with(kLoguru)) return find(t.fixed, path.substr(kLoguru.size()));
  return {};
}

format::Level numeric_level(Role role, std::string_view digits) {
  int n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc{} || end != digits.data() + digits.size() || n <= 0) return format::Level::kNone;
  using format::Level;
  switch (role) {
    case Role::kLevelOtel:  // 1-4 TRACE, 5-8 DEBUG, 9-12 INFO, 13-16 WARN, 17-20 ERROR, 21-24 FATAL
      if (n > 24) return Level::kNone;
      return std::array{Level::kTrace,   Level::kDebug, Level::kInfo,
                        Level::kWarning, Level::kError, Level::kCritical}[static_cast<std::size_t>((n - 1) /
                                                                                                   4)];
    case Role::kLevelPython:  // 5 TRACE (loguru), 10 DEBUG, 20 INFO, 25 SUCCESS, 30 WARNING, 40 ERROR, 50
                              // CRITICAL
      return n < 10   ? Level::kTrace
             : n < 20 ? Level::kDebug
             : n < 30 ? Level::kInfo
             : n < 40 ? Level::kWarning
             : n < 50 ? Level::kError
                      : Level::kCritical;
    case Role::kLevel:  // pino and bunyan: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal
      return n < 20   ? Level::kTrace
             : n < 30 ? Level::kDebug
             : n < 40 ? Level::kInfo
             : n < 50 ? Level::kWarning
             : n < 60 ? Level::kError
                      : Level::kCritical;
    default:
      return Level::kNone;
  }
}

void set_id_keys(const std::vector<std::string>& request, const std::vector<std::string>& session) {
  table() = make_table(request, session);
  ++g_generation;
}

std::uint32_t generation() { return g_generation; }

std::vector<std::string> keys_of(Role role) {
  std::vector<std::pair<std::uint8_t, std::string>> found;
  for (const auto* v : {&table().fixed, &table().ids})
    for (const auto& [k, m] : *v)
      if (m.role == role) found.emplace_back(m.rank, k);
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& [rank, k] : found) out.push_back(std::move(k));
  return out;
}

}  // namespace tracegrep::fields
