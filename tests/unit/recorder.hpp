// A sink that records entries, for unit tests of producers.
#pragma once

#include <string>
#include <vector>

#include "parse/entry.hpp"

namespace tracegrep::test {

struct Recorded {
  std::string text;
  std::string session;
  std::string req;
  std::uint64_t line;
  bool cut;
  bool operator==(const Recorded& o) const {
    return text == o.text && session == o.session && req == o.req && line == o.line && cut == o.cut;
  }
};

class Recorder : public EntrySink {
 public:
  Flow entry(const Entry& e) override {
    entries.push_back(
        {std::string(e.text), std::string(e.header->session), std::string(e.header->req), e.line, e.cut});
    return stop_after && entries.size() >= stop_after ? Flow::kStop : Flow::kContinue;
  }
  Flow late_lines(std::string_view lines) override {
    late += lines;
    return Flow::kContinue;
  }
  std::vector<Recorded> entries;
  std::string late;
  std::size_t stop_after = 0;
};

}  // namespace tracegrep::test
