// The colours of levels, shared by the printers (SGR sequences).
#pragma once

#include <string_view>

#include "tracegrep/format.hpp"

namespace tracegrep::colors {

inline constexpr std::string_view kReset = "\x1b[0m";

/// The colour of a level's name; empty for levels shown plain.
inline std::string_view level(format::Level l) {
  switch (l) {
    case format::Level::kTrace:
    case format::Level::kDebug:
      return "\x1b[2m";
    case format::Level::kInfo:
      return "\x1b[32m";
    case format::Level::kWarning:
      return "\x1b[33m";
    case format::Level::kError:
      return "\x1b[1;31m";
    case format::Level::kCritical:
      return "\x1b[1;37;41m";
    case format::Level::kNone:
      break;
  }
  return {};
}

/// The colour of a waterfall bar: green, yellow for warnings, red for errors.
inline std::string_view bar(format::Level l) {
  switch (l) {
    case format::Level::kError:
    case format::Level::kCritical:
      return "\x1b[31m";
    case format::Level::kWarning:
      return "\x1b[33m";
    default:
      return "\x1b[32m";
  }
}

}  // namespace tracegrep::colors
