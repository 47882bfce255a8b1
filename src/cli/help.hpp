// The text around --help's option list; kept next to the man page's wording.
#pragma once

#include <string_view>

namespace tracegrep {

inline constexpr std::string_view kDescription =
    "tracegrep: grep request-tagged logs by session and request, whole entries with their "
    "tracebacks.";

inline constexpr std::string_view kHelpFooter = R"(Log format (one entry per line that starts with a timestamp):
  2024-01-15 10:30:15,123 - ERROR - [req=a1b2c3d4|session=12345678] - Payment gateway timeout
  Also: TS LEVEL [tag] msg, and TS [LEVEL] [tag] msg. `none` marks an unset id.
  Lines that do not start with a timestamp (tracebacks) belong to the entry above.

Filters: different options combine with AND, repeats of one option with OR; no
filter selects every entry. TIME: YYYY-MM-DD, YYYY-MM-DD HH:MM, or
YYYY-MM-DD[ T]HH:MM:SS[.fff][Z|+HH:MM].

Exit status: 0 an entry matched, 1 none did, 2 an error occurred.
See tracegrep(1) for the details.)";

}  // namespace tracegrep
