// cli/: shell completion for bash, zsh and fish, written from the option
// table parse_args builds (tracegrep --generate-completion SHELL), so the
// scripts cannot drift from the options. The build writes them and
// `cmake --install` puts them where each shell looks.
#pragma once

#include <string>
#include <string_view>

namespace CLI {
class App;
}

namespace tracegrep {

/// The completion script for `shell` ("bash", "zsh" or "fish"); empty for
/// another shell.
std::string completion_script(const CLI::App& app, std::string_view shell);

}  // namespace tracegrep
