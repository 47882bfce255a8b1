// Golden outputs: each case runs tracegrep in testdata/ and compares stdout
// with testdata/expected/<name>.out. After a deliberate change, refresh them
// with: TRACEGREP_UPDATE_GOLDENS=1 ctest --test-dir build -R golden
#include <catch2/catch.hpp>
#include <cstdlib>

#include "support/subprocess.hpp"

using namespace tracegrep::test;

namespace {

struct Golden {
  const char* name;
  std::vector<std::string> args;
};

const Golden kGoldens[] = {
    {"session-full-id", {"-s", "d6b3169782347c4d145c01a599f4a231", "app.log"}},
    {"session-short-id", {"-s", "d6b3", "-n", "app.log"}},
    {"request", {"-r", "40511743", "app.log", "worker.log"}},
    {"level-error", {"-l", "error", "-n", "app.log"}},
    {"time-window", {"--since", "2024-01-15 09:00:10", "--until", "2024-01-15 09:00:11", "app.log"}},
    {"json-layouts", {"--json", "edge/layouts.log"}},
    {"json-broken", {"--json", "edge/broken.log"}},
    {"json-python-layouts", {"--json", "edge/python-layouts.log"}},
    {"session-python-layouts", {"-s", "12345678", "edge/python-layouts.log"}},
    {"request-uvicorn", {"-r", "u0000001", "-n", "edge/uvicorn.log"}},
    {"level-uvicorn", {"-l", "error", "edge/uvicorn.log"}},
    {"orphan-nonl", {"-n", "edge/orphan-nonl.log"}},
    {"crlf", {"-s", "12345678", "edge/crlf.log"}},
    {"color-layouts", {"--color=always", "-H", "-n", "edge/layouts.log"}},
    {"hostile-tty", {"--color=always", "-a", "edge/hostile.log"}},  // -a: the NUL entry too, escaped
    {"hostile-binary", {"--color=always", "edge/hostile.log"}},     // without: named, not printed
    {"regex-traceback", {"-e", "Traceback", "-i", "-l", "ERROR", "-c", "app.log", "worker.log"}},
    {"timeline-request", {"timeline", "-r", "860ba6e9", "app.log"}},
    {"timeline-cross-service", {"timeline", "-r", "x0000001", "edge/svc-api.log", "edge/svc-payments.log"}},
    {"timeline-color",
     {"timeline", "--color=always", "-r", "x0000001", "edge/svc-api.log", "edge/svc-payments.log"}},
    {"timeline-session", {"timeline", "-s", "d6b3", "--width", "80", "app.log"}},
    {"timeline-session-color",
     {"timeline", "-s", "abcdef01", "--width", "60", "--color=always", "--expand", "edge/svc-api.log",
      "edge/svc-payments.log"}},
    {"requests-slowest-errors", {"requests", "--slowest", "5", "-l", "error", "app.log", "worker.log"}},
    {"requests-session", {"requests", "-s", "d6b3169782347c4d145c01a599f4a231", "app.log"}},
    {"timeline-json", {"timeline", "--json", "-r", "x0000001", "edge/svc-api.log", "edge/svc-payments.log"}},
    {"timeline-session-json",
     {"timeline", "--json", "-s", "abcdef01", "edge/svc-api.log", "edge/svc-payments.log"}},
    {"timeline-chrome",
     {"timeline", "--format", "chrome", "-s", "abcdef01", "edge/svc-api.log", "edge/svc-payments.log"}},
    {"requests-json", {"requests", "--json", "-s", "d6b3", "app.log"}},
    {"sessions", {"sessions", "app.log", "worker.log"}},
    {"sessions-json", {"sessions", "--json", "edge/svc-api.log", "edge/svc-payments.log"}},
};

}  // namespace

TEST_CASE("golden outputs", "[e2e][golden]") {
  const bool update = std::getenv("TRACEGREP_UPDATE_GOLDENS") != nullptr;
  for (const Golden& g : kGoldens) {
    const std::string path = testdata(std::string("expected/") + g.name + ".out");
    const Result r = run_tracegrep(g.args);
    if (update) write_file(path, r.out);
    const std::string expected = read_file(path);
    INFO("golden " << g.name << " (" << path << "), status " << r.status << "\n--- expected\n"
                   << expected << "--- got\n"
                   << r.out << "--- stderr\n"
                   << r.err);
    CHECK(r.err.empty());
    CHECK(r.out == expected);
  }
}
