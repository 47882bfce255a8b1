// Live input: entries appear while the writer is still open; --follow keeps
// up across rotation and truncation.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/subprocess.hpp"

using namespace tracegrep::test;
using namespace std::chrono_literals;

namespace {

const std::string kA = "2024-01-15 10:30:15,123 - ERROR - [req=aaaa0001|session=12345678] - first\n";
const std::string kB = "2024-01-15 10:30:16,000 - INFO - [req=bbbb0002|session=87654321] - other\n";
const std::string kC = "2024-01-15 10:30:17,000 - INFO - [req=cccc0003|session=12345678] - third\n";

void append(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::app | std::ios::binary);
  f << text;
}

}  // namespace

TEST_CASE("a live pipe prints each entry while the writer is still open", "[e2e][live]") {
  Live p(TRACEGREP_BIN, {"-s", "12345678"});
  p.write(kA);
  // Nothing follows it: it is printed after at most 200 ms of quiet. The
  // bound checked is loose, for noisy machines; the design figure is 200 ms.
  const auto start = std::chrono::steady_clock::now();
  std::string got = p.read_until("first\n", 3s);
  CHECK(got == kA);
  CHECK(std::chrono::steady_clock::now() - start < 3s);
  // A traceback that comes late still follows its entry.
  p.write("Traceback (most recent call last):\n");
  got = p.read_until("Traceback", 3s);
  CHECK(got == kA + "Traceback (most recent call last):\n");
  // An entry is also complete as soon as the next one begins.
  p.write(kB + kC);
  got = p.read_until("third\n", 3s);
  CHECK(got == kA + "Traceback (most recent call last):\n" + kC);
  CHECK(p.wait() == 0);
}

TEST_CASE("a live gzip stream is decoded as it arrives", "[e2e][live]") {
  // gzip -c of a file that is still being written flushes only at the end,
  // so here the point is that a pipe of gzip is recognised and read.
  const auto r =
      run("/bin/sh", {"-c", fmt::format("printf '%s' '{}' | gzip -c | '{}' -s 12345678", kA, TRACEGREP_BIN)});
  CHECK(r.out == kA);
}

TEST_CASE("following a file reads it whole, then keeps up across rotation and truncation", "[e2e][live]") {
  TempDir tmp;
  const std::string log = tmp.path("app.log");
  write_file(log, kA);
  Live p(TRACEGREP_BIN, {"--follow", log, "-s", "12345678"});
  CHECK(p.read_until("first\n", 3s) == kA);

  append(log, kB + kC);
  CHECK(p.read_until("third\n", 3s) == kA + kC);

  // logrotate's default: rename, then a new file under the old name.
  std::filesystem::rename(log, log + ".1");
  const std::string d = "2024-01-15 10:30:18,000 - INFO - [req=dddd0004|session=12345678] - after rotation\n";
  write_file(log, d);
  CHECK(p.read_until("after rotation\n", 5s) == kA + kC + d);

  // copytruncate: the same file cut to nothing, then written again.
  std::filesystem::resize_file(log, 0);
  std::this_thread::sleep_for(300ms);
  const std::string e =
      "2024-01-15 10:30:19,000 - INFO - [req=eeee0005|session=12345678] - after truncation\n";
  append(log, e);
  CHECK(p.read_until("after truncation\n", 5s) == kA + kC + d + e);
  p.kill();
}

TEST_CASE("following several files: each entry whole, with its file, tracebacks with theirs", "[e2e][live]") {
  TempDir tmp;
  const std::string api = tmp.path("api.log"), pay = tmp.path("payments.log");
  write_file(api, kA);
  write_file(pay, kB);
  Live p(TRACEGREP_BIN, {"--follow", api, pay, tmp.path("not-yet.log"), "-r", "aaaa0001", "-r", "bbbb0002"});
  p.read_until("other\n", 3s);
  std::string got = p.read_until("first\n", 3s);  // the two files' threads print in either order
  CHECK(got.find(api + ":" + kA) != std::string::npos);
  CHECK(got.find(pay + ":" + kB) != std::string::npos);

  // Each file goes on in its own time; a traceback that arrives after the
  // other file's entry still says which file it belongs to.
  const std::string pay2 = "2024-01-15 10:30:20,000 - ERROR - [req=bbbb0002|session=87654321] - declined\n";
  append(pay, pay2);
  got = p.read_until("declined\n", 3s);
  const std::string api2 = "2024-01-15 10:30:21,000 - INFO - [req=aaaa0001|session=12345678] - retried\n";
  append(api, api2);
  got = p.read_until("retried\n", 3s);
  append(pay, "Traceback (most recent call last):\n");
  got = p.read_until("Traceback", 3s);
  const auto at = got.find(pay + ":" + pay2);
  REQUIRE(at != std::string::npos);
  CHECK(got.find(api + ":" + api2, at) != std::string::npos);
  CHECK(got.find(pay + "-Traceback (most recent call last):\n") != std::string::npos);

  // A file that appears later is followed too, and a rotation of one file
  // does not disturb the other.
  write_file(tmp.path("not-yet.log"),
             "2024-01-15 10:30:22,000 - INFO - [req=aaaa0001|session=12345678] - late file\n");
  CHECK(p.read_until("late file\n", 5s).find(tmp.path("not-yet.log") + ":") != std::string::npos);
  std::filesystem::rename(api, api + ".1");
  write_file(api, "2024-01-15 10:30:23,000 - INFO - [req=aaaa0001|session=12345678] - rotated\n");
  append(pay, "2024-01-15 10:30:24,000 - INFO - [req=bbbb0002|session=87654321] - still here\n");
  got = p.read_until("still here\n", 5s);
  got = p.read_until("rotated\n", 5s);
  CHECK(got.find(api + ":2024-01-15 10:30:23,000") != std::string::npos);
  CHECK(got.find(pay + ":2024-01-15 10:30:24,000") != std::string::npos);
  p.kill();
}

TEST_CASE("following many files is one event loop: a few threads, whatever their number", "[e2e][live]") {
  TempDir tmp;
  std::vector<std::string> args = {"--follow"};
  constexpr int kFiles = 120;
  for (int i = 0; i < kFiles; ++i) {
    args.push_back(tmp.path(fmt::format("f{}.log", i)));
    write_file(args.back(), "");
  }
  args.push_back(tmp.path("later.log"));  // not there yet: looked for on the same loop
  Live p(TRACEGREP_BIN, args);
  // Each file in turn: an entry written to any of them is printed, whole.
  for (const int i : {0, kFiles / 2, kFiles - 1}) {
    const std::string line =
        fmt::format("2024-01-15 10:30:15,000 - INFO - [req=r{}|session=s] - from file {}\n", i, i);
    append(tmp.path(fmt::format("f{}.log", i)), line);
    CHECK(p.read_until(fmt::format("from file {}\n", i), 3s).find(line) != std::string::npos);
  }
  write_file(tmp.path("later.log"), "2024-01-15 10:30:16,000 - INFO - [req=r|session=s] - appeared\n");
  CHECK(p.read_until("appeared\n", 5s).find(tmp.path("later.log") + ":") != std::string::npos);
  // The event loop (main) and the inotify watcher: were 122 threads, one per file.
  std::size_t threads = 0;
  for ([[maybe_unused]] const auto& t :
       std::filesystem::directory_iterator(fmt::format("/proc/{}/task", p.pid())))
    ++threads;
  CHECK(threads <= 3);
  p.kill();
}

TEST_CASE("other FILEs and -c are refused beside --follow", "[e2e][live]") {
  const auto r = run(TRACEGREP_BIN, {testdata("app.log"), "--follow", testdata("worker.log")});
  CHECK(r.status == 2);
  CHECK(r.err == "tracegrep: --follow reads only its own files: put every FILE after --follow\n");
  const auto c = run(TRACEGREP_BIN, {"-c", "--follow", testdata("app.log")});
  CHECK(c.status == 2);
  CHECK(c.err ==
        "tracegrep: -c counts when an input ends, and --follow never ends: count with tracegrep -c FILE\n");
}

TEST_CASE("following a FIFO reads what is written to it, with no talk of truncation", "[e2e][live]") {
  TempDir tmp;
  const std::string fifo = tmp.path("pipe.log");
  REQUIRE(run("/usr/bin/mkfifo", {fifo}).status == 0);
  const auto r = run(
      "/bin/sh",
      {"-c", fmt::format("(sleep 0.3; printf '%s' '{}' > '{}') & timeout 2 '{}' --follow '{}' -s 12345678",
                         kA, fifo, TRACEGREP_BIN, fifo)});
  CHECK(r.out == kA);
  CHECK(r.err.find("truncated") == std::string::npos);
}
