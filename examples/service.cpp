// An HTTP service on cpp-httplib that does what the article's middleware
// does, in C++: each request gets a session id (from its headers, query or
// bearer token) and a request id (an incoming W3C traceparent's trace id,
// else a new one), installed as the context for the handler; the response
// carries X-Request-ID; the handler fans out parallel tasks that log under
// the same context and, given --downstream, calls another service with the
// trace context, session and request id in its headers.
//
//   tracegrep-example-service --log FILE [--port N] [--downstream http://HOST:PORT]
// prints "listening on 127.0.0.1:PORT" (PORT chosen when N is 0), serves
// POST /api/payments?tasks=N (calling POST /charge downstream), and stops
// on POST /quit.
#include <httplib.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tracegrep/context.hpp"
#include "tracegrep/ids.hpp"
#include "tracegrep/log.hpp"
#include "tracegrep/trace.hpp"

namespace {

using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

// The middleware: context for the request, X-Request-ID on the response.
Handler traced(Handler handler) {
  return [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    const auto header = [&req](std::string_view name) -> std::optional<std::string_view> {
      const auto it = req.headers.find(std::string(name));
      if (it == req.headers.end()) return std::nullopt;
      return std::string_view(it->second);
    };
    std::string query;
    if (req.has_param("session_id")) query = "session_id=" + req.get_param_value("session_id");
    tracegrep::RequestMetadata metadata = tracegrep::request_from(header, query);
    metadata.method = req.method;
    metadata.path = req.path;
    metadata.transport_type = "http";
    tracegrep::ContextScope scope(std::move(metadata));
    res.set_header("X-Request-ID", tracegrep::request_id_header());
    tracegrep::info("{} {} started", req.method, req.path);
    try {
      handler(req, res);
      tracegrep::info("{} {} completed {}", req.method, req.path, res.status);
    } catch (...) {
      tracegrep::default_logger().exception("Unhandled exception in " + req.path);
      res.status = 500;
    }
  };
}

}  // namespace

int main(int argc, char** argv) {
  std::string log_path, downstream;
  int port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--log")
      log_path = argv[i + 1];
    else if (a == "--port")
      port = std::atoi(argv[i + 1]);
    else if (a == "--downstream")
      downstream = argv[i + 1];
  }
  auto sink = log_path.empty() ? tracegrep::stderr_sink() : tracegrep::file_sink(log_path);
  if (!sink) return 2;
  tracegrep::set_default_logger(std::make_shared<tracegrep::Logger>(sink));

  httplib::Server server;
  server.Post("/api/payments", traced([&downstream](const httplib::Request& req, httplib::Response& res) {
                const int tasks =
                    req.has_param("tasks") ? std::atoi(req.get_param_value("tasks").c_str()) : 3;
                tracegrep::info("Starting {} parallel tasks", tasks);
                std::vector<std::future<void>> running;
                for (int i = 0; i < tasks; ++i) {
                  running.push_back(tracegrep::async(std::launch::async, [i] {
                    tracegrep::debug("worker {} begins", i);
                    tracegrep::info("Task {} completed", i);
                  }));
                }
                for (auto& r : running) r.get();
                tracegrep::info("All tasks completed");
                if (!downstream.empty()) {
                  httplib::Client client(downstream);
                  client.set_connection_timeout(5);
                  client.set_read_timeout(10);
                  httplib::Headers headers;
                  for (auto& [name, value] : tracegrep::outgoing_headers()) headers.emplace(name, value);
                  tracegrep::info("Calling the payments service");
                  const auto answer = client.Post("/charge", headers, "", "text/plain");
                  if (!answer) {
                    tracegrep::error("Payments service unreachable: {}", httplib::to_string(answer.error()));
                    res.status = 502;
                    return;
                  }
                  tracegrep::info("Payments service answered {}", answer->status);
                }
                res.status = 200;
                res.set_content("ok\n", "text/plain");
              }));
  server.Post("/quit", [&server](const httplib::Request&, httplib::Response& res) {
    res.set_content("bye\n", "text/plain");
    server.stop();
  });
  const int bound =
      port == 0 ? server.bind_to_any_port("127.0.0.1") : (server.bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound < 0) {
    std::fprintf(stderr, "cannot listen on 127.0.0.1:%d\n", port);
    return 2;
  }
  std::printf("listening on 127.0.0.1:%d\n", bound);
  std::fflush(stdout);
  server.listen_after_bind();
  tracegrep::default_logger().flush();
  return 0;
}
