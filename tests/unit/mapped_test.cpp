// Mapped reading: a file truncated while it is read (copytruncate) is an
// error message, never a crash, and no zeros reach the output.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>

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
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("tracegrep-mapped-" + std::to_string(::getpid()) + ".log"))
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
  CHECK(outcome.error ==
        "file shrank while being read (truncated?); the entries after that point are not shown");
  CHECK(sink.entries.size() < 200000);
  for (const auto& e : sink.entries) CHECK(e.text.find('\0') == std::string::npos);
}
