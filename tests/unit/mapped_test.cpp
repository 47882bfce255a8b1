// Mapped reading: a file truncated while it is read (copytruncate) is an
// error message, never a crash, and no zeros reach the output.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "match/filter.hpp"
#include "parse/assembler.hpp"
#include "recorder.hpp"
#include "search/source.hpp"

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
  const SourceOutcome outcome = file_source(path, {})->search(a, sink, {});
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

enum class Path { kHalves, kOnePass };

// Scans with `spec`, checking which way the file was read.
Digest scan_with(const std::string& path, const FilterSpec& spec, Path expected) {
  std::string error;
  auto filter = Filter::build(spec, error);
  REQUIRE(filter);
  if (expected == Path::kOnePass)
    REQUIRE_FALSE(filter->skipper());  // no literal: every line parsed, no split
  Digest digest;
  Assembler a(*filter, digest, kDefaultMaxEntry, LineNumbers::kCount);
  const std::uint64_t splits = detail::g_split_scans;
  CHECK_FALSE(file_source(path, {})->search(a, digest, {}).error);
  CHECK(detail::g_split_scans - splits == (expected == Path::kHalves ? 1u : 0u));
  return digest;
}

// The same sessions, with more ids than the literal search takes (ids that
// are nowhere in the log, each with its own first 4 characters, which is
// what the needles are made of): the filter then parses every line.
FilterSpec without_literal(FilterSpec spec) {
  for (std::size_t i = 0; i <= LiteralFinder::kMaxNeedles; ++i)
    spec.sessions.push_back(std::to_string(9000 + i) + "absent");
  return spec;
}

}  // namespace

TEST_CASE("a large file searched in two halves gives what one pass gives", "[source]") {
  SECTION("few matches: the second half's are kept and printed after the first's") {
    const std::string path = big_log(50);
    FilterSpec halves;
    halves.sessions = {"sess1007"};
    const std::uint64_t fallbacks = detail::g_split_fallbacks;
    const Digest a = scan_with(path, halves, Path::kHalves);
    CHECK(detail::g_split_fallbacks == fallbacks);  // the second half's entries were kept
    const Digest b = scan_with(path, without_literal(halves), Path::kOnePass);
    std::filesystem::remove(path);
    CHECK(a.count == 16000);
    CHECK(a.count == b.count);
    CHECK(a.hash == b.hash);
  }
  SECTION("too many matches to keep: the first thread goes on alone") {
    const std::string path = big_log(1);
    FilterSpec halves;
    halves.sessions = {"sess1000"};
    const std::uint64_t fallbacks = detail::g_split_fallbacks;
    const Digest a = scan_with(path, halves, Path::kHalves);
    CHECK(detail::g_split_fallbacks == fallbacks + 1);  // over the collector's limit: the first went on
    const Digest b = scan_with(path, without_literal(halves), Path::kOnePass);
    std::filesystem::remove(path);
    CHECK(a.count == 800000);
    CHECK(a.hash == b.hash);
  }
}
