// The real binary on real files and pipes: exit codes, messages, inputs,
// options, and hostile input.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "support/subprocess.hpp"

using namespace tracegrep::test;

namespace {

// Shows both outputs in full when a check fails.
#define SHOW(r) INFO("status " << (r).status << "\n--- stdout\n" << (r).out << "--- stderr\n" << (r).err)

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

// The full id of a session in testdata/app.log, as users hold it.
const std::string kFullSession = "d6b3169782347c4d145c01a599f4a231";

}  // namespace

TEST_CASE("a missing file is reported, the others still searched, exit 2", "[e2e]") {
  const auto r = run_tracegrep({"-s", kFullSession, "nope.log", "app.log"});
  SHOW(r);
  CHECK(r.status == 2);
  CHECK(r.err == "tracegrep: nope.log: No such file or directory\n");
  CHECK(r.out.find("app.log:") == 0);
}

TEST_CASE("a mistyped subcommand gets a suggestion", "[e2e]") {
  const auto r = run_tracegrep({"indx", "app.log"});
  CHECK(r.status == 2);
  CHECK(r.err == "tracegrep: indx: No such file or directory (did you mean 'tracegrep index'?)\n");
  CHECK(run_tracegrep({"timelin", "-s", "x"}).err.find("did you mean 'tracegrep timeline'") !=
        std::string::npos);
}

TEST_CASE("a directory FILE stands for the files under it, each named", "[e2e]") {
  const auto r = run_tracegrep({"-c", "edge"});
  SHOW(r);
  CHECK(r.status == 0);
  CHECK(r.out.find("edge/crlf.log:") != std::string::npos);  // named, as grep -r names them
  CHECK(r.out.find("edge/svc-api.log:") < r.out.find("edge/svc-payments.log:"));  // in path order
}

TEST_CASE("exit status: 0 matched, 1 nothing matched", "[e2e]") {
  CHECK(run_tracegrep({"-s", kFullSession, "app.log"}).status == 0);
  CHECK(run_tracegrep({"-s", "ffffffffffff", "app.log"}).status == 1);
}

TEST_CASE("bad arguments: exit 2 and a message naming them", "[e2e]") {
  auto r = run_tracegrep({"-e", "a(b", "app.log"});
  SHOW(r);
  CHECK(r.status == 2);
  CHECK(r.err == "tracegrep: bad pattern 'a(b': missing ): a(b\n");
  r = run_tracegrep({"--since", "tomorrow", "app.log"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--since 'tomorrow': not a time; use YYYY-MM-DD") != std::string::npos);
  r = run_tracegrep({"--frobnicate"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--frobnicate") != std::string::npos);
}

TEST_CASE("help and version", "[e2e]") {
  auto r = run_tracegrep({"--help"});
  CHECK(r.status == 0);
  CHECK(r.out.find("-s,--session ID") != std::string::npos);
  CHECK(r.out.find("Exit status: 0 an entry matched") != std::string::npos);
  r = run_tracegrep({"--version"});
  CHECK(r.status == 0);
  CHECK(r.out.rfind("tracegrep 0.", 0) == 0);
}

TEST_CASE("a session by its full id finds every line of it, tracebacks included", "[e2e]") {
  const auto r = run_tracegrep({"-s", kFullSession, "app.log"});
  SHOW(r);
  REQUIRE(r.status == 0);
  // Every line that carries the session's tag is there...
  const std::string log = read_file(testdata("app.log"));
  const std::string tag = "|session=" + kFullSession.substr(0, 8) + "]";
  CHECK(count_of(r.out, tag) == count_of(log, tag));
  // ...and nothing else starts an entry.
  std::size_t entries = 0;
  for (std::size_t p = 0; p < r.out.size(); p = r.out.find('\n', p) + 1) {
    if (r.out.compare(p, 3, "202") == 0) {
      ++entries;
      CHECK(r.out.find(tag, p) < r.out.find('\n', p));
    }
  }
  CHECK(entries == count_of(log, tag));
}

TEST_CASE("gzip input gives the same output as the plain file, also on stdin", "[e2e]") {
  const auto plain = run_tracegrep({"-s", kFullSession, "app.log"});
  const auto gz = run_tracegrep({"-s", kFullSession, "app.log.gz"});
  CHECK(gz.status == 0);
  CHECK(gz.out == plain.out);
  const auto piped = run_tracegrep({"-s", kFullSession}, with_stdin(read_file(testdata("app.log.gz"))));
  CHECK(piped.out == plain.out);
  const auto dash = run_tracegrep({"-s", kFullSession, "-"}, with_stdin(read_file(testdata("app.log"))));
  CHECK(dash.out == plain.out);
}

TEST_CASE("several inputs: FILE: prefixes, -H and --no-filename", "[e2e]") {
  auto r = run_tracegrep({"-r", "a1b2c3d4", "edge/layouts.log", "edge/broken.log"});
  SHOW(r);
  CHECK(r.out.rfind("edge/layouts.log:2024-01-15 10:30:15,123 - ERROR", 0) == 0);
  r = run_tracegrep({"--no-filename", "-r", "a1b2c3d4", "edge/layouts.log", "edge/broken.log"});
  CHECK(r.out.rfind("2024-01-15 10:30:15,123 - ERROR", 0) == 0);
  r = run_tracegrep({"-H", "-n", "-r", "a1b2c3d4", "edge/layouts.log"});
  CHECK(r.out.rfind("edge/layouts.log:1:2024-01-15", 0) == 0);
}

TEST_CASE("counting: -c counts entries per file and -m stops each file", "[e2e]") {
  auto r = run_tracegrep({"-c", "-s", "12345678", "edge/layouts.log", "edge/broken.log"});
  SHOW(r);
  // layouts: 5 tags, and one after an unknown word (a field); broken: the
  // last entry, and one whose empty request value is unset, not broken.
  CHECK(r.out == "edge/layouts.log:6\nedge/broken.log:2\n");
  r = run_tracegrep({"-m", "2", "-s", "12345678", "edge/layouts.log"});
  CHECK(count_of(r.out, "\n") == 2);
  CHECK(r.status == 0);
}

TEST_CASE("patterns look into continuation lines, -v inverts, -F and -i work", "[e2e]") {
  auto r = run_tracegrep({"-c", "-e", "KeyError: 'cart_id'", "app.log"});
  const std::string log = read_file(testdata("app.log"));
  CHECK(r.out == fmt::format("{}\n", count_of(log, "KeyError: 'cart_id'")));
  r = run_tracegrep({"-c", "-F", "-i", "-e", "keyerror: 'CART_ID'", "app.log"});
  CHECK(r.out == fmt::format("{}\n", count_of(log, "KeyError: 'cart_id'")));
  const auto all = run_tracegrep({"-c", "app.log"});
  const auto inverted = run_tracegrep({"-c", "-v", "-e", "KeyError", "app.log"});
  CHECK(std::stoul(all.out) - std::stoul(inverted.out) == count_of(log, "KeyError: 'cart_id'"));
}

TEST_CASE("JSON output is one valid object per entry, for any bytes", "[e2e]") {
  const auto r = run_tracegrep({"--json", "edge/hostile.log"});
  SHOW(r);
  REQUIRE(r.status == 0);
  // Three: the line that draws a forged entry with escapes is an untimed
  // entry of its own, with no ids (never one of the session's).
  CHECK(count_of(r.out, "\n") == 3);
  CHECK(r.out.find(R"({"ts":null,"level":null,"req":null,"session":null,"msg":"\u001b[1A)") !=
        std::string::npos);
  // No raw control byte or invalid UTF-8 may reach JSON text.
  for (const char c : r.out) {
    const auto u = static_cast<unsigned char>(c);
    CHECK((u >= 0x20 || u == '\n'));
    CHECK(u != 0xff);
  }
  CHECK(r.out.find(R"("msg":"binary \u0000\u0001\ufffd\ufffd invalid utf-8 \ufffd( done")") !=
        std::string::npos);
}

TEST_CASE("colour never lets log content drive the terminal", "[e2e]") {
  const auto r = run_tracegrep({"--color=always", "edge/hostile.log"});
  SHOW(r);
  // The only ESC bytes are our own SGR colour sequences.
  for (std::size_t p = r.out.find('\x1b'); p != std::string::npos; p = r.out.find('\x1b', p + 1)) {
    const auto m = r.out.find('m', p);
    REQUIRE(m != std::string::npos);
    const std::string seq = r.out.substr(p, m - p + 1);
    INFO(seq);
    CHECK(seq.find_first_not_of("\x1b[0123456789;m") == std::string::npos);
  }
  CHECK(r.out.find("\\x1b]0;pwned\\x07") != std::string::npos);
  CHECK(r.out.find('\r') == std::string::npos);
  CHECK(r.out.find("\\u{009b}") != std::string::npos);
  CHECK(r.out.find("\\u{202e}") != std::string::npos);
  // The forged line is shown as part of the entry above it, not as an entry.
  CHECK(r.out.find("\\x1b[1A\\x1b[2K2024-01-15 10:30:16,000") != std::string::npos);
}

TEST_CASE("NO_COLOR and --color=never", "[e2e]") {
  auto r = run_tracegrep({"--color=never", "edge/layouts.log"});
  CHECK(r.out.find('\x1b') == std::string::npos);
  RunOptions env;
  env.env = {"NO_COLOR=1"};
  r = run_tracegrep({"edge/layouts.log"}, env);
  CHECK(r.out.find('\x1b') == std::string::npos);
}

TEST_CASE("a closed pipe ends the run quietly", "[e2e]") {
  TempDir tmp;
  const auto r =
      run("/bin/sh", {"-c", fmt::format("'{}' app.log app.log app.log | head -n 1", TRACEGREP_BIN)});
  SHOW(r);
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK(count_of(r.out, "\n") == 1);
}

TEST_CASE("a huge line is cut with a marker, memory stays bounded", "[e2e]") {
  TempDir tmp;
  std::string log = "2024-01-15 10:30:15 - INFO - [req=big00001|session=12345678] - ";
  log += std::string(std::size_t{100} << 20, 'x');
  log += "\n2024-01-15 10:30:16 - INFO - [req=small001|session=12345678] - after\n";
  write_file(tmp.path("big.log"), log);
  const auto file = run_tracegrep({"-s", "12345678", tmp.path("big.log")});
  const std::string marker = "[tracegrep: entry cut at 1048576 bytes; see --max-entry-size]\n";
  const std::string after = "2024-01-15 10:30:16 - INFO - [req=small001|session=12345678] - after\n";
  CHECK(file.status == 0);
  CHECK(file.out.size() == (std::size_t{1} << 20) + 1 + marker.size() + after.size());
  CHECK(file.out.find("\n" + marker + after) == std::size_t{1} << 20);
  const auto small = run_tracegrep({"--max-entry-size", "64K", "-s", "12345678", tmp.path("big.log")});
  CHECK(small.out.find("\n[tracegrep: entry cut at 65536 bytes") == 65536);
  // The same through a pipe, read by the streaming reader...
  const auto piped = run_tracegrep({"-s", "12345678"}, with_stdin(log));
  CHECK(piped.out == file.out);
#ifndef TRACEGREP_SANITIZED  // ASan reserves terabytes of address space
  // ...in bounded memory: 100 MB of address space for a 100 MB line.
  const auto bounded =
      run("/bin/sh", {"-c", "ulimit -v 100000; exec \"$0\" -s 12345678", TRACEGREP_BIN}, with_stdin(log));
  CHECK(bounded.status == 0);
  CHECK(bounded.out == file.out);
#endif
}

TEST_CASE("binary junk and broken tags are processed, never fatal", "[e2e]") {
  TempDir tmp;
  std::string junk;
  unsigned x = 12345;
  for (int i = 0; i < 300000; ++i) {
    x = x * 1103515245 + 12345;
    junk += static_cast<char>(x >> 16);
  }
  write_file(tmp.path("junk.bin"), junk + "\n2024-01-15 10:30:15 - INFO - [req=r|session=12345678] - ok\n");
  const auto r = run_tracegrep({"-s", "12345678", tmp.path("junk.bin")});
  SHOW(r);
  CHECK(r.status == 0);
  CHECK(r.out == "2024-01-15 10:30:15 - INFO - [req=r|session=12345678] - ok\n");
  const auto b = run_tracegrep({"-c", "-s", "12345678", "edge/broken.log"});
  CHECK(b.out == "2\n");
}

TEST_CASE("a truncated .gz reports an error after printing what it decoded", "[e2e]") {
  TempDir tmp;
  const std::string gz = read_file(testdata("app.log.gz"));
  write_file(tmp.path("cut.log.gz"), gz.substr(0, gz.size() / 2));
  const auto r = run_tracegrep({"-c", tmp.path("cut.log.gz")});
  SHOW(r);
  CHECK(r.status == 2);
  CHECK(r.err ==
        "tracegrep: " + tmp.path("cut.log.gz") + ": unexpected end of gzip data (truncated file?)\n");
  CHECK(std::stoul(r.out) > 100);
}

TEST_CASE("testdata is exactly what the generator in bench/ makes", "[e2e]") {
  auto r = run(TRACEGREP_LOGGEN, {"--bytes", "150000", "--seed", "1", "--service", "api"});
  CHECK(r.status == 0);
  CHECK(r.out == read_file(testdata("app.log")));
  r = run(TRACEGREP_LOGGEN,
          {"--bytes", "60000", "--seed", "2", "--service", "worker", "--start", "2024-01-15 09:00:01"});
  CHECK(r.out == read_file(testdata("worker.log")));
}

TEST_CASE("the SSE2 searches give what the AVX2 ones give, for one id and several", "[e2e]") {
  TempDir tmp;
  const std::string log = tmp.path("gen.log");
  REQUIRE(run("/bin/sh", {"-c", fmt::format("'{}' --bytes 8000000 --seed 11 > '{}'", TRACEGREP_LOGGEN, log)})
              .status == 0);
  // Ids from the log itself: the first tagged lines at two places.
  const std::string text = read_file(log);
  auto id_after = [&](std::size_t from, std::string_view key) {
    const std::size_t at = text.find(key, from) + key.size();
    return text.substr(at, text.find_first_of("|]", at) - at);
  };
  const std::string s1 = id_after(0, "session="), s2 = id_after(text.size() / 2, "session=");
  const std::string r1 = id_after(0, "req="), r2 = id_after(text.size() / 3, "req=");
  for (const std::vector<std::string>& args : {std::vector<std::string>{"-s", s1},
                                               {"-s", s1, "-s", s2},
                                               {"-r", r1, "-r", r2, "-n"},
                                               {"-n", "-s", s2}}) {
    std::string cmd;
    for (const auto& a : args) cmd += " '" + a + "'";
    const auto avx2 = run("/bin/sh", {"-c", fmt::format("'{}'{} '{}'", TRACEGREP_BIN, cmd, log)});
    const auto sse2 =
        run("/bin/sh", {"-c", fmt::format("TRACEGREP_NO_AVX2=1 '{}'{} '{}'", TRACEGREP_BIN, cmd, log)});
    INFO(cmd);
    CHECK(avx2.status == 0);
    CHECK_FALSE(avx2.out.empty());
    CHECK(sse2.out == avx2.out);
  }
}

TEST_CASE("many files: searched on both cores, printed in argument order, errors in their place", "[e2e]") {
  // A log directory of rotated files: the output is what searching them one
  // after another prints, and a missing file's message stands where it is
  // named, between the outputs of the files around it (one pipe for both).
  TempDir tmp;
  const std::string app = read_file(testdata("app.log")), worker = read_file(testdata("worker.log"));
  std::string files;
  for (int i = 0; i < 60; ++i) {
    const std::string path = tmp.path(fmt::format("app.{:02d}.log", i));
    write_file(path, i % 2 ? app : worker);
    if (i == 30) files += fmt::format(" {}", tmp.path("gone.log"));
    files += fmt::format(" {}", path);
  }
  for (const char* flags :
       {"-s d6b31697", "-n -s d6b31697", "-c -l error", "--json -e Traceback", "-m 1 -l warning"}) {
    INFO(flags);
    std::string one_by_one;
    auto alone = [&](const std::string& path) {  // -H: named as it is among the others
      one_by_one += run("/bin/sh", {"-c", fmt::format("{} -H {} {} 2>&1", TRACEGREP_BIN, flags, path)}).out;
    };
    for (int i = 0; i < 60; ++i) {
      if (i == 30) alone(tmp.path("gone.log"));
      alone(tmp.path(fmt::format("app.{:02d}.log", i)));
    }
    CHECK(count_of(one_by_one, "gone.log: No such file or directory") == 1);
    const Result all = run("/bin/sh", {"-c", fmt::format("{} {}{} 2>&1", TRACEGREP_BIN, flags, files)});
    CHECK(all.status == 2);
    CHECK(all.out == one_by_one);
  }
}

TEST_CASE("never silent: an input in a layout tracegrep cannot read is named, once, with its first line",
          "[e2e]") {
  TempDir tmp;
  write_file(tmp.path("plain.txt"), "just some text\nno timestamps here\n");
  write_file(tmp.path("untagged.log"), "2024-01-15 10:00:00 INFO no tag on any line\n");
  write_file(tmp.path("evil.txt"), "\x1b[2Jclear screen\n");
  const auto r = run_tracegrep(
      {"-s", "12345678", tmp.path("plain.txt"), tmp.path("untagged.log"), tmp.path("evil.txt"), "app.log"});
  SHOW(r);
  CHECK(r.status == 1);  // nothing matched: the notices do not change that
  CHECK(r.err.find(tmp.path("plain.txt") +
                   ": no line matched a known layout (first line: \"just some text\")") != std::string::npos);
  CHECK(r.err.find(tmp.path("untagged.log") + ": no line has a request or session id") != std::string::npos);
  CHECK(r.err.find("\\x1b[2Jclear screen") !=
        std::string::npos);  // log content never reaches the terminal raw
  CHECK(r.err.find('\x1b') == std::string::npos);
  CHECK(r.err.find("app.log") == std::string::npos);  // a readable log with no match: no notice
  CHECK(count_of(r.err, "\n") == 3);
  // Without -s/-r an untagged log is fine; a plain text file still is not.
  const auto l = run_tracegrep({"-l", "error", tmp.path("plain.txt"), tmp.path("untagged.log")});
  CHECK(l.err.find("plain.txt") != std::string::npos);
  CHECK(l.err.find("untagged.log") == std::string::npos);
}

TEST_CASE("grep's -q and -m 0: exit status only, the first match ends the run, -m 0 reads nothing", "[e2e]") {
  TempDir tmp;
  // A FIFO with no writer: opening it would block. Reaching it would hang the run.
  const std::string fifo = tmp.path("never.fifo");
  REQUIRE(run("/usr/bin/mkfifo", {fifo}).status == 0);
  const auto match = run_tracegrep({"-q", "-s", kFullSession, "app.log", fifo});
  SHOW(match);
  CHECK(match.status == 0);
  CHECK(match.out.empty());
  const auto none = run_tracegrep({"-q", "-s", "ffffffff", "app.log"});
  CHECK(none.status == 1);
  CHECK(none.out.empty());
  // As grep -q: a match is exit 0 even after an input that could not be read.
  const auto after_error = run_tracegrep({"-q", "-s", kFullSession, "nope.log", "app.log"});
  CHECK(after_error.status == 0);
  CHECK(after_error.err.find("nope.log: No such file or directory") != std::string::npos);
  CHECK(run_tracegrep({"-q", "-s", "ffffffff", "nope.log", "app.log"}).status == 2);
  // grep agrees on the same files, for the same exit statuses.
  CHECK(run("/bin/sh", {"-c", "cd '" + testdata("") + "' && grep -q d6b31697 nope.log app.log 2>/dev/null"})
            .status == 0);
  // -m 0: nothing read, nothing printed, exit 1 (the FIFO is never opened).
  const auto zero = run_tracegrep({"-m", "0", "-l", "info", fifo, "app.log"});
  CHECK(zero.status == 1);
  CHECK(zero.out.empty());
  CHECK(run_tracegrep({"-c", "-m", "0", "app.log"}).out.empty());
  CHECK(run_tracegrep({"-q", "--follow", "app.log"}).status == 2);  // refused: -q stops, --follow waits
}
