// The text around --help's option list; kept next to the man page's wording.
#pragma once

#include <string_view>

namespace tracegrep {

inline constexpr std::string_view kDescription =
    "tracegrep: grep request-tagged logs by session and request, whole entries with their "
    "tracebacks.";

inline constexpr std::string_view kHelpFooter =
    R"(Log format (one entry per line that starts with a timestamp):
  2024-01-15 10:30:15,123 - ERROR - [req=a1b2c3d4|session=12345678] - Payment gateway timeout
  Also: TS LEVEL [tag] msg, and TS [LEVEL] [tag] msg. `none` marks an unset id.
  Lines that do not start with a timestamp (tracebacks) belong to the entry above.

Filters: different options combine with AND, repeats of one option with OR; no
filter selects every entry. TIME: YYYY-MM-DD, YYYY-MM-DD HH:MM, or
YYYY-MM-DD[ T]HH:MM:SS[.fff][Z|+HH:MM].

With no FILE while stdin is a terminal, the default index is searched
($TRACEGREP_DB, else $XDG_DATA_HOME/tracegrep/index.db); `tracegrep index` fills it.
`tracegrep timeline -r ID` / `-s ID` shows a request in time order, or a
session's requests and a waterfall; `tracegrep requests` tabulates requests.

Exit status: 0 an entry matched, 1 none did, 2 an error occurred.
See tracegrep(1) for the details.)";

inline constexpr std::string_view kIndexFooter =
    R"(Indexing again reads only what is new: a file is recognised by its first 4 KiB,
so a rotated, renamed or gzipped log is not indexed twice. The index keeps each
entry's text: queries work after the logs are gone. Query with:
  tracegrep --db PATH -s ID    (or tracegrep -s ID with no FILE, from a terminal))";

}  // namespace tracegrep
