// grep's habits and careless input (issue 14): usage errors as every other
// error, options before a subcommand refused, a directory as --db, an index
// of missing files, meaningless numbers.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>

#include "support/subprocess.hpp"

using namespace tracegrep::test;

TEST_CASE("a usage error is tracegrep: ..., with the closest option and where help is, exit 2",
          "[e2e][habits]") {
  const Result typo = run_tracegrep({"--sesion", "x", "app.log"});
  CHECK(typo.status == 2);
  CHECK(typo.out.empty());
  CHECK(
      typo.err ==
      "tracegrep: The following argument was not expected: --sesion (did you mean --session?); see tracegrep "
      "--help\n");
  const Result sub = run_tracegrep({"requests", "--slowset", "3", "app.log"});
  CHECK(sub.status == 2);
  CHECK(sub.err.find("(did you mean --slowest?); see tracegrep requests --help\n") != std::string::npos);
  const Result far = run_tracegrep({"--zzzzzz", "app.log"});
  CHECK(far.err.find("did you mean") == std::string::npos);  // nothing close: no guess
}

TEST_CASE("an option of the scan before a subcommand is refused, not silently ignored", "[e2e][habits]") {
  TempDir tmp;
  const std::string db = tmp.path("i.db");
  REQUIRE(run_tracegrep({"index", "-q", "--db", db, "app.log"}).status == 0);
  const Result before = run_tracegrep({"--db", db, "requests", "--slowest", "5"});
  CHECK(before.status == 2);
  CHECK(before.out.empty());
  CHECK(before.err == "tracegrep: --db goes after the subcommand: tracegrep requests --db ...\n");
  const Result after = run_tracegrep({"requests", "--slowest", "5", "--db", db});
  CHECK(after.status == 0);
  CHECK(!after.out.empty());
}

TEST_CASE("a directory as --db, an index of only missing files, --slowest 0: said, nothing made",
          "[e2e][habits]") {
  TempDir tmp;
  const Result dir = run_tracegrep({"--db", tmp.dir(), "-s", "x"});
  CHECK(dir.status == 2);
  CHECK(dir.err.find("a directory, not an index") != std::string::npos);
  const std::string db = tmp.path("new.db");
  const Result missing = run_tracegrep({"index", "-q", "--db", db, tmp.path("nosuch.log")});
  CHECK(missing.status == 2);
  CHECK(missing.err.find("nosuch.log: No such file or directory") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(db));
  for (const char* n : {"0", "-1", "x"}) {
    const Result r = run_tracegrep({"requests", "--slowest", n, "app.log"});
    CHECK(r.status == 2);
    CHECK(r.err.find("--slowest: a number of requests, 1 or more") != std::string::npos);
  }
}

TEST_CASE("whole-word patterns (-w) match the lines grep -w matches", "[e2e][habits]") {
  TempDir tmp;
  const std::string log = tmp.path("w.log");
  write_file(log,
             "2024-01-15 10:30:15 INFO [req=a|session=b] pay payment\n"
             "2024-01-15 10:30:16 INFO [req=a|session=b] payment only\n"
             "2024-01-15 10:30:17 INFO [req=a|session=b] pay-day\n"
             "2024-01-15 10:30:18 INFO [req=a|session=b] repay_pay\n"
             "2024-01-15 10:30:19 INFO [req=a|session=b] PAY up\n");
  // Each entry is one line here, so entries and lines count alike.
  for (const std::vector<std::string>& opts :
       std::vector<std::vector<std::string>>{{"-w", "-e", "pay"},
                                             {"-w", "-i", "-e", "pay"},
                                             {"-w", "-F", "-e", "pay-day"},
                                             {"-w", "-e", "pay.*"},
                                             {"-w", "-e", "repay"}}) {
    std::vector<std::string> tg = {"-c"}, grep = {"-c"};
    for (const auto& o : opts)
      if (o != "-e")
        tg.push_back(o), grep.push_back(o);
      else
        tg.push_back(o);
    tg.push_back(log);
    grep.push_back(log);
    INFO(grep[grep.size() - 2]);
    CHECK(run_tracegrep(tg).out == run("/usr/bin/grep", grep).out);
  }
}

TEST_CASE("JSON output escapes bidi controls and C1 controls always, so they cannot reorder a terminal",
          "[e2e][habits]") {
  const Result r = run_tracegrep(
      {"--json"},
      with_stdin("2024-01-15 10:30:15 INFO [req=a|session=b] x \xe2\x80\xae y \xc2\x9b z \xc3\xa9\n"));
  REQUIRE(r.status == 0);
  CHECK(r.out.find(R"("msg":"x \u202e y \u009b z )"
                   "\xc3\xa9"
                   R"(")") != std::string::npos);  // é stays
  CHECK(r.out.find("\xe2\x80\xae") == std::string::npos);
}

TEST_CASE("binary content is named, not dumped: a NUL byte, as ripgrep and grep do, -a prints it",
          "[e2e][habits]") {
  TempDir tmp;
  std::string elf(
      "\x7f"
      "ELF\x02\x01\x01",
      7);
  elf += std::string(40, '\0') + "ELF inside\n" + std::string(100, '\0') + "\nmore\n";
  write_file(tmp.path("prog"), elf);
  const Result r = run_tracegrep({"-e", "ELF", tmp.path("prog")});
  CHECK(r.status == 0);  // it matched, as grep's exit status says
  CHECK(r.out == tmp.path("prog") +
                     ": binary file matches (1 entry holding a NUL byte, the first at line 1; "
                     "-a/--text prints it)\n");
  const Result a = run_tracegrep({"-a", "-e", "ELF", tmp.path("prog")});
  CHECK(a.out.size() > 40);
  CHECK(a.out.find("binary file matches") == std::string::npos);
  // A crash's zero-filled block inside a log: the entries around it are found
  // and printed, the block is never glued onto the entry above it.
  const std::string log = tmp.path("crashed.log");
  write_file(log, "2024-01-15 10:30:15 INFO [req=r1|session=s1] before\n" + std::string(64, '\0') +
                      "\n2024-01-15 10:30:16 INFO [req=r1|session=s1] after\n");
  CHECK(run_tracegrep({"-r", "r1", log}).out ==
        "2024-01-15 10:30:15 INFO [req=r1|session=s1] before\n2024-01-15 10:30:16 INFO [req=r1|session=s1] "
        "after\n");
  // index leaves binary files out, with a notice, and keeps the log.
  const std::string db = tmp.path("i.db");
  const Result idx = run_tracegrep({"index", "-q", "--db", db, tmp.path("prog"), log});
  CHECK(idx.status == 0);
  CHECK(idx.err.find("prog: binary file (a NUL byte at offset 7, no log line), not indexed") !=
        std::string::npos);
  CHECK(run_tracegrep({"--db", db, "-c", "-r", "r1"}).out == "2\n");
  const Result st = run_tracegrep({"index", "--db", db, "--status"});
  CHECK(st.out.find("1 file,") != std::string::npos);
}

TEST_CASE("since and until take relative forms, times of day, local time against offsets, --utc",
          "[e2e][habits]") {
  TempDir tmp;
  RunOptions ny;
  ny.env = {"TZ=EST5EDT,M3.2.0,M11.1.0"};  // New York's rules, no tzdata needed
  // One log with offsets (UTC), one without (local wall time).
  const std::string utc_log = tmp.path("utc.log"), local_log = tmp.path("local.log");
  write_file(utc_log,
             "2024-01-15T13:59:00Z - INFO - [req=u1|session=s1] - 08:59 in New York\n"
             "2024-01-15T14:01:00Z - INFO - [req=u2|session=s1] - 09:01 in New York\n");
  write_file(local_log,
             "2024-01-15 08:59:00 - INFO - [req=l1|session=s1] - 08:59 as written\n"
             "2024-01-15 09:01:00 - INFO - [req=l2|session=s1] - 09:01 as written\n");
  // A time without an offset is local time for both kinds of log.
  auto count = [&](std::vector<std::string> a, const RunOptions& o) {
    a.insert(a.begin(), "-c");
    a.push_back(utc_log);
    a.push_back(local_log);
    return run(TRACEGREP_BIN, a, o).out;
  };
  const std::string one_each = utc_log + ":1\n" + local_log + ":1\n";
  CHECK(count({"--since", "2024-01-15 09:00"}, ny) == one_each);
  CHECK(count({"--until", "2024-01-15 08:59"}, ny) == one_each);  // until 09:00, the minute included
  // --utc: it is UTC; the local log is compared as written.
  CHECK(count({"--since", "2024-01-15 14:00", "--utc"}, ny) == utc_log + ":1\n" + local_log + ":0\n");
  // A time with an offset is that instant for both.
  CHECK(count({"--since", "2024-01-15T14:00:00Z"}, ny) == one_each);
  // Relative forms against the clock: lines written just now, and hours ago.
  const auto now = std::chrono::system_clock::now();
  auto line_at = [](std::chrono::system_clock::time_point t, const std::string& what) {
    const std::time_t s = std::chrono::system_clock::to_time_t(t);
    std::tm u{};
    ::gmtime_r(&s, &u);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &u);
    return std::string(buf) + " - INFO - [req=r|session=s] - " + what + "\n";
  };
  const std::string recent = tmp.path("recent.log");
  write_file(recent, line_at(now - std::chrono::hours(50), "two days ago") +
                         line_at(now - std::chrono::hours(3), "three hours ago") +
                         line_at(now - std::chrono::minutes(5), "five minutes ago"));
  auto msgs = [&](std::vector<std::string> a) {
    a.push_back(recent);
    return run(TRACEGREP_BIN, a, ny).out;
  };
  CHECK(msgs({"-c", "--since", "15m"}) == "1\n");
  CHECK(msgs({"-c", "--since", "4h"}) == "2\n");
  CHECK(msgs({"-c", "--since", "3d"}) == "3\n");
  CHECK(msgs({"-c", "--until", "1h"}) == "2\n");
  CHECK(msgs({"-c", "--since", "now"}) == "0\n");
  CHECK(msgs({"-c", "--until", "now"}) == "3\n");
  CHECK(msgs({"-c", "--since", "yesterday", "--until", "today"}) == msgs({"-c", "--since", "yesterday"}));
  const Result bad = run(TRACEGREP_BIN, {"--since", "last tuesday", recent}, ny);
  CHECK(bad.status == 2);
  CHECK(bad.err.find("an age such as 15m, 2h, 3d") != std::string::npos);
}

TEST_CASE(
    "the short help fits one screen, --help lists every option, and the man page documents every one of them",
    "[e2e][habits]") {
  const Result brief = run_tracegrep({"-h"});
  CHECK(brief.status == 0);
  CHECK(std::count(brief.out.begin(), brief.out.end(), '\n') <= 24);
  for (std::size_t at = 0, nl; (nl = brief.out.find('\n', at)) != std::string::npos; at = nl + 1) {
    INFO(brief.out.substr(at, nl - at));
    CHECK(nl - at <= 80);  // and 80 columns
  }
  CHECK(brief.out.find("--help: every option") != std::string::npos);
  const std::string man_text = [] {
    std::string m =
        read_file(std::filesystem::path(TRACEGREP_TESTDATA).parent_path() / "man" / "tracegrep.1");
    std::string out;  // roff's \- is a hyphen
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (m[i] == '\\' && i + 1 < m.size() && m[i + 1] == '-') continue;
      out += m[i];
    }
    return out;
  }();
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{{"--help"},
                                                                                   {"index", "--help"},
                                                                                   {"timeline", "--help"},
                                                                                   {"requests", "--help"},
                                                                                   {"sessions", "--help"},
                                                                                   {"layouts", "--help"}}) {
    const Result help = run_tracegrep(cmd);
    INFO(cmd.front() << "\n" << help.out);
    CHECK(help.status == 0);
    CHECK(help.out.find("Excludes") == std::string::npos);  // no CLI11 jargon
    CHECK(help.out.find(":{") == std::string::npos);        // WHEN:{auto,always,never}
    CHECK(help.out.find(":NONNEGATIVE") == std::string::npos);
    CHECK(help.out.find(":POSITIVE") == std::string::npos);
    if (cmd.size() > 1)
      CHECK(help.out.find("Log format (one entry per line") == std::string::npos);  // its own footer
    // Every long option the help lists is in the man page.
    for (std::size_t at = 0; (at = help.out.find("--", at)) != std::string::npos;) {
      std::size_t end = at + 2;
      while (end < help.out.size() &&
             (std::isalnum(static_cast<unsigned char>(help.out[end])) || help.out[end] == '-'))
        ++end;
      const std::string option = help.out.substr(at, end - at);
      at = end;
      if (option.size() <= 3) continue;
      INFO(option);
      CHECK(man_text.find(option) != std::string::npos);
    }
  }
}

TEST_CASE("files with and without matches, as grep -l and grep -L list them", "[e2e][habits]") {
  const std::vector<std::string> files = {"app.log", "worker.log", "edge/svc-api.log",
                                          "edge/svc-payments.log", "edge/crlf.log"};
  for (const std::string pattern : {"Payment gateway timeout", "Gateway did not answer", "no such text"}) {
    for (const auto& [ours, theirs] : std::vector<std::pair<std::string, std::string>>{
             {"--files-with-matches", "-l"}, {"--files-without-match", "-L"}, {"-L", "-L"}}) {
      std::vector<std::string> a = {ours, "-e", pattern};
      a.insert(a.end(), files.begin(), files.end());
      std::vector<std::string> g = {theirs, "-e", pattern};
      g.insert(g.end(), files.begin(), files.end());
      const Result mine = run_tracegrep(a);
      const Result grep = run("/usr/bin/grep", g);
      INFO(ours << " " << pattern << "\n" << mine.out << "---\n" << grep.out);
      CHECK(mine.out == grep.out);
      CHECK(mine.status == grep.status);
    }
  }
  // By session, and from the index: the files that hold one.
  TempDir tmp;
  const std::string db = tmp.path("i.db");
  std::vector<std::string> idx = {"index", "-q", "--db", db};
  idx.insert(idx.end(), files.begin(), files.end());
  REQUIRE(run(TRACEGREP_BIN, idx).status == 0);
  std::vector<std::string> scan = {"--files-with-matches", "-s", "abcdef01"};
  scan.insert(scan.end(), files.begin(), files.end());
  CHECK(run_tracegrep(scan).out == "edge/svc-api.log\nedge/svc-payments.log\n");
  CHECK(run_tracegrep({"--files-with-matches", "-s", "abcdef01", "--db", db}).out ==
        "edge/svc-api.log\nedge/svc-payments.log\n");
  CHECK(run_tracegrep({"-L", "-s", "abcdef01", "--db", db}).out == "app.log\nworker.log\nedge/crlf.log\n");
  CHECK(run_tracegrep({"-L", "--follow", "app.log"}).status == 2);
}

TEST_CASE("only the matching parts, one per line, as grep -o prints them", "[e2e][habits]") {
  const std::vector<std::string> files = {"app.log", "worker.log"};
  const std::vector<std::vector<std::string>> cases = {
      {"-e", "amount=[0-9.]+"},
      {"-e", "Slow query took [0-9]+ ms", "-n"},
      {"-e", "user [a-z]+", "-e", "amount=[0-9]+", "-H"},
      {"-i", "-e", "PAYMENT"},
      {"-w", "-e", "task"},
      {"-F", "-e", "X-Session-ID"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> mine = {"-o"};
    mine.insert(mine.end(), c.begin(), c.end());
    mine.insert(mine.end(), files.begin(), files.end());
    std::vector<std::string> theirs = {"-o"};
    if (std::find(c.begin(), c.end(), "-F") == c.end()) theirs.push_back("-E");
    theirs.insert(theirs.end(), c.begin(), c.end());
    theirs.insert(theirs.end(), files.begin(), files.end());
    const Result a = run_tracegrep(mine);
    const Result b = run("/usr/bin/grep", theirs);
    INFO(fmt::format("{}\n--- tracegrep\n{:.1500}--- grep\n{:.1500}", fmt::join(c, " "), a.out, b.out));
    CHECK(a.status == b.status);
    CHECK(a.out == b.out);
    CHECK(!a.out.empty());
  }
  CHECK(run_tracegrep({"-o", "app.log"}).status == 2);  // what would it print?
}

TEST_CASE("context in entries (-A/-B/-C) as grep prints context lines, with -- between groups",
          "[e2e][habits]") {
  // One line per entry: grep's lines are our entries, so the output must be
  // the same byte for byte.
  TempDir tmp;
  std::string one_line;
  for (int i = 1; i <= 40; ++i)
    one_line += fmt::format("2024-01-15 10:00:{:02} - {} - [req=r{:02}|session=s{:07}] - step {} of {}\n", i,
                            i % 7 == 0 ? "ERROR" : "INFO", i, i % 3, i, i % 5 == 0 ? "payment" : "search");
  const std::string a = tmp.path("a.log"), b = tmp.path("b.log");
  write_file(a, one_line);
  write_file(b, one_line.substr(one_line.size() / 2));
  const std::vector<std::vector<std::string>> cases = {{"-A", "1"},
                                                       {"-B", "2"},
                                                       {"-C", "1"},
                                                       {"-C", "0"},
                                                       {"-A", "0"},
                                                       {"-A", "3", "-B", "1"},
                                                       {"-m", "2", "-A", "3"},
                                                       {"-n", "-C", "2"},
                                                       {"-H", "-n", "-B", "1"},
                                                       {"-v", "-C", "1"},
                                                       {"-c", "-C", "2"},
                                                       {"-C", "1", "-A", "0"},
                                                       {"-B", "50"}};
  for (const auto& pattern : {"payment", "step (3|4|17) ", "nothing like this"}) {
    for (const auto& c : cases) {
      for (const auto& files : std::vector<std::vector<std::string>>{{a}, {a, b}}) {
        const auto args = concat(concat(c, {"-e", pattern}), files);
        const Result mine = run_tracegrep(args);
        const Result grep = run("/usr/bin/grep", concat({"-E"}, args));
        INFO(fmt::format("{} ({} files)\n--- tracegrep\n{:.2000}--- grep\n{:.2000}", fmt::join(args, " "),
                         files.size(), mine.out, grep.out));
        CHECK(mine.out == grep.out);
        CHECK(mine.status == grep.status);
      }
    }
  }
  // The same from a pipe.
  const Result piped = run_tracegrep({"-C", "1", "-e", "payment"}, with_stdin(one_line));
  CHECK(piped.out == run("/usr/bin/grep", {"-C", "1", "-e", "payment", a}).out);

  // Context counts entries: a traceback goes with its entry, shown with '-'.
  const std::string tb = tmp.path("tb.log");
  write_file(tb,
             "2024-01-15 10:00:01 - INFO - [req=r1|session=s1234567] - one\n"
             "2024-01-15 10:00:02 - ERROR - [req=r2|session=s1234567] - two failed\n"
             "Traceback (most recent call last):\n"
             "  File \"app.py\", line 3, in pay\n"
             "ValueError: bad\n"
             "2024-01-15 10:00:03 - INFO - [req=r3|session=s1234567] - three\n"
             "2024-01-15 10:00:04 - INFO - [req=r4|session=s1234567] - four\n"
             "2024-01-15 10:00:05 - INFO - [req=r5|session=s1234567] - five\n");
  const Result after = run_tracegrep({"-n", "-A", "1", "-r", "r1", tb});
  CHECK(after.out ==
        "1:2024-01-15 10:00:01 - INFO - [req=r1|session=s1234567] - one\n"
        "2-2024-01-15 10:00:02 - ERROR - [req=r2|session=s1234567] - two failed\n"
        "3-Traceback (most recent call last):\n"
        "4-  File \"app.py\", line 3, in pay\n"
        "5-ValueError: bad\n");
  const Result before = run_tracegrep({"-n", "-B", "1", "-r", "r3", "-r", "r5", tb});
  CHECK(before.out ==
        "2-2024-01-15 10:00:02 - ERROR - [req=r2|session=s1234567] - two failed\n"
        "3-Traceback (most recent call last):\n"
        "4-  File \"app.py\", line 3, in pay\n"
        "5-ValueError: bad\n"
        "6:2024-01-15 10:00:03 - INFO - [req=r3|session=s1234567] - three\n"
        "7-2024-01-15 10:00:04 - INFO - [req=r4|session=s1234567] - four\n"
        "8:2024-01-15 10:00:05 - INFO - [req=r5|session=s1234567] - five\n");
  CHECK(before.status == 0);
  // A pattern in the traceback matches the entry; the one before is context.
  CHECK(run_tracegrep({"-B", "1", "-e", "ValueError", tb}).out ==
        "2024-01-15 10:00:01 - INFO - [req=r1|session=s1234567] - one\n"
        "2024-01-15 10:00:02 - ERROR - [req=r2|session=s1234567] - two failed\n"
        "Traceback (most recent call last):\n"
        "  File \"app.py\", line 3, in pay\n"
        "ValueError: bad\n");
  // JSON marks the entries shown for context.
  const Result json = run_tracegrep({"--json", "-A", "1", "-r", "r4", tb});
  REQUIRE(json.status == 0);
  const auto nl = json.out.find('\n');
  CHECK(json.out.substr(0, nl).find("\"context\"") == std::string::npos);
  CHECK(json.out.substr(nl + 1).find("\"req\":\"r5\"") != std::string::npos);
  CHECK(json.out.substr(nl + 1).find(",\"context\":true}") != std::string::npos);
  // No match, no context: exit 1 and nothing printed.
  const Result none = run_tracegrep({"-C", "3", "-r", "nosuch", tb});
  CHECK(none.status == 1);
  CHECK(none.out.empty());
  // The index reads only the chunks of the ids asked: refused, saying what to do.
  const std::string db = tmp.path("i.db");
  REQUIRE(index(db, {tb}).status == 0);
  const Result from_index = run_tracegrep({"-C", "1", "-r", "r3", "--db", db});
  CHECK(from_index.status == 2);
  CHECK(from_index.err.find("search the files") != std::string::npos);
  CHECK(run_tracegrep({"-A", "-1", "-r", "r3", tb}).status == 2);
}

namespace {

// Columns a line takes (the test data is ASCII but for "…" and "█").
std::size_t columns(std::string_view line) {
  std::size_t n = 0;
  for (const unsigned char c : line) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

TEST_CASE("tables fit the terminal or --width by shortening text, never wrap, levels in colour",
          "[e2e][habits]") {
  const std::vector<std::vector<std::string>> tables = {
      {"requests", "app.log", "worker.log"},
      {"sessions", "app.log", "worker.log"},
      {"timeline", "-s", "d6b3", "app.log", "worker.log"},
      {"timeline", "-s", "abcdef01", "edge/svc-api.log", "edge/svc-payments.log"}};
  for (const auto& t : tables) {
    // Into a pipe without --width: nothing is cut.
    const Result whole = run_tracegrep(t);
    REQUIRE(whole.status == 0);
    CHECK(whole.out.find("\u2026") == std::string::npos);
    for (const std::size_t width : {40, 60, 80, 100, 120, 200}) {
      const Result fitted = run_tracegrep(concat(t, {"--width", std::to_string(width)}));
      REQUIRE(fitted.status == 0);
      const auto got = lines_of(fitted.out);
      for (const std::string& line : got) {
        INFO(fmt::format("{} --width {}: {}", fmt::join(t, " "), width, line));
        CHECK(columns(line) <= width);
      }
      // Every row is there, cut or not: as many lines as without a width,
      // but for the session's figures, which may take more lines.
      if (t[0] != "timeline") CHECK(got.size() == lines_of(whole.out).size());
    }
  }
  // A shortened message is the start of the whole one, marked.
  const Result narrow = run_tracegrep({"timeline", "-s", "d6b3", "--width", "90", "app.log"});
  const Result wide = run_tracegrep({"timeline", "-s", "d6b3", "--width", "300", "app.log"});
  CHECK(wide.out.find("POST /api/search from user grace") != std::string::npos);
  CHECK(wide.out.find("\u2026") == std::string::npos);
  bool shortened = false;
  for (const std::string& line : lines_of(narrow.out)) {
    const auto mark = line.find("\u2026");
    if (mark == std::string::npos) continue;
    const std::string start = line.substr(0, mark);
    const std::string part = start.substr(start.rfind(' ') + 1);
    CHECK(wide.out.find(part) != std::string::npos);
    shortened = true;
  }
  CHECK(shortened);
  // Colour: the highest level as the entries show it; none with never.
  const Result colored = run_tracegrep({"requests", "--color=always", "-l", "error", "app.log"});
  CHECK(colored.out.find("\x1b[1;31mERROR\x1b[0m") != std::string::npos);
  CHECK(run_tracegrep({"sessions", "--color=never", "app.log"}).out.find('\x1b') == std::string::npos);
  // On a terminal: its width, colour unless NO_COLOR (a pty from script(1)).
  if (std::filesystem::exists("/usr/bin/script")) {
    for (const char* no_color : {"", "1"}) {
      const Result tty = run(
          "/usr/bin/script",
          {"-qec",
           fmt::format("stty cols 70; NO_COLOR={} {} requests app.log worker.log", no_color, TRACEGREP_BIN),
           "/dev/null"});
      REQUIRE(tty.status == 0);
      CHECK(tty.out.find("73bce252") != std::string::npos);
      CHECK((tty.out.find("\x1b[") != std::string::npos) == (*no_color == '\0'));
      for (std::string line : lines_of(tty.out)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::string plain;  // without colour sequences
        for (std::size_t i = 0; i < line.size(); ++i) {
          if (line[i] == '\x1b') {
            i = line.find('m', i);
            if (i == std::string::npos) break;
            continue;
          }
          plain += line[i];
        }
        INFO(plain);
        CHECK(columns(plain) <= 70);
      }
    }
  }
}

TEST_CASE("a directory is searched recursively as ripgrep walks it, for scan, index and timelines",
          "[e2e][habits]") {
  TempDir tmp;
  namespace fs = std::filesystem;
  const auto test_data = [](const std::string& name) { return std::string(TRACEGREP_TESTDATA) + "/" + name; };
  fs::create_directories(tmp.path("logs/api/old"));
  fs::create_directories(tmp.path("logs/.cache"));
  fs::copy_file(test_data("app.log"), tmp.path("logs/api/app.log"));
  fs::copy_file(test_data("app.log.gz"), tmp.path("logs/api/old/app.log.1.gz"));
  fs::copy_file(test_data("worker.log"), tmp.path("logs/worker.log"));
  fs::copy_file(test_data("worker.log"), tmp.path("logs/.cache/hidden.log"));
  fs::copy_file(test_data("worker.log"), tmp.path("logs/.worker.log.swp"));
  write_file(tmp.path("logs/core"), std::string("\x7f"
                                                "ELF\0\0\0",
                                                7) +
                                        "Payment gateway timeout\n");
  fs::create_symlink(tmp.path("logs/worker.log"), tmp.path("logs/link.log"));
  const std::string logs = tmp.path("logs");
  const auto n = [&](const std::string& rel) { return tmp.path("logs/" + rel); };
  // Plain and gzip files in path order, names shown; hidden, binary and
  // linked files left out.
  const Result all = run_tracegrep({"-c", "-e", "Payment", logs});
  CHECK(all.status == 0);
  CHECK(all.out ==
        fmt::format("{}:4\n{}:4\n{}:4\n", n("api/app.log"), n("api/old/app.log.1.gz"), n("worker.log")));
  CHECK(all.err.empty());
  // The same as naming those files.
  CHECK(
      run_tracegrep({"-s", "d6b3", logs}).out ==
      run_tracegrep({"-H", "-s", "d6b3", n("api/app.log"), n("api/old/app.log.1.gz"), n("worker.log")}).out);
  // --glob on names, !GLOB leaves out files and folders, --hidden.
  CHECK(run_tracegrep({"-c", "-e", "Payment", "--glob", "*.log", logs}).out ==
        fmt::format("{}:4\n{}:4\n", n("api/app.log"), n("worker.log")));
  CHECK(run_tracegrep({"-c", "-e", "Payment", "--glob", "!old", logs}).out ==
        fmt::format("{}:4\n{}:4\n", n("api/app.log"), n("worker.log")));
  CHECK(run_tracegrep({"-c", "-e", "Payment", "--glob", "!*.gz", "--glob", "!worker*", logs}).out ==
        fmt::format("{}:4\n", n("api/app.log")));
  CHECK(run_tracegrep({"-c", "-e", "Payment", "--hidden", "--glob", "*.log", logs}).out ==
        fmt::format("{}:4\n{}:4\n{}:4\n", n(".cache/hidden.log"), n("api/app.log"), n("worker.log")));
  // A file named on its own is searched whatever it is; a directory with
  // nothing in it matches nothing.
  fs::create_directories(tmp.path("empty"));
  CHECK(run_tracegrep({"-e", "x", tmp.path("empty")}).status == 1);
  // The index and timelines take directories the same way.
  const std::string db = tmp.path("i.db");
  const Result idx = run_tracegrep({"index", "--db", db, logs});
  CHECK(idx.status == 0);
  CHECK(idx.err.find("indexed 3 inputs") != std::string::npos);
  CHECK(run_tracegrep({"--db", db, "-s", "d6b3", "--no-filename"}).out ==
        run_tracegrep({"-s", "d6b3", "--no-filename", n("api/app.log"), n("worker.log")}).out);
  const Result empty_index = run_tracegrep({"index", "--db", tmp.path("e.db"), tmp.path("empty")});
  CHECK(empty_index.status == 1);
  CHECK_FALSE(fs::exists(tmp.path("e.db")));
  CHECK(run_tracegrep({"timeline", "-r", "40511743", logs}).out ==
        run_tracegrep(
            {"timeline", "-r", "40511743", n("api/app.log"), n("api/old/app.log.1.gz"), n("worker.log")})
            .out);
  CHECK(run_tracegrep({"requests", "--glob", "worker.log", logs}).out ==
        run_tracegrep({"requests", n("worker.log")}).out);
}

TEST_CASE("following a directory follows its files and those created later, not rotated copies",
          "[e2e][habits]") {
  using namespace std::chrono_literals;
  TempDir tmp;
  namespace fs = std::filesystem;
  fs::create_directories(tmp.path("d"));
  const auto line = [](int i, const char* what) {
    return fmt::format("2024-01-15 10:00:{:02} - INFO - [req=r{}|session=s1234567] - {}\n", i, i, what);
  };
  write_file(tmp.path("d/app.log"), line(1, "first"));
  write_file(tmp.path("d/app.log.1"), line(0, "rotated before"));  // the past of app.log: not followed
  Live p(TRACEGREP_BIN, {"--follow", tmp.path("d"), "--no-filename"});
  std::string got = p.read_until("first", 5s);
  CHECK(got == line(1, "first"));
  // Rotation by rename: app.log -> app.log.2, a new app.log; the renamed
  // file is not read again under its new name.
  fs::rename(tmp.path("d/app.log"), tmp.path("d/app.log.2"));
  write_file(tmp.path("d/app.log"), line(2, "after rotation"));
  got = p.read_until("after rotation", 5s);
  // A file created later, in a new folder too.
  write_file(tmp.path("d/app-2024-01-16.log"), line(3, "new day"));
  fs::create_directories(tmp.path("d/sub"));
  write_file(tmp.path("d/sub/jobs.log"), line(4, "new folder"));
  p.read_until("new folder", 5s);
  got = p.read_for(600ms);  // all it printed
  p.kill();
  CHECK(got.find("rotated before") == std::string::npos);
  CHECK(got.find("new day") != std::string::npos);
  CHECK(got.find("new folder") != std::string::npos);
  // Each entry once.
  for (const char* what : {"first", "after rotation", "new day", "new folder"}) {
    INFO(what << "\n" << got);
    const auto at = got.find(what);
    REQUIRE(at != std::string::npos);
    CHECK(got.find(what, at + 1) == std::string::npos);
  }
}

TEST_CASE("the README names every package .ci/deps installs", "[e2e][habits]") {
  const std::filesystem::path root = std::filesystem::path(TRACEGREP_TESTDATA).parent_path();
  const std::string deps = read_file(root / ".ci" / "deps");
  const std::string readme = read_file(root / "README.md");
  const auto open = deps.find("packages=(");
  REQUIRE(open != std::string::npos);
  std::size_t at = open + 10;
  int checked = 0;
  for (bool done = false; !done && at < deps.size();) {
    const auto nl = deps.find('\n', at);
    std::string line = deps.substr(at, nl - at);
    at = nl == std::string::npos ? deps.size() : nl + 1;
    line = line.substr(0, line.find('#'));  // a comment
    if (const auto close = line.find(')'); close != std::string::npos) {
      line = line.substr(0, close);
      done = true;
    }
    std::size_t p = 0;
    while ((p = line.find_first_not_of(" \t", p)) != std::string::npos) {
      const auto end = line.find_first_of(" \t", p);
      const std::string package = line.substr(p, end - p);
      p = end;
      INFO(package);
      CHECK(readme.find("`" + package + "`") != std::string::npos);
      ++checked;
    }
  }
  CHECK(checked > 20);
}
