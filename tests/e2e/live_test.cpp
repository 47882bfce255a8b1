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
