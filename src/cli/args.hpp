// cli/: arguments in two steps. parse_args() fills ScanArgs with the raw
// values (CLI11 does the parsing); plan.cpp builds the objects from them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tracegrep {

/// The raw values of the scan command line.
struct ScanArgs {
  std::vector<std::string> sessions;
  std::vector<std::string> requests;
  std::vector<std::string> patterns;
  std::vector<std::string> files;
  std::string level;
  std::string since;
  std::string until;
  std::string color = "auto";
  std::string max_entry_size;
  std::string follow;
  bool fixed_strings = false;
  bool ignore_case = false;
  bool invert = false;
  bool with_filename = false;
  bool no_filename = false;
  bool line_numbers = false;
  bool count = false;
  bool json = false;
  std::uint64_t max_count = 0;
};

/// What parse_args decided: run with these args, or exit now with a code
/// (after --help, --version or a usage error, already printed).
struct ParsedArgs {
  std::optional<int> exit_code;
  ScanArgs scan;
};

ParsedArgs parse_args(int argc, char** argv);

}  // namespace tracegrep
