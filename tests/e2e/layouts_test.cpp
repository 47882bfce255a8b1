// JSON lines and logfmt through the real binary: mixed with text in one
// file, their fields under "attrs", the id keys replaced, and the notice
// for an input in no known layout.
#include <catch2/catch.hpp>

#include "support/subprocess.hpp"

using namespace tracegrep::test;

namespace {

const char* kMixed =
    "2024-01-15 10:30:15,100 - INFO - [req=r1|session=s1234567] - text line\n"
    "{\"time\":\"2024-01-15T10:30:15.200\",\"level\":\"ERROR\",\"msg\":\"json line\",\"request_id\":\"r1\","
    "\"session_id\":\"s1234567\",\"user\":{\"id\":7}}\n"
    "time=2024-01-15T10:30:15.300 level=warn msg=\"logfmt line\" request_id=r1 session_id=s1234567 shard=3\n"
    "{\"time\":\"2024-01-15T10:30:15.400\",\"level\":\"info\",\"msg\":\"other\",\"request_id\":\"r2\"}\n"
    "  an indented line after JSON: its continuation\n"
    "print() output, an entry of its own\n";

}  // namespace

TEST_CASE("text, JSON and logfmt lines in one file are each an entry, found by -r and -s", "[e2e][layouts]") {
  TempDir tmp;
  const std::string log = tmp.path("mixed.log");
  write_file(log, kMixed);
  const Result r = run_tracegrep({"-r", "r1", log});
  REQUIRE(r.status == 0);
  CHECK(
      r.out ==
      "2024-01-15 10:30:15,100 - INFO - [req=r1|session=s1234567] - text line\n"
      "{\"time\":\"2024-01-15T10:30:15.200\",\"level\":\"ERROR\",\"msg\":\"json line\",\"request_id\":\"r1\","
      "\"session_id\":\"s1234567\",\"user\":{\"id\":7}}\n"
      "time=2024-01-15T10:30:15.300 level=warn msg=\"logfmt line\" request_id=r1 session_id=s1234567 "
      "shard=3\n");
  const Result s = run_tracegrep({"-c", "-s", "s1234567abcdef", log});
  CHECK(s.out == "3\n");
  const Result r2 =
      run_tracegrep({"-r", "r2", log});  // the JSON line keeps its continuation, not the print()
  CHECK(r2.out ==
        "{\"time\":\"2024-01-15T10:30:15.400\",\"level\":\"info\",\"msg\":\"other\",\"request_id\":\"r2\"}\n"
        "  an indented line after JSON: its continuation\n");
  const Result l = run_tracegrep({"-c", "-l", "warning", log});
  CHECK(l.out == "2\n");
}

TEST_CASE("JSON output of JSON and logfmt entries: normalised fields, the rest under attrs",
          "[e2e][layouts]") {
  TempDir tmp;
  const std::string log = tmp.path("mixed.log");
  write_file(log, kMixed);
  const Result r = run_tracegrep({"--json", "-r", "r1", log});
  REQUIRE(r.status == 0);
  CHECK(r.out.find(
            "{\"ts\":\"2024-01-15T10:30:15.200\",\"level\":\"ERROR\",\"req\":\"r1\",\"session\":\"s1234567\","
            "\"msg\":\"json line\",\"file\":\"" +
            log + "\",\"line\":2,\"attrs\":{\"user.id\":7}}\n") != std::string::npos);
  CHECK(r.out.find(
            "\"level\":\"WARN\",\"req\":\"r1\",\"session\":\"s1234567\",\"msg\":\"logfmt line\",\"file\":\"" +
            log + "\",\"line\":3,\"attrs\":{\"shard\":\"3\"}}\n") != std::string::npos);
}

TEST_CASE("the id keys can be named (--request-key, --session-key) in scans, the index and timelines",
          "[e2e][layouts]") {
  TempDir tmp;
  const std::string log = tmp.path("custom.log");
  write_file(log,
             "{\"ts\":1705314615.1,\"level\":\"info\",\"msg\":\"a\",\"ctx\":{\"txn\":\"T1\"},\"request_id\":"
             "\"R1\"}\n"
             "{\"ts\":1705314615.2,\"level\":\"info\",\"msg\":\"b\",\"ctx\":{\"txn\":\"T1\"},\"request_id\":"
             "\"R2\"}\n");
  CHECK(run_tracegrep({"-c", "-r", "T1", log}).out == "0\n");
  CHECK(run_tracegrep({"-c", "-r", "R1", log}).out == "1\n");
  CHECK(run_tracegrep({"-c", "-r", "T1", "--request-key", "ctx.txn", log}).out == "2\n");
  const std::string db = tmp.path("i.db");
  REQUIRE(run_tracegrep({"index", "-q", "--db", db, "--request-key", "txn", log}).status == 0);
  CHECK(run_tracegrep({"--db", db, "-c", "-r", "T1", "--request-key", "txn"}).out == "2\n");
  const Result t = run_tracegrep({"timeline", "-r", "T1", "--request-key", "txn", log});
  CHECK(t.status == 0);
  CHECK(t.out.find("entries 2") != std::string::npos);
}

TEST_CASE("an input in no known layout is named on stderr with its first line", "[e2e][layouts]") {
  TempDir tmp;
  const std::string log = tmp.path("odd.log");
  write_file(log, "{\"broken json\": \n[1,2,3]\n");
  const Result r = run_tracegrep({"-r", "x", log});
  CHECK(r.status == 1);
  CHECK(
      r.err.find(log +
                 ": no line matched a known layout (first line: \"{\"broken json\": \"); see --log-format") !=
      std::string::npos);
}

TEST_CASE("tracegrep layouts lists what is built in and tells what each file was read as", "[e2e][layouts]") {
  const Result builtin = run_tracegrep({"layouts"});
  REQUIRE(builtin.status == 0);
  CHECK(builtin.out.find("  request    request_id req requestId") != std::string::npos);
  CHECK(run_tracegrep({"layouts", "--request-key", "txn"}).out.find("  request    txn\n") !=
        std::string::npos);
  TempDir tmp;
  write_file(tmp.path("mixed.log"), kMixed);
  write_file(tmp.path("j.log"), "{\"ts\":1705314615,\"msg\":\"a\",\"req\":\"r\"}\n{\"msg\":\"b\"}\n");
  write_file(tmp.path("odd.log"), "just words\nmore words\n");
  const Result r = run_tracegrep(
      {"layouts", tmp.path("mixed.log"), tmp.path("j.log"), tmp.path("odd.log"), tmp.path("missing.log")});
  CHECK(r.status == 2);  // the missing file
  CHECK(r.out.find(
            tmp.path("mixed.log") +
            ": mixed, mostly json (5 entries: 1 text, 2 json, 1 logfmt, 1 untimed text; 4 with a time, 4 "
            "with ids)\n") != std::string::npos);
  CHECK(r.out.find(tmp.path("j.log") + ": json (2 entries: 2 json; 1 with a time, 1 with ids)\n") !=
        std::string::npos);
  CHECK(r.out.find(tmp.path("odd.log") +
                   ": no known layout (2 entries: 2 untimed text; 0 with a time, 0 with "
                   "ids) first line: \"just words\"\n") != std::string::npos);
  CHECK(r.err.find("missing.log: No such file or directory") != std::string::npos);
}

TEST_CASE("a layout set once: --log-format, its environment variables and named layouts in layouts.ini",
          "[e2e][layouts]") {
  TempDir tmp;
  const std::string log = tmp.path("custom.log");
  write_file(log,
             "15/Jan/2024:10:30:15 INFO     r1 s1 first\n"
             "15/Jan/2024:10:30:16 ERROR    r1 s1 second\n"
             "  indented: its continuation\n"
             "15/Jan/2024:10:30:17 INFO     r2 s2 third\n");
  const std::string fmt = "%(asctime)s %(levelname)-8s %(request_id)s %(session_id)s %(message)s";
  const std::string datefmt = "%d/%b/%Y:%H:%M:%S";
  // Without the layout: no timestamp tracegrep knows, and it says so.
  const Result none = run_tracegrep({"-r", "r1", log});
  CHECK(none.status == 1);
  CHECK(none.err.find("no line matched a known layout") != std::string::npos);
  const std::string want =
      "15/Jan/2024:10:30:15 INFO     r1 s1 first\n"
      "15/Jan/2024:10:30:16 ERROR    r1 s1 second\n"
      "  indented: its continuation\n";
  CHECK(run_tracegrep({"-r", "r1", "--log-format", fmt, "--date-format", datefmt, log}).out == want);
  RunOptions env;
  env.env = {"TRACEGREP_LOG_FORMAT=" + fmt, "TRACEGREP_DATE_FORMAT=" + datefmt};
  CHECK(run_tracegrep({"-r", "r1", log}, env).out == want);
  write_file(tmp.path("layouts.ini"),
             "# the team's layouts\n[payments]\nformat = " + fmt + "\ndatefmt = " + datefmt + "\n");
  RunOptions named;
  named.env = {"TRACEGREP_LAYOUTS=" + tmp.path("layouts.ini")};
  CHECK(run_tracegrep({"-r", "r1", "--log-format", "@payments", log}, named).out == want);
  const Result tl = run_tracegrep({"timeline", "-r", "r1", "--log-format", "@payments", log}, named);
  CHECK(tl.out.find("entries 2  highest ERROR") != std::string::npos);
  const Result listed = run_tracegrep({"layouts"}, named);
  CHECK(listed.out.find("  @payments  " + fmt + "   datefmt " + datefmt + "\n") != std::string::npos);
  const Result seen = run_tracegrep({"layouts", "--log-format", "@payments", log}, named);
  CHECK(seen.out == log + ": --log-format (3 entries: 3 --log-format; 3 with a time, 3 with ids)\n");
  // Mistakes are said, with exit 2.
  const Result unknown = run_tracegrep({"--log-format", "@nope", log}, named);
  CHECK(unknown.status == 2);
  CHECK(unknown.err.find("no layout named 'nope' in " + tmp.path("layouts.ini")) != std::string::npos);
  const Result bad = run_tracegrep({"--log-format", "%(asctime", log});
  CHECK(bad.status == 2);
  CHECK(bad.err == "tracegrep: --log-format \"%(asctime\": at 1: %( without )\n");
}

TEST_CASE("the field filter (--field KEY=VALUE) selects by attribute in every layout, in scans and the index",
          "[e2e][layouts]") {
  TempDir tmp;
  const std::string log = tmp.path("fields.log");
  write_file(
      log,
      "2024-01-15 10:30:15,100 - INFO - [req=r1|session=s1|tenant=acme] - text\n"
      "{\"time\":\"2024-01-15T10:30:15.200\",\"level\":\"info\",\"msg\":\"json\",\"name\":\"payments.gw\","
      "\"user\":{\"id\":7}}\n"
      "time=2024-01-15T10:30:15.300 level=info msg=logfmt name=payments.gw tenant=acme\n"
      "{\"time\":\"2024-01-15T10:30:15.400\",\"level\":\"info\",\"msg\":\"other\",\"name\":\"db.pool\"}\n");
  auto count = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "-c");
    args.push_back(log);
    return run_tracegrep(args).out;
  };
  CHECK(count({"--field", "name=payments.gw"}) == "2\n");
  CHECK(count({"--field", "tenant=acme"}) == "2\n");  // a tag's pair and a logfmt field alike
  CHECK(count({"--field", "user.id=7"}) == "1\n");    // nested, a JSON number as written
  CHECK(count({"--field", "name=payments.gw", "--field", "name=db.pool"}) == "3\n");  // one key: OR
  CHECK(count({"--field", "name=payments.gw", "--field", "tenant=acme"}) == "1\n");   // two keys: AND
  CHECK(count({"--field", "name=nothing"}) == "0\n");
  const std::string db = tmp.path("i.db");
  REQUIRE(run_tracegrep({"index", "-q", "--db", db, log}).status == 0);
  CHECK(run_tracegrep({"--db", db, "-c", "--field", "name=payments.gw"}).out == "2\n");
  const Result bad = run_tracegrep({"--field", "novalue", log});
  CHECK(bad.status == 2);
  CHECK(bad.err.find("--field takes KEY=VALUE") != std::string::npos);
}

TEST_CASE("the continuation rule can be replaced (--continuation REGEX)", "[e2e][layouts]") {
  TempDir tmp;
  const std::string log = tmp.path("dump.log");
  write_file(log,
             "2024-01-15 10:30:15,100 - ERROR - [req=r1|session=s1] - state dump follows\n"
             "| queue=12\n"
             "| workers=3\n"
             "startup banner\n"
             "2024-01-15 10:30:16,100 - INFO - [req=r2|session=s1] - next\n");
  // Built in: "| ..." looks like no continuation, so it is an entry of its own.
  CHECK(run_tracegrep({"-r", "r1", log}).out ==
        "2024-01-15 10:30:15,100 - ERROR - [req=r1|session=s1] - state dump follows\n");
  const std::string want =
      "2024-01-15 10:30:15,100 - ERROR - [req=r1|session=s1] - state dump follows\n| queue=12\n| workers=3\n";
  CHECK(run_tracegrep({"-r", "r1", "--continuation", "^\\| ", log}).out == want);
  const std::string db = tmp.path("i.db");
  REQUIRE(run_tracegrep({"index", "-q", "--db", db, "--continuation", "^\\| ", log}).status == 0);
  CHECK(run_tracegrep({"--db", db, "-r", "r1", "--continuation", "^\\| "}).out == want);
  CHECK(run_tracegrep({"-c", "--continuation", "^\\| ", log}).out == "3\n");  // the banner is an entry
  const Result bad = run_tracegrep({"--continuation", "(", log});
  CHECK(bad.status == 2);
  CHECK(bad.err.find("--continuation: bad pattern '('") != std::string::npos);
}

TEST_CASE("the index records the layout each file was read as, and answers one query over mixed layouts",
          "[e2e][layouts]") {
  TempDir tmp;
  write_file(tmp.path("text.log"), "2024-01-15 10:30:15,100 - INFO - [req=r1|session=s1] - a\n");
  write_file(tmp.path("j.log"),
             "{\"time\":\"2024-01-15T10:30:15.200\",\"level\":\"ERROR\",\"msg\":\"b\",\"req\":\"r1\"}\n");
  write_file(tmp.path("l.log"), "time=2024-01-15T10:30:15.300 level=warn msg=c request_id=r1\n");
  write_file(tmp.path("mixed.log"), kMixed);
  const std::string db = tmp.path("i.db");
  REQUIRE(run_tracegrep({"index", "-q", "--db", db, tmp.path("text.log"), tmp.path("j.log"),
                         tmp.path("l.log"), tmp.path("mixed.log")})
              .status == 0);
  const Result st = run_tracegrep({"index", "--db", db, "--status"});
  auto line_of = [&](const std::string& name) {
    const auto at = st.out.find(tmp.path(name) + "  indexed");
    return at == std::string::npos ? std::string() : st.out.substr(at, st.out.find('\n', at) - at);
  };
  CHECK(line_of("text.log").find(", read as text  (") != std::string::npos);
  CHECK(line_of("j.log").find(", read as json  (") != std::string::npos);
  CHECK(line_of("l.log").find(", read as logfmt  (") != std::string::npos);
  CHECK(line_of("mixed.log").find(", read as mixed, mostly json  (") != std::string::npos);
  const Result q = run_tracegrep({"--db", db, "-c", "-r", "r1", "--no-filename"});
  CHECK(q.out == "1\n1\n1\n3\n");
  const Result tl = run_tracegrep({"timeline", "--db", db, "-r", "r1"});
  CHECK(tl.out.find("entries 6") != std::string::npos);
}

TEST_CASE("JSON lines and logfmt through a pipe, as tail -f gives them", "[e2e][layouts]") {
  const Result r = run_tracegrep({"-r", "r1", "--json"}, with_stdin(kMixed));
  REQUIRE(r.status == 0);
  CHECK(r.out.find("\"msg\":\"json line\",\"file\":\"-\",\"line\":2") != std::string::npos);
  CHECK(r.out.find("\"msg\":\"logfmt line\",\"file\":\"-\",\"line\":3") != std::string::npos);
  const Result t = run_tracegrep({"timeline", "-r", "r1"}, with_stdin(kMixed));
  CHECK(t.out.find("entries 3  highest ERROR") != std::string::npos);
}
