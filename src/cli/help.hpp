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
filter selects every entry. TIME: YYYY-MM-DD, YYYY-MM-DD HH:MM, a timestamp,
HH:MM[:SS] (today), today, yesterday, now, or an age (15m, 2h, 3d); without an
offset it is local time (TZ; --utc: UTC).

With no FILE while stdin is a terminal, the default index is searched
($TRACEGREP_DB, else $XDG_DATA_HOME/tracegrep/index.db); `tracegrep index` fills it.
`tracegrep timeline -r ID` / `-s ID` shows a request in time order, or a
session's requests and a waterfall; `tracegrep requests` tabulates requests.

Exit status: 0 an entry matched, 1 none did, 2 an error occurred.
See tracegrep(1) for the details.)";

// -h: one screen, as ripgrep's -h; --help has every option.
inline constexpr std::string_view kShortHelp =
    R"(tracegrep: grep request-tagged logs by session and request, whole entries.

Usage: tracegrep [OPTIONS] [FILE...]     files, dirs, .gz, stdin (or the index)
       tracegrep index FILE...           keep an index (--status, --forget)
       tracegrep timeline -r ID | -s ID  a request or a session in time order
       tracegrep requests | sessions     tables of requests and of sessions
       tracegrep layouts [FILE...]       what a file is read as

  -s, --session ID       entries of a session (a cut id matches)
  -r, --request ID       entries of a request
  -l, --level LEVEL      entries of LEVEL or higher
  -e, --regexp PATTERN   entries whose message matches (RE2); -F, -i, -w, -v
  --since T, --until T   a time window: 2024-01-15, 09:30, 15m, 2h, yesterday
  -c, -q, -m NUM         count, quiet (exit status only), at most NUM entries
  -A, -B, -C NUM         NUM entries of context after, before, around a match
  -n, -H, --json         line numbers, file names, a JSON object per entry
  --follow FILE...       follow files (or a directory) as tail -F does
  --glob GLOB            in a directory FILE: only these names (!GLOB: not)
  --db PATH              search the index (the default: no FILE, on a terminal)
  --log-format FMT       the service's Python logging format, for other layouts

--help: every option. tracegrep(1): the details. Exit: 0 match, 1 none, 2 error.
)";

// The footer of the subcommands that read logs.
inline constexpr std::string_view kSourceFooter =
    R"(TIME: YYYY-MM-DD, YYYY-MM-DD HH:MM, a timestamp, HH:MM[:SS] (today), today,
yesterday, now, or an age (15m, 2h, 3d); without an offset it is local time (TZ;
--utc: UTC). FILEs or the index (--db; from a terminal with no FILE, the
default one). See tracegrep(1).)";

inline constexpr std::string_view kIndexFooter =
    R"(Indexing again reads only what is new: a file is recognised by its first 4 KiB,
so a rotated, renamed or gzipped log is not indexed twice. The index keeps each
entry's text: queries work after the logs are gone. Query with:
  tracegrep --db PATH -s ID    (or tracegrep -s ID with no FILE, from a terminal))";

}  // namespace tracegrep
