// Mapped reading: a file truncated while it is read (copytruncate) is an
// error message, never a crash, and no zeros reach the output.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "match/filter.hpp"
#include "parse/assembler.hpp"
#include "recorder.hpp"
#include "source/input.hpp"

using namespace tracegrep;

namespace {

// Truncates the file the first time it receives an entry.
class Truncator : public test::Recorder {
 public:
  explicit Truncator(std::string path) : path_(std::move(path)) {}
  Flow entry(const Entry& e) override {
    if (!done_) {
      std::filesystem::resize_file(path_, 4096);
      done_ = true;
    }
    return Recorder::entry(e);
  }

 private:
  std::string path_;
  bool done_ = false;
};

std::string temp_log(std::size_t entries) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("tracegrep-mapped-" + std::to_string(::getpid()) + ".log"))
          .string();
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  for (std::size_t i = 0; i < entries; ++i) {
    f << "2024-01-15 10:30:15,123 - INFO - [req=r" << i << "|session=12345678] - entry " << i << "\n";
  }
  return path;
}

}  // namespace

TEST_CASE("a file truncated while mapped gives an error, not a crash", "[source]") {
  const std::string path = temp_log(200000);  // about 14 MB
  std::string error;
  auto filter = Filter::build({}, error);
  Truncator sink(path);
  Assembler a(*filter, sink, kDefaultMaxEntry, LineNumbers::kOff);
  const FeedOutcome outcome = scan_input(path, a, sink, {});
  std::filesystem::remove(path);
  CHECK(outcome.error.message() ==
        "file shrank while being read (truncated?); the entries after that point are not shown");
  CHECK(sink.entries.size() < 200000);
  for (const auto& e : sink.entries) CHECK(e.text.find('\0') == std::string::npos);
}

namespace {

// Digests what it receives, so that large scans compare cheaply.
class Digest : public EntrySink {
 public:
  Flow entry(const Entry& e) override {
    ++count;
    mix(e.text);
    mix(std::to_string(e.line));
    mix(e.cut ? "cut" : "whole");
    return Flow::kContinue;
  }
  std::uint64_t hash = 1469598103934665603ull;
  std::uint64_t count = 0;

 private:
  void mix(std::string_view s) {
    for (const char c : s) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  }
};

// About 75 MB, over the size at which a file is searched in two halves.
std::string big_log(unsigned sessions) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("tracegrep-big-" + std::to_string(::getpid()) + ".log"))
          .string();
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  std::string chunk;
  for (unsigned i = 0; i < 800000; ++i) {
    chunk += "2024-01-15 10:30:15,123 - ERROR - [req=r" + std::to_string(i) + "|session=sess" +
             std::to_string(1000 + i % sessions) + "] - entry " + std::to_string(i) + "\n";
    if (i % 7 == 0) chunk += "Traceback (most recent call last):\n  File \"x.py\", line 1\n";
    if (chunk.size() > (1 << 20)) {
      f << chunk;
      chunk.clear();
    }
  }
  f << chunk;
  f.close();
  REQUIRE(std::filesystem::file_size(path) > (std::uintmax_t{64} << 20));
  return path;
}

Digest scan_with(const std::string& path, FilterSpec spec) {
  std::string error;
  auto filter = Filter::build(spec, error);
  Digest digest;
  Assembler a(*filter, digest, kDefaultMaxEntry, LineNumbers::kCount);
  CHECK_FALSE(scan_input(path, a, digest, {}).error);
  return digest;
}

}  // namespace

TEST_CASE("a large file searched in two halves gives what one pass gives", "[source]") {
  SECTION("few matches: the second half's are kept and printed after the first's") {
    const std::string path = big_log(50);
    FilterSpec halves, one_pass;
    halves.sessions = {"sess1007"};
    one_pass.sessions = {"sess1007", "sess1007"};  // no literal: no split
    const Digest a = scan_with(path, halves);
    const Digest b = scan_with(path, one_pass);
    std::filesystem::remove(path);
    CHECK(a.count == 16000);
    CHECK(a.count == b.count);
    CHECK(a.hash == b.hash);
  }
  SECTION("too many matches to keep: the first thread goes on alone") {
    const std::string path = big_log(1);
    FilterSpec halves, one_pass;
    halves.sessions = {"sess1000"};
    one_pass.sessions = {"sess1000", "sess1000"};
    const Digest a = scan_with(path, halves);
    const Digest b = scan_with(path, one_pass);
    std::filesystem::remove(path);
    CHECK(a.count == 800000);
    CHECK(a.hash == b.hash);
  }
}
