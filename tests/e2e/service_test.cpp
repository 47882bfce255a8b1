// The example service, started on 127.0.0.1, under concurrent requests
// using every session-id source; then tracegrep reads its log: each request
// holds exactly its own entries, none lost, none from another request.
#include <fmt/format.h>
#include <httplib.h>

#include <catch2/catch.hpp>
#include <mutex>
#include <random>
#include <thread>

#include "support/subprocess.hpp"
#include "tracegrep/ids.hpp"

using namespace tracegrep::test;
using namespace std::chrono_literals;

namespace {

struct Sent {
  std::string request_id;
  std::string session;  // as the log should show it (cut to 8); empty: any, but one
};

std::string random_hex(std::mt19937_64& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += "0123456789abcdef"[rng() % 16];
  return s;
}

}  // namespace

TEST_CASE("the example service: each request's timeline holds exactly its own entries", "[e2e][service]") {
  TempDir tmp;
  const std::string log = tmp.path("service.log");
  Live service(TRACEGREP_SERVICE, {"--log", log, "--port", "0"});
  const std::string banner = service.read_until("\n", 10s);
  REQUIRE(banner.rfind("listening on 127.0.0.1:", 0) == 0);
  const int port = std::stoi(banner.substr(banner.rfind(':') + 1));

  std::mutex mutex;
  std::vector<Sent> sent;
  std::vector<std::thread> clients;
  constexpr int kThreads = 4, kPerThread = 10, kTasks = 3;
  for (int t = 0; t < kThreads; ++t) {
    clients.emplace_back([&, t] {
      std::mt19937_64 rng(static_cast<unsigned>(t) * 7919u + 1);
      httplib::Client client("127.0.0.1", port);
      for (int i = 0; i < kPerThread; ++i) {
        httplib::Headers headers;
        std::string path = fmt::format("/api/payments?tasks={}", kTasks);
        std::string expect;
        const std::string id = random_hex(rng, 16);
        switch ((t * kPerThread + i) % 5) {
          case 0:
            headers.emplace("X-Session-ID", id);
            expect = id.substr(0, 8);
            break;
          case 1:
            headers.emplace("X-Correlation-ID", id);
            expect = id.substr(0, 8);
            break;
          case 2:
            path += "&session_id=" + id;
            expect = id.substr(0, 8);
            break;
          case 3: {
            const std::string token = "tok." + id + ".sig";
            headers.emplace("Authorization", "Bearer " + token);
            expect = tracegrep::derived_id(token).substr(0, 8);
            break;
          }
          default:
            break;  // no session given: a new one
        }
        const auto res = client.Post(path, headers, "", "text/plain");
        REQUIRE(res);
        REQUIRE(res->status == 200);
        std::lock_guard<std::mutex> lock(mutex);
        sent.push_back({res->get_header_value("X-Request-ID"), expect});
      }
    });
  }
  for (auto& c : clients) c.join();
  httplib::Client("127.0.0.1", port).Post("/quit", "", "text/plain");
  CHECK(service.wait() == 0);

  REQUIRE(sent.size() == kThreads * kPerThread);
  const std::size_t per_request = 4 + kTasks;  // started, starting, tasks, all done, completed
  CHECK(run_tracegrep({"-c", log}).out == fmt::format("{}\n", sent.size() * per_request));
  for (const Sent& s : sent) {
    REQUIRE(s.request_id.size() == 32);  // a new trace id: no traceparent came in
    const Result r = run_tracegrep({"--json", "-r", s.request_id, log});
    INFO(s.request_id << "\n" << r.out);
    std::size_t lines = 0;
    std::string session_seen;
    for (std::size_t p = 0; p < r.out.size(); p = r.out.find('\n', p) + 1) {
      ++lines;
      const std::string line = r.out.substr(p, r.out.find('\n', p) - p);
      CHECK(line.find("\"req\":\"" + s.request_id + "\"") != std::string::npos);
      const auto at = line.find("\"session\":\"") + 11;
      const std::string session = line.substr(at, line.find('"', at) - at);
      if (session_seen.empty()) session_seen = session;
      CHECK(session == session_seen);  // one session for the whole request
      if (!s.session.empty()) CHECK(session == s.session);
    }
    CHECK(lines == per_request);
    CHECK(r.out.find("All tasks completed") != std::string::npos);
    CHECK(r.out.find("completed 200") != std::string::npos);
  }
}

namespace {
int port_of(const std::string& banner) {
  REQUIRE(banner.rfind("listening on 127.0.0.1:", 0) == 0);
  return std::stoi(banner.substr(banner.rfind(':') + 1));
}

// Where `timeline -r` prints each of the request's messages.
std::vector<std::string> messages_in_order(const std::string& timeline) {
  std::vector<std::string> out;
  for (const char* m : {"POST /api/payments started", "Calling the payments service", "POST /charge started",
                        "Charging card", "Card charged", "POST /charge completed 200",
                        "Payments service answered 200", "POST /api/payments completed 200"}) {
    const auto at = timeline.find(m);
    out.push_back(at == std::string::npos ? std::string("missing: ") + m : std::to_string(at));
  }
  return out;
}
}  // namespace

TEST_CASE("across languages: the C++ service calls a real Python service, one request id end to end",
          "[e2e][service]") {
  // Debian's python3-starlette and python3-uvicorn, with the article's
  // middleware and contextvars filter (examples/python/service.py).
  TempDir tmp;
  const std::string cpp_log = tmp.path("api.log"), py_log = tmp.path("payments.log");
  Live python(TRACEGREP_PYTHON, {TRACEGREP_EXAMPLES "/python/service.py", "--log", py_log});
  const int py_port = port_of(python.read_until("\n", 30s));
  Live service(TRACEGREP_SERVICE, {"--log", cpp_log, "--port", "0", "--downstream",
                                   fmt::format("http://127.0.0.1:{}", py_port)});
  const int port = port_of(service.read_until("\n", 10s));

  httplib::Client client("127.0.0.1", port);
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {  // one user action with a trace from outside, two without
    httplib::Headers headers{{"X-Session-ID", "5e551011abcdef99"}};
    if (i == 0) headers.emplace("traceparent", "00-" + trace + "-00f067aa0ba902b7-01");
    const auto res = client.Post("/api/payments?tasks=2", headers, "", "text/plain");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    ids.push_back(res->get_header_value("X-Request-ID"));
  }
  CHECK(ids[0] == trace);
  CHECK(ids[1] != ids[2]);
  client.Post("/quit", "", "text/plain");
  httplib::Client("127.0.0.1", py_port).Post("/quit", "", "text/plain");
  CHECK(service.wait() == 0);
  CHECK(python.wait() == 0);

  for (const std::string& id : ids) {
    INFO("request " << id);
    // Each service logged the request under the same id.
    CHECK(run_tracegrep({"-c", "-r", id, cpp_log}).out == "8\n");
    CHECK(run_tracegrep({"-c", "-r", id, py_log}).out == "4\n");
    // One timeline across both services, in time order: the Python entries
    // fall between the call and its answer.
    const Result t = run_tracegrep({"timeline", "-r", id, cpp_log, py_log});
    INFO(t.out << t.err);
    REQUIRE(t.status == 0);
    CHECK(t.out.find("sources: " + cpp_log + ", " + py_log) != std::string::npos);
    CHECK(t.out.find("entries 12") != std::string::npos);
    // Times have milliseconds, and entries of one millisecond keep the order
    // of the files given: the answer and the callee's last lines can share
    // one. The Python service sleeps 10 ms after "Charging card": up to it
    // the order is strict, and everything else comes after it.
    std::vector<std::size_t> at;
    for (const std::string& o : messages_in_order(t.out)) {
      INFO(o);
      REQUIRE(o.rfind("missing", 0) != 0);
      at.push_back(std::stoul(o));
    }
    CHECK(at[0] < at[1]);  // the C++ service: started, calling
    CHECK(at[1] < at[2]);  // then the Python service: started, charging
    CHECK(at[2] < at[3]);
    for (std::size_t i = 4; i < at.size(); ++i) CHECK(at[3] < at[i]);
    CHECK(at[4] < at[5]);  // charged, completed
    CHECK(at[6] < at[7]);  // answered, completed
  }
  // The caller's span is an attribute of the C++ service's entries.
  const Result json = run_tracegrep({"--json", "-r", trace, cpp_log});
  CHECK(json.out.find("\"parent\":\"00f067aa0ba902b7\"") != std::string::npos);
  // The session: three requests (not six), each across both services.
  const Result session =
      run_tracegrep({"timeline", "-s", "5e551011abcdef99", "--width", "100", cpp_log, py_log});
  INFO(session.out);
  CHECK(session.out.find("requests 3  entries 36") != std::string::npos);
  for (const std::string& id : ids) CHECK(session.out.find(id + " ") != std::string::npos);
}
