#include "cli/args.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/completion.hpp"
#include "cli/help.hpp"
#include "cli/version.hpp"
#include "report/reporter.hpp"

namespace tracegrep {

namespace {

// One of `words`, as CLI11 checks it, without CLI11's "WHEN:{auto,...}"
// in the help (the option's text names the choices).
CLI::Validator one_of(std::vector<std::string> words) {
  CLI::Validator v = CLI::IsMember(std::move(words));
  v.description("");
  return v;
}

// A whole number of at least `min` (0 or 1), said in words when it is not;
// no name in the help ("NUM", not CLI11's "NUM:NONNEGATIVE").
CLI::Validator at_least(int min) {
  CLI::Validator v(
      [min](std::string& text) -> std::string {
        const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
        if (digits && (min == 0 || text.find_first_not_of('0') != std::string::npos)) return "";
        return fmt::format("'{}' is not a whole number{}", text, min == 0 ? "" : " of 1 or more");
      },
      "");
  return v;
}

void add_color_option(CLI::App* cmd, std::string& color) {
  cmd->add_option("--color,--colour", color, "Colour: auto, always or never")
      ->type_name("WHEN")
      ->check(one_of({"auto", "always", "never"}));
}

// --width and --color of the commands that print tables.
void add_table_options(CLI::App* cmd, std::size_t& width, std::string& color) {
  cmd->add_option("--width", width,
                  "Fit the table in COLUMNS (default: the terminal's; no limit into a pipe)")
      ->type_name("COLUMNS")
      ->check(at_least(1));
  add_color_option(cmd, color);
}

// The keys of JSON and logfmt fields that hold the ids.
void add_key_options(CLI::App* cmd, KeyArgs& keys) {
  cmd->add_option("--request-key", keys.request,
                  "JSON/logfmt key of the request id, replacing the defaults (repeatable; dotted: nested)")
      ->type_name("KEY")
      ->allow_extra_args(false);
  cmd->add_option("--session-key", keys.session,
                  "JSON/logfmt key of the session id, replacing the defaults (repeatable)")
      ->type_name("KEY")
      ->allow_extra_args(false);
  cmd->add_option("--log-format", keys.log_format,
                  "The service's Python logging format string, verbatim, or @NAME from layouts.ini")
      ->type_name("FMT");
  cmd->add_option("--date-format", keys.date_format, "Its datefmt (strftime directives)")
      ->type_name("DATEFMT");
  cmd->add_option("--log-format-style", keys.log_format_style, "Its style: % (default), { or $")
      ->type_name("STYLE");
  cmd->add_option("--continuation", keys.continuation,
                  "Untimed lines matching REGEX continue the entry above; others begin one")
      ->type_name("REGEX");
  cmd->add_option("--glob", keys.globs,
                  "In a directory FILE, only the files whose name matches GLOB; !GLOB leaves them out "
                  "(repeatable)")
      ->type_name("GLOB")
      ->allow_extra_args(false);
  cmd->add_flag("--hidden", keys.hidden, "In a directory FILE, hidden files and folders too");
}

// The options of the subcommands that read logs (files or the index).
void add_source_options(CLI::App* cmd, std::vector<std::string>& files, std::vector<std::string>& db,
                        std::string& since, std::string& until, bool& utc, KeyArgs& keys) {
  cmd->add_option("--since", since, "Only entries at or after TIME")->type_name("TIME");
  cmd->add_option("--until", until, "Only entries up to TIME")->type_name("TIME");
  cmd->add_flag("--utc", utc, "Times written without an offset are UTC (default: local time, TZ)");
  cmd->add_option("--db", db, "Read the index at PATH instead of files (again: several, as one)")
      ->type_name("PATH")
      ->allow_extra_args(false);
  add_key_options(cmd, keys);
  cmd->add_option("FILE", files, "Logs to read; none: the index (from a terminal) or stdin")->type_name("");
}

// A usage error as every other error: "tracegrep: ...", with the closest
// option (or subcommand) when one was mistyped, and where help is.
void report_usage_error(const CLI::App& app, const CLI::ParseError& e) {
  const CLI::App* cmd = &app;
  for (const CLI::App* sub : app.get_subcommands()) cmd = sub;  // the one that was parsing
  std::string hint;
  const std::string what = e.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    const std::string word = what.substr(what.rfind(' ') + 1);
    std::vector<std::string> names;
    for (const CLI::Option* o : cmd->get_options()) {
      for (const auto& l : o->get_lnames()) names.push_back("--" + l);
      for (const auto& s : o->get_snames()) names.push_back("-" + s);
    }
    if (cmd == &app)
      for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
    const std::string near = messages::closest(word, names);
    if (!near.empty()) hint = fmt::format(" (did you mean {}?)", near);
  }
  const std::string help =
      cmd == &app ? "tracegrep --help" : fmt::format("tracegrep {} --help", cmd->get_name());
  if (cmd->get_name() == "index" && what.starts_with("--db:")) {
    fmt::print(
        stderr,
        "tracegrep: index writes one index: give one --db (several --db are read as one by queries)\n");
    return;
  }
  fmt::print(stderr, "tracegrep: {}{}; see {}\n", what, hint, help);
}

}  // namespace

ParsedArgs parse_args(int argc, char** argv) {
  ParsedArgs parsed;
  ScanArgs& a = parsed.scan;
  CLI::App app{std::string(kDescription), "tracegrep"};
  app.footer(std::string(kHelpFooter));
  // --help is the whole list; -h one screen (as ripgrep). Subcommands set
  // their own: -h and --help there are the same, short list.
  app.set_help_flag("--help", "Print every option (-h: one screen)");
  bool short_help = false;
  app.add_flag("-h", short_help, "Print a short help");
  app.set_version_flag("--version", std::string("tracegrep ") + kVersion);
  std::string completion_shell;
  app.add_option("--generate-completion", completion_shell,
                 "Print the completion script for SHELL: bash, zsh or fish (installed with tracegrep)")
      ->type_name("SHELL")
      ->check(one_of({"bash", "zsh", "fish"}));
  app.get_formatter()->column_width(30);

  auto repeatable = [&](const char* names, std::vector<std::string>& into, const char* what,
                        const char* type) {
    app.add_option(names, into, what)->type_name(type)->allow_extra_args(false)->take_all();
  };
  repeatable("-s,--session", a.sessions,
             "Entries of session ID: equal, or one a prefix of the other (repeatable)", "ID");
  repeatable("-r,--request", a.requests, "Entries of request ID, exactly (repeatable)", "ID");
  repeatable("-e,--regexp", a.patterns,
             "Entries whose message (continuation lines included) matches PATTERN, RE2 syntax "
             "(repeatable)",
             "PATTERN");
  repeatable("--field", a.fields,
             "Entries with attribute KEY equal to VALUE, as --json's attrs (repeatable: one key's values OR, "
             "keys AND)",
             "KEY=VALUE");
  app.add_option("-l,--level", a.level, "Entries of LEVEL or higher")->type_name("LEVEL");
  app.add_option("--since", a.since, "Entries at or after TIME")->type_name("TIME");
  app.add_option("--until", a.until, "Entries up to TIME, including all of its last unit")->type_name("TIME");
  app.add_flag("--utc", a.utc, "Times written without an offset are UTC (default: local time, TZ)");
  app.add_flag("-F,--fixed-strings", a.fixed_strings, "PATTERNs are plain strings");
  app.add_flag("-i,--ignore-case", a.ignore_case, "PATTERNs ignore case");
  app.add_flag("-w,--word-regexp", a.word_regexp, "PATTERNs match whole words only, as grep -w");
  app.add_flag("-a,--text", a.text, "Print entries holding NUL bytes too (else: 'binary file matches')");
  app.add_flag("-v,--invert-match", a.invert, "Entries whose message matches no PATTERN");
  app.add_flag("-H,--with-filename", a.with_filename, "Prefix each line with its FILE");
  app.add_flag("--no-filename", a.no_filename, "Never prefix lines with FILE");
  app.add_flag("-n,--line-number", a.line_numbers, "Prefix each line with its line number");
  app.add_flag("-c,--count", a.count, "Print the number of matching entries per FILE");
  CLI::Option* max_count =
      app.add_option("-m,--max-count", a.max_count, "Stop reading a FILE after NUM entries (0: read nothing)")
          ->type_name("NUM");
  app.add_option("-A,--after-context", a.after, "Print NUM entries after each matching entry (same FILE)")
      ->type_name("NUM")
      ->check(at_least(0));
  app.add_option("-B,--before-context", a.before, "Print NUM entries before each matching entry")
      ->type_name("NUM")
      ->check(at_least(0));
  app.add_option("-C,--context", a.context,
                 "Print NUM entries before and after; groups apart are split by --")
      ->type_name("NUM")
      ->check(at_least(0));
  app.add_flag("-q,--quiet", a.quiet, "Print nothing; exit 0 at the first matching entry, else 1 (or 2)");
  app.add_flag("-o,--only-matching", a.only_matching,
               "Print only what -e matches in each matching entry, one match per line (grep -o)");
  app.add_flag("--files-with-matches", a.files_with_matches,
               "Print the name of each FILE with a matching entry (grep -l; -l is --level here)");
  app.add_flag("-L,--files-without-match", a.files_without_match,
               "Print the name of each FILE without one (exit status as grep: 0 if an entry matched)");
  app.add_flag("--json", a.json, "One JSON object per entry and line");
  app.add_flag("--merge", a.merge, "Interleave the entries of every FILE (or of the index's files) by time");
  add_color_option(&app, a.color);
  app.add_option("--max-entry-size", a.max_entry_size,
                 "Cut entries longer than SIZE bytes (K, M, G suffixes; default 1M)")
      ->type_name("SIZE");
  app.add_option("--follow", a.follow, "Follow FILE... as tail -F does, across rotation and truncation")
      ->type_name("FILE")
      ->take_all();
  app.add_option("--db", a.db,
                 "Search the index at PATH instead of files (see: tracegrep index); again: several, as one")
      ->type_name("PATH")
      ->allow_extra_args(false);
  add_key_options(&app, parsed.keys);
  app.add_option("FILE", a.files, "Files to search, plain or gzip; - or none: stdin")->type_name("");

  IndexArgs& x = parsed.index;
  CLI::App* index = app.add_subcommand("index", "Add logs to the index (tracegrep index --help)");
  index
      ->add_option("--db", x.db, "The index (default: $TRACEGREP_DB, else $XDG_DATA_HOME/tracegrep/index.db)")
      ->type_name("PATH");
  index->add_flag("-q,--quiet", x.quiet, "No progress line and no summary");
  index->add_flag("--status", x.status, "Print what the index holds and exit");
  index->add_flag("--json", x.json, "With --status: one JSON object");
  index->add_flag("--check", x.check,
                  "Verify the whole index (SQLite's pages, every chunk's checksum) and say what is damaged");
  index
      ->add_option(
          "--forget-before", x.forget_before,
          "Remove the entries before TIME (whole chunks), their postings and summaries; shrink the file")
      ->type_name("TIME");
  index->add_option("--forget", x.forget, "Remove everything of FILE (as --status names it) from the index")
      ->type_name("FILE")
      ->allow_extra_args(false);
  index->add_option("--max-entry-size", x.max_entry_size, "Keep at most SIZE bytes of an entry (default 1M)")
      ->type_name("SIZE");
  add_key_options(index, parsed.keys);
  index->add_option("FILE", x.files, "Logs to add, plain or gzip; - reads stdin continuously")->type_name("");
  index->footer(std::string(kIndexFooter));
  TimelineArgs& t = parsed.timeline;
  CLI::App* tl =
      app.add_subcommand("timeline", "One request's entries in time order, across files and services");
  // -r and -s together are refused by timeline_command, in words.
  tl->add_option("-r,--request", t.request, "The request")->type_name("ID");
  tl->add_option("-s,--session", t.session, "The session: its requests and a waterfall")->type_name("ID");
  tl->add_flag("--expand", t.expand, "With -s: each request's full timeline too");
  tl->add_flag("--entries", t.entries,
               "With -s: every entry of the session across all inputs, in time order, with its request");
  tl->add_option("--format", t.format, "text, json, or chrome (Chrome Trace Event JSON, for Perfetto UI)")
      ->type_name("FORMAT")
      ->check(one_of({"text", "json", "chrome"}));
  tl->add_flag("--json", t.json, "The same as --format json");
  tl->add_option("--width", t.width,
                 "With -s: the table's and the waterfall's width (default: the terminal's)")
      ->type_name("COLUMNS")
      ->check(at_least(1));
  tl->add_option("-l,--level", t.level, "Only entries of LEVEL or higher")->type_name("LEVEL");
  add_color_option(tl, t.color);
  add_source_options(tl, t.files, t.db, t.since, t.until, t.utc, parsed.keys);
  RequestsArgs& q = parsed.requests;
  CLI::App* rq =
      app.add_subcommand("requests", "A table of requests: start, duration, entries, highest level");
  rq->add_option("-s,--session", q.session, "Only the requests of this session")->type_name("ID");
  rq->add_option("-l,--level", q.level, "Only requests that reached LEVEL or higher")->type_name("LEVEL");
  rq->add_option("--slowest", q.slowest, "The N longest requests, longest first")
      ->type_name("N")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            const bool digits = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
            return digits && v.find_first_not_of('0') != std::string::npos
                       ? ""
                       : "a number of requests, 1 or more";
          },
          ""));
  rq->add_flag("--json", q.json, "One JSON object per request and line");
  add_table_options(rq, q.width, q.color);
  add_source_options(rq, q.files, q.db, q.since, q.until, q.utc, parsed.keys);
  SessionsArgs& ss = parsed.sessions;
  CLI::App* se =
      app.add_subcommand("sessions", "A table of sessions: first and last seen, requests, entries, errors");
  se->add_option("-s,--session", ss.session, "Only this session (a cut id matches, as with the scan's -s)")
      ->type_name("ID");
  se->add_option("-l,--level", ss.level, "Only sessions that reached LEVEL or higher")->type_name("LEVEL");
  se->add_flag("--json", ss.json, "One JSON object per session and line");
  add_table_options(se, ss.width, ss.color);
  add_source_options(se, ss.files, ss.db, ss.since, ss.until, ss.utc, parsed.keys);
  CLI::App* ly =
      app.add_subcommand("layouts", "The layouts read with no option; with FILEs, what each was read as");
  add_key_options(ly, parsed.keys);
  ly->add_option("FILE", parsed.layouts.files, "Logs to look at, plain or gzip; - : stdin")->type_name("");
  // Each subcommand's help is its own: its options and a footer of its own,
  // not the scan's (CLI11 would copy the parent's).
  for (CLI::App* sub : {tl, rq, se}) sub->footer(std::string(kSourceFooter));
  ly->footer("See LAYOUTS and LOG FORMAT in tracegrep(1).");
  for (CLI::App* sub : {index, tl, rq, se, ly}) sub->set_help_flag("-h,--help", "Print this help");
  try {
    app.parse(argc, argv);
    if (!completion_shell.empty()) {
      fmt::print("{}", completion_script(app, completion_shell));
      parsed.exit_code = 0;
      return parsed;
    }
    if (short_help) {
      fmt::print("{}", kShortHelp);
      parsed.exit_code = 0;
      return parsed;
    }
    a.max_count_given = max_count->count() > 0;
    if (index->parsed()) parsed.command = Command::kIndex;
    if (tl->parsed()) parsed.command = Command::kTimeline;
    if (rq->parsed()) parsed.command = Command::kRequests;
    if (se->parsed()) parsed.command = Command::kSessions;
    if (ly->parsed()) parsed.command = Command::kLayouts;
    if (parsed.command != Command::kScan) {
      // An option of the scan given before a subcommand would be silently
      // ignored by it ("tracegrep --db X requests"): refuse it, saying where it goes.
      for (const CLI::Option* o : app.get_options()) {
        if (o->count() == 0 || o->get_name() == "--version" || o->get_name() == "--help") continue;
        const CLI::App* sub = app.get_subcommands().front();
        std::string name = o->get_name();
        if (name.empty() || name == "FILE") name = o->get_name(false, true);
        fmt::print(stderr, "tracegrep: {} goes after the subcommand: tracegrep {} {} ...\n", name,
                   sub->get_name(), name);
        parsed.exit_code = 2;
        return parsed;
      }
    }
  } catch (const CLI::Success& e) {
    parsed.exit_code = app.exit(e);
  } catch (const CLI::ParseError& e) {
    report_usage_error(app, e);
    parsed.exit_code = 2;
  }
  return parsed;
}

}  // namespace tracegrep
