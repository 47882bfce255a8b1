// util/: the one FNV-1a of the tree (ids in the index, fingerprints of
// inputs, ids the emitter derives from unsafe ones). Fast for short keys,
// good enough spread; nothing here is a security boundary.
#pragma once

#include <cstdint>
#include <string_view>

namespace tracegrep {

inline constexpr std::uint64_t kFnvOffset = 1469598103934665603ull;

/// FNV-1a of `bytes`, starting from `seed` (kFnvOffset for the plain hash).
inline std::uint64_t fnv1a(std::string_view bytes, std::uint64_t seed = kFnvOffset) {
  std::uint64_t h = seed;
  for (const char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

/// Lowercase hexadecimal digits, by value.
inline constexpr char kHexDigits[] = "0123456789abcdef";

}  // namespace tracegrep
