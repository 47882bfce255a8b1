// match/: deciding which entries a run wants. LiteralFinder finds the one
// literal every matching line must contain, so the scanner parses only the
// lines that have it (the reason tracegrep -s keeps pace with ripgrep).
#pragma once

#include <cstddef>
#include <string>

namespace tracegrep {

class LiteralFinder {
 public:
  /// `needle` must not be empty.
  explicit LiteralFinder(std::string needle);

  /// The first occurrence of the needle in [begin, end), or nullptr.
  const char* find(const char* begin, const char* end) const;

  const std::string& needle() const { return needle_; }

 private:
  std::string needle_;
  // The two needle positions tested together 32 bytes at a time. Chosen in
  // the id part of "key=id": ids are high-entropy, keys are on every line.
  std::size_t first_ = 0;
  std::size_t second_ = 0;
};

/// Number of '\n' bytes in [begin, end).
std::size_t count_newlines(const char* begin, const char* end);

}  // namespace tracegrep
