// `tracegrep index` and `tracegrep --db`: the commands that use the index.
#pragma once

#include "cli/args.hpp"
#include "cli/plan.hpp"

namespace tracegrep {

/// Runs `tracegrep index`; returns the exit code.
int index_command(const IndexArgs& args);

/// Searches the index for a scan plan whose `db` is set; returns the exit code.
int query_command(Plan& plan, Output& out, Reporter& reporter);

/// Searches the index into `sink` instead of a printer; returns the exit code.
int query_into(const Plan& plan, Output& out, Reporter& reporter, EntrySink& sink);

}  // namespace tracegrep
