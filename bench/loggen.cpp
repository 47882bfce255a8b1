// tracegrep-loggen: writes a deterministic, realistic request-tagged log, as
// Python services with a contextvars filter write them: concurrent requests
// interleaved, sessions spanning many requests, tracebacks after some errors,
// untagged start-up lines, background work with req=none, and ids that also
// appear inside message text (where plain grep finds false matches).
//
//   tracegrep-loggen [--bytes N] [--seed S] [--service NAME] [--start "YYYY-MM-DD HH:MM:SS"]
//                    [--print-ids] [--long-session N] [--layout seed|name|json|logfmt]
//                    [--sessions N] [--requests N] [--request-len N] [--high-cardinality]
// --sessions and --requests set how many are active at once (48 and 12);
// --high-cardinality is 20,000 of each with 12-character request ids.
// --layout writes the same entries as the seed's layout (the default), with
// a logger name (%(name)s) before the level, as python-json-logger's JSON
// lines (the traceback in "exc_info"), or as logfmt.
// --long-session N keeps the printed session alive for N requests (for the
// timeline bench's session of 1,000 requests).
// --print-ids writes to stderr one full session id and one request id of the
// log, both with entries, for benchmarks to search for.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tracegrep/format.hpp"

namespace {

struct Rng {  // splitmix64: deterministic on every platform
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  unsigned below(unsigned n) { return static_cast<unsigned>(next() % n); }
  bool chance(unsigned percent) { return below(100) < percent; }
};

std::string hex(Rng& rng, int n) {
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < n; ++i) s += kHex[rng.below(16)];
  return s;
}

enum class Layout { kSeed, kName, kJson, kLogfmt };

void append_quoted(std::string& out, const std::string& s, bool json) {
  out += '"';
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += '"';
  (void)json;
}

const char* logger_of(const std::string& msg) {
  if (msg.starts_with("Payment") || msg.starts_with("Processing")) return "payments.gateway";
  if (msg.starts_with("SELECT") || msg.starts_with("Slow") || msg.starts_with("Database")) return "db.pool";
  if (msg.starts_with("Cache")) return "cache.redis";
  return "api.handlers";
}

struct Session {
  std::string id;  // the full id; the log keeps 8 characters
  unsigned requests_left;
  std::string user;
};

struct Request {
  std::string id;
  std::size_t session;
  unsigned step = 0;
  unsigned steps;
  unsigned kind;
};

const char* const kUsers[] = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"};
const char* const kPaths[] = {"/api/payments", "/api/orders",   "/api/cart",   "/api/login",
                              "/api/profile",  "/mcp/messages", "/api/search", "/sse"};

struct Clock {
  std::int64_t ms;
  std::string text() const {
    const std::int64_t s = ms / 1000;
    std::int64_t days = s / 86400;
    const std::int64_t rem = s % 86400;
    // civil_from_days
    const std::int64_t z = days + 719468;
    const std::int64_t era = z / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld:%02lld,%03lld", static_cast<long long>(y),
                  m, d, static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                  static_cast<long long>(rem % 60), static_cast<long long>(ms % 1000));
    (void)days;
    return buf;
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t bytes = 200000;
  std::uint64_t seed = 1;
  std::string service = "api";
  std::string start = "2024-01-15 09:00:00";
  bool print_ids = false;
  unsigned long long long_session = 0;  // requests of the printed session (0: as random)
  Layout layout = Layout::kSeed;
  unsigned active_sessions = 48, active_requests = 12, request_len = 8;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "tracegrep-loggen: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--bytes")
      bytes = std::strtoull(value().c_str(), nullptr, 10);
    else if (a == "--seed")
      seed = std::strtoull(value().c_str(), nullptr, 10);
    else if (a == "--service")
      service = value();
    else if (a == "--start")
      start = value();
    else if (a == "--print-ids")
      print_ids = true;
    else if (a == "--long-session")
      long_session = std::strtoull(value().c_str(), nullptr, 10);
    else if (a == "--sessions")
      active_sessions = static_cast<unsigned>(std::strtoul(value().c_str(), nullptr, 10));
    else if (a == "--requests")
      active_requests = static_cast<unsigned>(std::strtoul(value().c_str(), nullptr, 10));
    else if (a == "--request-len")
      request_len = static_cast<unsigned>(std::strtoul(value().c_str(), nullptr, 10));
    else if (a == "--high-cardinality") {
      // A busy service: 20,000 requests in flight, each in its own random
      // session of 20,000, each line a random one; 12-character request ids.
      active_sessions = 20000;
      active_requests = 20000;
      request_len = 12;
    } else if (a == "--layout") {
      const std::string l = value();
      if (l == "seed")
        layout = Layout::kSeed;
      else if (l == "name")
        layout = Layout::kName;
      else if (l == "json")
        layout = Layout::kJson;
      else if (l == "logfmt")
        layout = Layout::kLogfmt;
      else {
        std::fprintf(stderr, "tracegrep-loggen: --layout is seed, name, json or logfmt\n");
        return 2;
      }
    } else {
      std::fprintf(stderr,
                   "usage: tracegrep-loggen [--bytes N] [--seed S] [--service NAME] "
                   "[--start TIME] [--print-ids] [--long-session N] [--layout L] [--sessions N] "
                   "[--requests N] [--request-len N] [--high-cardinality]\n");
      return 2;
    }
  }
  tracegrep::format::Timestamp ts;
  if (active_sessions == 0 || active_requests == 0 || request_len == 0 || request_len > 32) {
    std::fprintf(stderr,
                 "tracegrep-loggen: --sessions and --requests are 1 or more, --request-len 1 to 32\n");
    return 2;
  }
  if (tracegrep::format::parse_timestamp(start, ts) != start.size()) {
    std::fprintf(stderr, "tracegrep-loggen: bad --start\n");
    return 2;
  }
  std::uint64_t name_hash = 1469598103934665603ull;  // FNV-1a: the same on every platform
  for (const char c : service) name_hash = (name_hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  Rng rng{seed * 1000003 + name_hash};
  Clock clock{ts.seconds * 1000};
  std::vector<Session> sessions;
  std::vector<Request> requests;
  auto new_session = [&] { return Session{hex(rng, 32), 5 + rng.below(60), kUsers[rng.below(8)]}; };
  for (unsigned i = 0; i < active_sessions; ++i) sessions.push_back(new_session());
  auto new_request = [&] {
    Request r;
    r.id = hex(rng, request_len);
    r.session = rng.below(static_cast<unsigned>(sessions.size()));
    r.steps = 3 + rng.below(10);
    r.kind = rng.below(8);
    return r;
  };
  for (unsigned i = 0; i < active_requests; ++i) requests.push_back(new_request());

  std::string out;
  out.reserve(1 << 20);
  std::uint64_t written = 0;
  if (long_session > 0) sessions[requests[0].session].requests_left = static_cast<unsigned>(long_session);
  const std::string printed_session = sessions[requests[0].session].id;
  const std::string printed_request = requests[0].id;
  // One entry; `trace` is its traceback's lines, each ending in '\n'.
  // Without ids (start-up lines) `req` is empty.
  auto line = [&](const std::string& level, const std::string& req, const std::string& sess,
                  const std::string& msg, const std::string& trace = "") {
    if (layout == Layout::kJson) {
      out += "{\"asctime\": \"" + clock.text() + "\", \"levelname\": \"" + level + "\", \"name\": \"";
      out += logger_of(msg);
      out += "\", \"message\": ";
      append_quoted(out, msg, true);
      if (!req.empty()) {
        out += req == "none" ? ", \"request_id\": null" : ", \"request_id\": \"" + req + "\"";
        out += sess == "none" ? ", \"session_id\": null" : ", \"session_id\": \"" + sess + "\"";
      }
      if (!trace.empty()) {
        out += ", \"exc_info\": ";
        append_quoted(out, trace.substr(0, trace.size() - 1), true);
      }
      out += "}\n";
      return;
    }
    if (layout == Layout::kLogfmt) {
      std::string lower = level;
      for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      out += "time=\"" + clock.text() + "\" level=" + lower + " logger=" + logger_of(msg) + " msg=";
      append_quoted(out, msg, false);
      if (!req.empty()) out += " request_id=" + req + " session_id=" + sess;
      if (!trace.empty()) {
        out += " exc_info=";
        append_quoted(out, trace.substr(0, trace.size() - 1), false);
      }
      out += '\n';
      return;
    }
    out += clock.text();
    out += " - ";
    if (layout == Layout::kName) {
      out += logger_of(msg);
      out += " - ";
    }
    out += level;
    if (!req.empty()) {
      out += " - [req=";
      out += req;
      out += "|session=";
      out += sess;
      out += "]";
    }
    out += " - ";
    out += msg;
    out += '\n';
    out += trace;
  };
  auto emit = [&] {
    written += out.size();
    std::fwrite(out.data(), 1, out.size(), stdout);
    out.clear();
  };

  // Start-up lines: no tag at all, as logged before any request context.
  line("INFO", "", "", "Starting " + service + " service on 0.0.0.0:8080");
  line("INFO", "", "", "Loaded 42 routes");
  while (written + out.size() < bytes) {
    clock.ms += rng.below(40);
    if (rng.chance(3)) {
      // Background work outside any request.
      line(rng.chance(80) ? "DEBUG" : "INFO", "none", "none",
           "Background cleanup removed " + std::to_string(rng.below(500)) + " expired sessions");
      if (out.size() > (1 << 20)) emit();
      continue;
    }
    const unsigned ri = rng.below(static_cast<unsigned>(requests.size()));
    Request& r = requests[ri];
    Session& s = sessions[r.session];
    const std::string sess = s.id.substr(0, tracegrep::format::kSessionCut);
    const char* path = kPaths[r.kind];
    if (r.step == 0) {
      line("INFO", r.id, sess, std::string("POST ") + path + " from user " + s.user);
      ++r.step;
    } else if (r.step + 1 == r.steps) {
      const bool failed = rng.chance(8);
      if (failed) {
        const unsigned which = rng.below(3);
        if (which == 0) {
          line("ERROR", r.id, sess, "Payment gateway timeout",
               "Traceback (most recent call last):\n"
               "  File \"/srv/" +
                   service +
                   "/handlers.py\", line 88, in charge\n"
                   "    result = await gateway.charge(amount, token)\n"
                   "  File \"/srv/" +
                   service +
                   "/gateway.py\", line 41, in charge\n"
                   "    raise TimeoutError(\"gateway did not answer in 5.0 s\")\n"
                   "TimeoutError: gateway did not answer in 5.0 s\n");
        } else if (which == 1) {
          line("ERROR", r.id, sess, "Unhandled exception in " + std::string(path),
               "Traceback (most recent call last):\n"
               "  File \"/srv/" +
                   service +
                   "/app.py\", line 120, in dispatch\n"
                   "    return await handler(request)\n"
                   "KeyError: 'cart_id'\n");
        } else {
          line("CRITICAL", r.id, sess, "Database connection pool exhausted (32/32 in use)");
        }
      } else {
        line("INFO", r.id, sess,
             std::string("Completed ") + path + " 200 in " + std::to_string(5 + rng.below(900)) + " ms");
      }
      // The request ends; a new one takes its place, sometimes in a new session.
      if (--s.requests_left == 0) sessions[r.session] = new_session();
      r = new_request();
    } else {
      switch (rng.below(7)) {
        case 0:
          line("DEBUG", r.id, sess, "Cache miss for key session=" + hex(rng, 8) + ":cart");
          break;
        case 1:
          line("INFO", r.id, sess,
               "Processing payment for user " + s.user +
                   " amount=" + std::to_string(rng.below(50000) / 100.0).substr(0, 6));
          break;
        case 2:
          line("WARNING", r.id, sess, "Slow query took " + std::to_string(200 + rng.below(3000)) + " ms");
          break;
        case 3:
          line("DEBUG", r.id, sess, "Spawned worker task " + std::to_string(rng.below(8)));
          break;
        case 4:
          line("INFO", r.id, sess, "Forwarding to upstream with X-Session-ID " + s.id);
          break;
        case 5:
          line("DEBUG", r.id, sess, "SELECT * FROM orders WHERE user = '" + s.user + "' LIMIT 50");
          break;
        default:
          line("INFO", r.id, sess, "Task " + std::to_string(rng.below(8)) + " completed");
          break;
      }
      ++r.step;
    }
    if (out.size() > (1 << 20)) emit();
  }
  emit();
  if (print_ids) std::fprintf(stderr, "%s %s\n", printed_session.c_str(), printed_request.c_str());
  return 0;
}
