// cli/: arguments in two steps. parse_args() fills ScanArgs with the raw
// values (CLI11 does the parsing); plan.cpp builds the objects from them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/layouts_cmd.hpp"

namespace tracegrep {

/// The raw values of the scan command line.
struct ScanArgs {
  std::vector<std::string> sessions;
  std::vector<std::string> requests;
  std::vector<std::string> patterns;
  std::vector<std::string> fields;  ///< --field KEY=VALUE
  std::vector<std::string> files;
  std::string level;
  std::string since;
  std::string until;
  std::string color = "auto";
  std::string max_entry_size;
  std::vector<std::string> follow;
  std::vector<std::string> db;  ///< --db: read these indexes (as one) instead of files
  bool utc = false;             ///< --utc: times without an offset are UTC
  bool fixed_strings = false;
  bool ignore_case = false;
  bool word_regexp = false;
  bool text = false;  ///< -a: entries holding NUL bytes are printed
  bool invert = false;
  bool with_filename = false;
  bool no_filename = false;
  bool line_numbers = false;
  bool merge = false;  ///< --merge: several inputs' entries interleaved by time
  bool count = false;
  bool json = false;
  bool quiet = false;                ///< -q: no output, exit status only, stop at the first match
  bool files_with_matches = false;   ///< --files-with-matches
  bool only_matching = false;        ///< -o
  bool files_without_match = false;  ///< -L, --files-without-match
  std::uint64_t max_count = 0;
  bool max_count_given = false;  ///< -m was given (-m 0 reads nothing, as grep)
  /// -A/-B/-C NUM: entries of context after/before each match (-1: not given)
  std::int64_t after = -1, before = -1, context = -1;
};

/// The raw values of `tracegrep index`.
struct IndexArgs {
  std::vector<std::string> files;
  std::string db;
  std::string max_entry_size;
  bool quiet = false;
  bool status = false;
  bool json = false;                ///< --status --json
  bool check = false;               ///< --check: verify the whole index
  std::string forget_before;        ///< --forget-before TIME
  std::vector<std::string> forget;  ///< --forget FILE: as index --status names it
};

/// The raw values of `tracegrep timeline`.
struct TimelineArgs {
  std::string request;
  std::string session;
  bool expand = false;
  bool entries = false;         ///< with -s: every entry of the session, in time order
  std::size_t width = 0;        ///< 0: the terminal's (the waterfall: else 100; tables: else no limit)
  std::string format = "text";  ///< text, json or chrome
  bool json = false;
  std::vector<std::string> files;
  std::vector<std::string> db;
  std::string level;
  std::string since;
  std::string until;
  bool utc = false;
  std::string color = "auto";
};

/// The raw values of `tracegrep requests`.
struct RequestsArgs {
  std::string session;
  std::vector<std::string> files;
  std::vector<std::string> db;
  std::string level;
  std::string since;
  std::string until;
  bool utc = false;
  std::size_t slowest = 0;
  bool json = false;
  std::size_t width = 0;  ///< 0: the terminal's (no limit into a pipe)
  std::string color = "auto";
};

/// The raw values of `tracegrep sessions`.
struct SessionsArgs {
  std::string session;
  std::string level;
  std::vector<std::string> files;
  std::vector<std::string> db;
  std::string since;
  std::string until;
  bool utc = false;
  bool json = false;
  std::size_t width = 0;  ///< 0: the terminal's (no limit into a pipe)
  std::string color = "auto";
};

enum class Command { kScan, kIndex, kTimeline, kRequests, kSessions, kLayouts };

/// How lines are read, taken by every command that reads logs: the id keys
/// of JSON and logfmt, and the user's layout (cli/layout_config.hpp).
struct KeyArgs {
  std::vector<std::string> request;
  std::vector<std::string> session;
  std::string log_format;
  std::string date_format;
  std::string log_format_style;
  std::string continuation;        ///< --continuation REGEX
  std::vector<std::string> globs;  ///< --glob: which files of a directory FILE
  bool hidden = false;             ///< --hidden: a directory's hidden files too
};

/// What parse_args decided: run with these args, or exit now with a code
/// (after --help, --version or a usage error, already printed).
struct ParsedArgs {
  std::optional<int> exit_code;
  KeyArgs keys;
  Command command = Command::kScan;
  ScanArgs scan;
  IndexArgs index;
  TimelineArgs timeline;
  RequestsArgs requests;
  SessionsArgs sessions;
  LayoutsArgs layouts;
};

ParsedArgs parse_args(int argc, char** argv);

}  // namespace tracegrep
