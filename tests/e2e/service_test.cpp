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
    REQUIRE(s.request_id.size() == 8);
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
