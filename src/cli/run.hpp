// The whole program as a function, so tests can drive it; main() only calls it.
#pragma once

namespace tracegrep {

/// Exit codes as grep: 0 matched, 1 nothing matched, 2 an error occurred.
inline constexpr int kExitMatch = 0;
inline constexpr int kExitNoMatch = 1;
inline constexpr int kExitError = 2;

int run(int argc, char** argv);

struct Plan;
class Output;
class EntrySink;
/// Scans the plan's inputs into `sink` (a printer, or a collector); returns
/// the exit code. Errors are reported on stderr as they come.
int scan_into(const Plan& plan, Output& out, EntrySink& sink);

}  // namespace tracegrep
