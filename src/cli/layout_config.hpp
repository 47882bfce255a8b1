// cli/: the layout a run reads with, set once for a team: --log-format (or
// TRACEGREP_LOG_FORMAT), --date-format (TRACEGREP_DATE_FORMAT),
// --log-format-style (TRACEGREP_LOG_FORMAT_STYLE), and named layouts in a
// config file, chosen with --log-format @NAME:
//
//   # $XDG_CONFIG_HOME/tracegrep/layouts.ini (else ~/.config/tracegrep/...)
//   [payments]
//   format = %(asctime)s %(levelname)-8s %(request_id)s %(session_id)s %(message)s
//   datefmt = %d/%b/%Y:%H:%M:%S
//   style = %
#pragma once

#include <string>
#include <vector>

#include "parse/log_format.hpp"

namespace tracegrep {

struct NamedLayout {
  std::string name;
  log_format::Spec spec;
};

/// The config file's path ($TRACEGREP_LAYOUTS, else XDG's).
std::string layouts_file_path();

/// The named layouts of the config file (none when it does not exist).
/// False, with `error` naming the file and line, when it cannot be read.
bool read_named_layouts(std::vector<NamedLayout>& out, std::string& error);

/// The run's layout from the options and the environment: `format` (or
/// TRACEGREP_LOG_FORMAT) verbatim or "@NAME"; `datefmt` and `style` likewise.
/// False, with `error`, for an unknown name, a bad style or a bad file.
bool resolve_layout(std::string format, std::string datefmt, std::string style, log_format::Spec& out,
                    std::string& error);

}  // namespace tracegrep
