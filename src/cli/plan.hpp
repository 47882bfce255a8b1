// The second step of argument handling: raw values -> compiled filter,
// chosen printer, inputs. Errors name the culprit and the accepted forms.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "match/filter.hpp"
#include "parse/assembler.hpp"
#include "print/printers.hpp"
#include "search/searcher.hpp"
#include "source/input.hpp"
#include "source/walk.hpp"

namespace tracegrep {

struct Plan {
  std::unique_ptr<Filter> filter;
  std::vector<std::string> inputs;
  InputOptions input_options;
  LineNumbers numbers = LineNumbers::kOff;
  enum class Printer {
    kText,
    kJson,
    kCount,
    kQuiet,
    kFilesWith,
    kFilesWithout,
    kOnlyMatching
  } printer = Printer::kText;
  std::shared_ptr<const re2::RE2> only_matching;  ///< -o: the -e patterns, for the printer
  bool read_nothing = false;                      ///< -m 0: as grep, read nothing and match nothing
  TextStyle style;
  std::uint64_t max_count = 0;
  ContextLines context;               ///< -A/-B/-C (text and --json output only)
  std::vector<std::string> dbs;       ///< non-empty: search these indexes, as one, instead of `inputs`
  std::vector<std::string> sessions;  ///< for the index's postings
  std::vector<std::string> requests;
  bool filename_chosen = false;  ///< -H or --no-filename was given
  bool merge = false;            ///< --merge: entries of all inputs in time order
  /// --follow DIR: the directories whose new files are followed as they appear.
  std::vector<std::shared_ptr<DirectoryWatch>> watches;
};

/// How directory FILEs are walked (--glob, --hidden), for every command:
/// set once from the arguments.
void set_walk_options(WalkOptions options);
const WalkOptions& walk_options();

/// The printer the plan asks for.
std::unique_ptr<EntrySink> make_printer(const Plan& plan, Output& out);

/// What the search stage needs of the plan.
SearchOptions search_options(const Plan& plan);

/// The plan's inputs as sources, in argument order.
std::vector<std::unique_ptr<Source>> file_sources(const Plan& plan);

/// $TRACEGREP_DB, else $XDG_DATA_HOME/tracegrep/index.db, else
/// ~/.local/share/tracegrep/index.db.
std::string default_index_path();

/// Builds the plan; on a bad value returns nullptr with `error` set to the
/// message (without the "tracegrep: " prefix).
std::unique_ptr<Plan> make_plan(const ScanArgs& args, const Output& out, std::string& error);

/// Parses "4096", "64K", "1M", "1G" (powers of 1024).
bool parse_size(const std::string& text, std::size_t& out);

}  // namespace tracegrep
