// `tracegrep layouts`: what tracegrep reads without options, and what each
// given input was read as.
#pragma once

#include <string>
#include <vector>

namespace tracegrep {

struct LayoutsArgs {
  std::vector<std::string> files;
};

/// Runs `tracegrep layouts`; returns the exit code.
int layouts_command(const LayoutsArgs& args);

}  // namespace tracegrep
