// The whole program as a function, so tests can drive it; main() only calls it.
#pragma once

#include "report/reporter.hpp"  // the exit codes

namespace tracegrep {

int run(int argc, char** argv);

}  // namespace tracegrep
