// `tracegrep index` and `tracegrep --db`: the commands that use the index.
#pragma once

#include <functional>
#include <optional>

#include "cli/args.hpp"
#include "cli/plan.hpp"

namespace tracegrep::index {
class Store;
}

namespace tracegrep {

/// Runs `tracegrep index`; returns the exit code.
int index_command(const IndexArgs& args);

/// Searches the index for a scan plan whose `db` is set; returns the exit code.
int query_command(Plan& plan, Output& out, Reporter& reporter);

/// Searches the index into `sink` instead of a printer; returns the exit code.
int query_into(const Plan& plan, Output& out, Reporter& reporter, EntrySink& sink);

/// Runs `fn` on the plan's index when it keeps summaries (index/summary.hpp)
/// and returns its exit code; nullopt for an index from before summaries,
/// whose callers compute from the entries. A bad index is reported (exit 2).
std::optional<int> with_summaries(const Plan& plan, Reporter& reporter,
                                  const std::function<int(index::Store&)>& fn);

}  // namespace tracegrep
