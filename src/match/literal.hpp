// match/: deciding which entries a run wants. LiteralFinder finds the
// literals one of which every matching line must contain (the session or
// request ids asked for), so the scanner parses only the lines that have one
// (the reason tracegrep -s keeps pace with ripgrep).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "parse/entry_filter.hpp"

namespace tracegrep {

class LiteralFinder final : public LineSkipper {
 public:
  /// Up to this many needles are searched together; with more, a caller
  /// does better parsing every line.
  static constexpr std::size_t kMaxNeedles = 16;

  /// `needle` must not be empty.
  explicit LiteralFinder(std::string needle);
  /// Finds whichever of `needles` comes first (1 to kMaxNeedles, none
  /// empty; repeats are dropped).
  explicit LiteralFinder(const std::vector<std::string>& needles);

  /// The first occurrence of a needle in [begin, end), or nullptr.
  const char* find(const char* begin, const char* end) const override;

  /// A needle and the two positions tested together 32 bytes at a time,
  /// chosen in the id part of "key=id": ids are high-entropy, keys are on
  /// every line. Worked out once, here, not per search.
  struct Needle {
    std::string text;
    std::size_t first = 0;
    std::size_t second = 0;
  };

 private:
  std::vector<Needle> needles_;
  std::size_t longest_ = 0;
};

}  // namespace tracegrep
