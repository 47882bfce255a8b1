// The index through the real binary: same output as a scan, incremental,
// idempotent, rotation and gzip aware, crash-safe, and careful with files
// that are not its own.
#include <fmt/format.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "support/index_edit.hpp"
#include "support/subprocess.hpp"

using namespace tracegrep::test;
using namespace std::chrono_literals;

namespace {

#define SHOW(r) INFO("status " << (r).status << "\n--- stdout\n" << (r).out << "--- stderr\n" << (r).err)

const std::vector<std::string> kFiles = {
    "app.log",       "worker.log",       "edge/layouts.log", "edge/broken.log",
    "edge/crlf.log", "edge/hostile.log", "edge/uvicorn.log", "edge/python-layouts.log"};

Result query(const std::string& db, const std::vector<std::string>& args) {
  return run_tracegrep(concat({"--db", db}, args));
}

void append(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::app | std::ios::binary);
  f << text;
}

std::string entry(int i, const std::string& session = "feed0001") {
  return fmt::format("2024-01-15 11:00:{:02},{:03} - INFO - [req=n{:07}|session={}] - appended {}\n",
                     i / 1000 % 60, i % 1000, i, session, i);
}

}  // namespace

TEST_CASE("the index prints exactly what a scan prints", "[e2e][index]") {
  TempDir tmp;
  const std::string db = tmp.path("i.db");
  const auto r = index(db, kFiles);
  SHOW(r);
  REQUIRE(r.status == 0);
  const std::vector<std::vector<std::string>> queries = {
      {"-s", "d6b3169782347c4d145c01a599f4a231"},
      {"-s", "d6b3", "-n"},
      {"-r", "40511743", "--json"},
      {"-s", "12345678", "-n", "--json"},
      {"-l", "error", "-n"},
      {"-e", "Traceback", "-c"},
      {"--since", "2024-01-15 09:00:10", "--until", "2024-01-15 09:00:11"},
      {"-c"},
      {"--color=always", "-r", "evil0001"},
      {"-m", "3", "-s", "12345678"},
  };
  for (const auto& q : queries) {
    const Result from_index = query(db, q);
    const Result from_scan = run_tracegrep(concat(q, kFiles));
    INFO(fmt::format("query: {}\n--- index\n{}--- scan\n{}--- stderr\n{}", fmt::join(q, " "), from_index.out,
                     from_scan.out, from_index.err));
    CHECK(from_index.status == from_scan.status);
    CHECK(from_index.out == from_scan.out);
  }
}

TEST_CASE("indexing again adds nothing, appended entries are added once", "[e2e][index]") {
  TempDir tmp;
  const std::string db = tmp.path("i.db");
  const std::string log = tmp.path("a.log");
  std::filesystem::copy_file(testdata("app.log"), log);
  for (int i = 0; i < 10; ++i) REQUIRE(index(db, {log}).status == 0);
  CHECK(query(db, {"-c"}).out == run_tracegrep({"-c", log}).out);
  std::string more;
  for (int i = 0; i < 3000; ++i) more += entry(i);
  append(log, more);
  REQUIRE(index(db, {log}).status == 0);
  REQUIRE(index(db, {log}).status == 0);
  CHECK(query(db, {"-c"}).out == run_tracegrep({"-c", log}).out);
  CHECK(query(db, {"-n", "-s", "feed0001"}).out == run_tracegrep({"-n", "-s", "feed0001", log}).out);
}

TEST_CASE("a last line still being written is indexed when it is complete", "[e2e][index]") {
  TempDir tmp;
  const std::string db = tmp.path("i.db");
  const std::string log = tmp.path("a.log");
  write_file(log,
             entry(1) + entry(2) + "2024-01-15 11:00:00,003 - INFO - [req=n0000003|session=feed0001] - half");
  REQUIRE(index(db, {log}).status == 0);
  CHECK(query(db, {"-c"}).out == "2\n");
  append(log, " a line\n" + entry(4));
  REQUIRE(index(db, {log}).status == 0);
  CHECK(query(db, {"-c"}).out == "4\n");
  CHECK(query(db, {"-r", "n0000003"}).out ==
        "2024-01-15 11:00:00,003 - INFO - [req=n0000003|session=feed0001] - half a line\n");
}

TEST_CASE("rotation, gzip and copytruncate never index content twice", "[e2e][index]") {
  TempDir tmp;
  const std::string db = tmp.path("i.db");
  std::string first, second;
  for (int i = 0; i < 4000; ++i) first += entry(i, "aaaa0001");
  for (int i = 0; i < 4000; ++i) second += entry(i, "bbbb0002");
  write_file(tmp.path("app.log"), first);
  REQUIRE(index(db, {"app.log"}, tmp.dir()).status == 0);
  // logrotate: rename, new file under the old name; then the old one gzipped.
  std::filesystem::rename(tmp.path("app.log"), tmp.path("app.log.1"));
  write_file(tmp.path("app.log"), second);
  REQUIRE(index(db, {"app.log.1", "app.log"}, tmp.dir()).status == 0);
  REQUIRE(run("/bin/sh", {"-c", "gzip -c app.log.1 > app.log.1.gz"},
              [&] {
                RunOptions o;
                o.cwd = tmp.dir();
                return o;
              }())
              .status == 0);
  REQUIRE(index(db, {"app.log.1.gz", "app.log.1", "app.log"}, tmp.dir()).status == 0);
  CHECK(query(db, {"-c", "-s", "aaaa0001", "--no-filename"}).out.find("4000\n") == 0);
  CHECK(query(db, {"-c", "-s", "bbbb0002", "--no-filename"}).out.find("4000\n") != std::string::npos);
  const auto all = query(db, {"-c"});
  SHOW(all);
  // copytruncate: the content copied aside, the file cut and written anew.
  std::filesystem::copy_file(tmp.path("app.log"), tmp.path("app.log.2"));
  std::string third;
  for (int i = 0; i < 100; ++i) third += entry(i, "cccc0003");
  write_file(tmp.path("app.log"), third);
  REQUIRE(index(db, {"app.log.2", "app.log"}, tmp.dir()).status == 0);
  const auto counts = query(db, {"-c", "-s", "bbbb0002"});
  SHOW(counts);
  std::size_t total = 0;
  for (std::size_t p = 0; p < counts.out.size(); p = counts.out.find('\n', p) + 1) {
    total += std::stoul(counts.out.substr(counts.out.find(':', p) + 1));
  }
  CHECK(total == 4000);
  CHECK(query(db, {"-c", "--no-filename", "-s", "cccc0003"}).out.find("100\n") != std::string::npos);
}

TEST_CASE("the index answers after the logs are gone", "[e2e][index]") {
  TempDir tmp;
  const std::string db = tmp.path("i.db");
  const std::string log = tmp.path("a.log");
  std::filesystem::copy_file(testdata("app.log"), log);
  const std::string before = run_tracegrep({"-s", "d6b3", log}).out;
  REQUIRE(index(db, {log}).status == 0);
  std::filesystem::remove(log);
  CHECK(query(db, {"-s", "d6b3"}).out == before);
}

TEST_CASE("killed at any moment, indexing again gives the same index", "[e2e][index]") {
  TempDir tmp;
  const std::string log = tmp.path("big.log");
  REQUIRE(run("/bin/sh", {"-c", fmt::format("'{}' --bytes 40000000 --seed 5 > '{}'", TRACEGREP_LOGGEN, log)})
              .status == 0);
  const std::string clean = tmp.path("clean.db");
  REQUIRE(index(clean, {log}).status == 0);
  const std::string expected = query(clean, {"-c", "--no-filename"}).out;
  const std::string expected_session = query(clean, {"-s", "0", "-n"}).out;
  for (const int ms : {20, 150, 400, 900}) {
    const std::string db = tmp.path(fmt::format("k{}.db", ms));
    {
      Live p(TRACEGREP_BIN, {"index", "-q", "--db", db, log});
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      p.kill_hard();
      p.wait();
    }
    const auto r = index(db, {log});
    SHOW(r);
    CHECK(r.status == 0);
    INFO("killed after " << ms << " ms");
    CHECK(query(db, {"-c", "--no-filename"}).out == expected);
    CHECK(query(db, {"-s", "0", "-n"}).out == expected_session);
  }
}

TEST_CASE("two writers at once: one waits, nothing is doubled, readers read meanwhile", "[e2e][index]") {
  TempDir tmp;
  const std::string log = tmp.path("big.log");
  REQUIRE(run("/bin/sh", {"-c", fmt::format("'{}' --bytes 20000000 --seed 6 > '{}'", TRACEGREP_LOGGEN, log)})
              .status == 0);
  const std::string db = tmp.path("i.db");
  Result a, b;
  std::thread ta([&] { a = index(db, {log}); });
  std::thread tb([&] { b = index(db, {log}); });
  std::this_thread::sleep_for(100ms);
  const auto reader = query(db, {"-c"});
  ta.join();
  tb.join();
  CHECK(a.status == 0);
  CHECK(b.status == 0);
  CHECK((reader.status == 0 || reader.status == 1 || reader.err.find("no index here") != std::string::npos));
  CHECK(query(db, {"-c", "--no-filename"}).out == run_tracegrep({"-c", log}).out);
}

TEST_CASE("standard input is indexed live, committed at least once a second", "[e2e][index]") {
  TempDir tmp;
  const std::string db = tmp.path("i.db");
  Live p(TRACEGREP_BIN, {"index", "-q", "--db", db, "-"});
  p.write(entry(1) + entry(2));
  std::string seen;
  for (int i = 0; i < 40 && seen != "2\n"; ++i) {
    std::this_thread::sleep_for(100ms);
    seen = query(db, {"-c", "--no-filename"}).out;
  }
  CHECK(seen == "2\n");
  p.write(entry(3));
  CHECK(p.wait() == 0);
  CHECK(query(db, {"-c", "--no-filename"}).out == "3\n");
}

TEST_CASE("a live input's tail chunk that fills up and closes keeps its entries", "[e2e][index]") {
  // The tail written at one commit closed at a later one, and that batch
  // deleted it as a stale tail before rewriting it: 256 KiB of entries lost
  // every 256 KiB of a pipe, --check silent (found by bench/index-pipe.py).
  TempDir tmp;
  const std::string db = tmp.path("i.db");
  Live p(TRACEGREP_BIN, {"index", "-q", "--db", db, "-"});
  std::string first, rest;
  for (int i = 0; i < 1000; ++i) first += entry(i);
  for (int i = 1000; i < 6000; ++i) rest += entry(i);
  REQUIRE(first.size() < (std::size_t{256} << 10));  // all in the open chunk, written as the tail
  REQUIRE(first.size() + rest.size() > (std::size_t{400} << 10));  // which then closes
  p.write(first);
  std::string seen;
  for (int i = 0; i < 100 && seen != "1000\n"; ++i) {
    std::this_thread::sleep_for(50ms);
    seen = query(db, {"-c", "--no-filename"}).out;
  }
  REQUIRE(seen == "1000\n");  // the tail is committed
  p.write(rest);
  REQUIRE(p.wait() == 0);
  CHECK(query(db, {"-c", "--no-filename"}).out == "6000\n");
  const Result check = run_tracegrep({"index", "--check", "--db", db});
  INFO(check.err);
  CHECK(check.status == 0);
}

TEST_CASE("what is not a tracegrep index is refused and left as it was", "[e2e][index]") {
  TempDir tmp;
  auto check_refused = [&](const std::string& path, const std::string& why) {
    const std::string before = read_file(path);
    const auto q = query(path, {"-s", "x"});
    const auto w = index(path, {testdata("app.log")});
    INFO(why << "\n" << q.err << w.err);
    CHECK(q.status == 2);
    CHECK(w.status == 2);
    CHECK(q.err.rfind("tracegrep: " + path + ": ", 0) == 0);
    CHECK(w.err.find(why) != std::string::npos);
    CHECK(read_file(path) == before);
  };
  write_file(tmp.path("text.db"), "just some text, not a database\n");
  check_refused(tmp.path("text.db"), "not a tracegrep index");
  write_file(tmp.path("empty.db"), "");
  check_refused(tmp.path("empty.db"), "not a tracegrep index");
  {
    sqlite3* d = nullptr;
    sqlite3_open(tmp.path("other.db").c_str(), &d);
    sqlite3_exec(d, "CREATE TABLE t(x); INSERT INTO t VALUES (1);", nullptr, nullptr, nullptr);
    sqlite3_close(d);
  }
  check_refused(tmp.path("other.db"), "another SQLite database");
  REQUIRE(index(tmp.path("newer.db"), {testdata("app.log")}).status == 0);
  edit_index(tmp.path("newer.db"), "PRAGMA user_version=99");
  check_refused(tmp.path("newer.db"), "written by a newer tracegrep");
  // A truncated copy of a real index.
  REQUIRE(index(tmp.path("real.db"), {testdata("app.log"), testdata("worker.log")}).status == 0);
  {
    sqlite3* d = nullptr;
    sqlite3_open(tmp.path("real.db").c_str(), &d);
    sqlite3_exec(d, "PRAGMA wal_checkpoint(TRUNCATE);", nullptr, nullptr, nullptr);
    sqlite3_close(d);
  }
  const std::string real = read_file(tmp.path("real.db"));
  write_file(tmp.path("cut.db"), real.substr(0, 2048));
  check_refused(tmp.path("cut.db"), "not a tracegrep index");
}

TEST_CASE("a damaged index is an error, not a crash", "[e2e][index]") {
  TempDir tmp;
  const std::string db = tmp.path("d.db");
  REQUIRE(index(db, {testdata("app.log"), testdata("worker.log")}).status == 0);
  {
    sqlite3* d = nullptr;
    sqlite3_open(db.c_str(), &d);
    sqlite3_exec(d, "PRAGMA wal_checkpoint(TRUNCATE);", nullptr, nullptr, nullptr);
    sqlite3_close(d);
  }
  std::string bytes = read_file(db);
  for (std::size_t i = 4096; i < bytes.size(); i += 97) bytes[i] = static_cast<char>(bytes[i] ^ 0x55);
  write_file(db, bytes);
  const auto q = query(db, {"-c"});
  SHOW(q);
  CHECK(q.status == 2);
  CHECK(q.err.rfind("tracegrep: " + db + ": ", 0) == 0);
}

TEST_CASE("an index that cannot be written is a clear error", "[e2e][index]") {
  const auto r = index("/proc/no/such/dir/i.db", {testdata("app.log")});
  SHOW(r);
  CHECK(r.status == 2);
  CHECK(r.err.rfind("tracegrep: /proc/no/such/dir/i.db: ", 0) == 0);
}

TEST_CASE("index --status and the default location", "[e2e][index]") {
  TempDir tmp;
  RunOptions o;
  o.env = {"TRACEGREP_DB=" + tmp.path("env.db")};
  REQUIRE(run(TRACEGREP_BIN, {"index", "-q", testdata("app.log")}, o).status == 0);
  const auto st = run(TRACEGREP_BIN, {"index", "--status"}, o);
  SHOW(st);
  CHECK(st.status == 0);
  CHECK(st.out.find("1 file, 1409 entries") != std::string::npos);
  // Lines and entries count the tail chunk too (a small file is all tail).
  CHECK(st.out.find(testdata("app.log") + "  indexed 150065 bytes, 1445 lines, 1409 entries, read as text") !=
        std::string::npos);
  // --json: the same, for scripts.
  const auto js = run(TRACEGREP_BIN, {"index", "--status", "--json"}, o);
  CHECK(js.status == 0);
  CHECK(js.out.find("\"files\":1,\"entries\":1409,") != std::string::npos);
  CHECK(js.out.find("\"indexed_bytes\":150065,\"lines\":1445,\"entries\":1409,\"layout\":\"text\","
                    "\"gzip\":false,\"bytes_now\":150065}") != std::string::npos);
  CHECK(run(TRACEGREP_BIN, {"index", "--json", testdata("app.log")}, o).status == 2);
  // What is new is what was added: one entry appended is one entry new,
  // not the whole tail read again; a .gz says it is one.
  const std::string log = tmp.path("grow.log");
  std::filesystem::copy_file(testdata("app.log"), log);
  RunOptions g = o;
  REQUIRE(run(TRACEGREP_BIN, {"index", log}, g).status == 0);
  {
    std::ofstream f(log, std::ios::app);
    f << "2024-01-15 11:00:00,000 - INFO - [req=n1|session=feed0001] - appended\n";
  }
  const auto again = run(TRACEGREP_BIN, {"index", log}, g);
  CHECK(again.err.find("indexed 1 input: 1 entry new, 0.0 MB of log") != std::string::npos);
  std::filesystem::copy_file(testdata("app.log.gz"), tmp.path("copy.log.gz"));
  RunOptions gz;
  gz.env = {"TRACEGREP_DB=" + tmp.path("gz.db")};
  REQUIRE(run(TRACEGREP_BIN, {"index", "-q", tmp.path("copy.log.gz")}, gz).status == 0);
  const auto gst = run(TRACEGREP_BIN, {"index", "--status"}, gz);
  CHECK(gst.out.find("indexed 150065 bytes, 1445 lines, 1409 entries, read as text  (gzip, ") !=
        std::string::npos);
  RunOptions xdg;
  xdg.env = {"XDG_DATA_HOME=" + tmp.path("xdg")};
  REQUIRE(run(TRACEGREP_BIN, {"index", "-q", testdata("worker.log")}, xdg).status == 0);
  CHECK(std::filesystem::exists(tmp.path("xdg/tracegrep/index.db")));
}

TEST_CASE("a full disk is a clear error and the index stays as it was", "[e2e][index]") {
  TempDir tmp;
  const std::string db = tmp.path("i.db");
  REQUIRE(index(db, {testdata("app.log")}).status == 0);
  const std::string before = query(db, {"-c"}).out;
  const std::string big = tmp.path("big.log");
  REQUIRE(run("/bin/sh", {"-c", fmt::format("'{}' --bytes 30000000 --seed 8 > '{}'", TRACEGREP_LOGGEN, big)})
              .status == 0);
  // Files of at most 2 MB: the index cannot grow past that, as on a full disk.
  const auto r =
      run("/bin/sh",
          {"-c", fmt::format("ulimit -f 2048; exec '{}' index -q --db '{}' '{}'", TRACEGREP_BIN, db, big)});
  SHOW(r);
  CHECK(r.status == 2);
  CHECK(r.err.rfind("tracegrep: " + db + ": ", 0) == 0);
  // Whole batches only: what is there is exactly what a scan gives for the
  // part of the big log that made it in, and the first log is intact.
  CHECK(query(db, {"-c", "--no-filename"}).out.rfind(before.substr(before.find(':') + 1), 0) == 0);
  const auto again = index(db, {big});
  CHECK(again.status == 0);
  CHECK(query(db, {"-c", "-s", "0", "--no-filename"}).out.find(run_tracegrep({"-c", "-s", "0", big}).out) !=
        std::string::npos);
}

TEST_CASE("from a terminal with no FILE, the default index is searched", "[e2e][index]") {
  TempDir tmp;
  RunOptions o;
  o.env = {"TRACEGREP_DB=" + tmp.path("env.db")};
  REQUIRE(run(TRACEGREP_BIN, {"index", "-q", testdata("app.log")}, o).status == 0);
  // script(1) gives the command a terminal for standard input.
  const auto r = run("/usr/bin/script",
                     {"-qec", fmt::format("'{}' -c --color=never -s d6b3", TRACEGREP_BIN), "/dev/null"}, o);
  SHOW(r);
  CHECK(r.status == 0);
  CHECK(r.out.find("66") != std::string::npos);
}

TEST_CASE("private by default: a new index, its WAL and lock files, and the default folder are the owner's",
          "[e2e][index]") {
  // Logs are often readable by their owner alone; the index holds their text.
  TempDir tmp;
  const auto mode = [](const std::string& p) {
    return std::filesystem::status(p).permissions() & std::filesystem::perms::all;
  };
  for (const char* umask : {"022", "000"}) {
    INFO("umask " << umask);
    const std::string db = tmp.path(std::string("u") + umask + ".db");
    const Result r = run("/bin/sh", {"-c", fmt::format("umask {}; '{}' index -q --db '{}' '{}'", umask,
                                                       TRACEGREP_BIN, db, testdata("app.log"))});
    REQUIRE(r.status == 0);
    CHECK(mode(db) == (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    CHECK(mode(db + ".lock") == (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    if (std::filesystem::exists(db + "-wal"))
      CHECK(mode(db + "-wal") == (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  }
  RunOptions xdg;
  xdg.env = {"XDG_DATA_HOME=" + tmp.path("xdg")};
  REQUIRE(run("/bin/sh",
              {"-c", fmt::format("umask 022; '{}' index -q '{}'", TRACEGREP_BIN, testdata("app.log"))}, xdg)
              .status == 0);
  CHECK(mode(tmp.path("xdg/tracegrep")) == std::filesystem::perms::owner_all);
}

namespace {

// Flips one bit in the middle of chunk `id`'s compressed bytes, through
// SQLite: the pages stay valid (integrity_check passes, their checksums are
// set again), the chunk does not.
void damage_chunk(const std::string& db, std::int64_t id) {
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(h, "SELECT data FROM chunks WHERE id = ?", -1, &s, nullptr) == SQLITE_OK);
  sqlite3_bind_int64(s, 1, id);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  std::string data(static_cast<const char*>(sqlite3_column_blob(s, 0)),
                   static_cast<std::size_t>(sqlite3_column_bytes(s, 0)));
  sqlite3_finalize(s);
  data[data.size() / 2] ^= 0x20;
  REQUIRE(sqlite3_prepare_v2(h, "UPDATE chunks SET data = ? WHERE id = ?", -1, &s, nullptr) == SQLITE_OK);
  sqlite3_bind_blob(s, 1, data.data(), static_cast<int>(data.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, id);
  REQUIRE(sqlite3_step(s) == SQLITE_DONE);
  sqlite3_finalize(s);
  sqlite3_exec(h, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
  sqlite3_close(h);
  reseal_page_checksums(db);
}

std::set<std::string> lines_set(const std::string& text) {
  const std::vector<std::string> lines = lines_of(text);
  return {lines.begin(), lines.end()};
}

}  // namespace

TEST_CASE("a damaged chunk is found by its checksum: named, left out, never read as text", "[e2e][index]") {
  TempDir tmp;
  const std::string log = tmp.path("big.log"), db = tmp.path("i.db");
  REQUIRE(run("/bin/sh", {"-c", fmt::format("'{}' --bytes 3000000 --seed 11 > '{}'", TRACEGREP_LOGGEN, log)})
              .status == 0);
  REQUIRE(index(db, {log}).status == 0);
  const Result clean = run_tracegrep({"index", "--check", "--db", db});
  CHECK(clean.status == 0);
  CHECK(clean.err.find("no damage") != std::string::npos);
  const Result scan = run_tracegrep({"-e", "a", "--no-filename", log});  // nearly every entry
  REQUIRE(scan.status == 0);
  for (const std::int64_t chunk : {2, 5}) damage_chunk(db, chunk);
  const std::string before = read_file(db);
  // A query prints what the other chunks hold, each entry as in the log,
  // and says which chunks it left out: exit 2.
  const Result q = run_tracegrep({"--db", db, "-e", "a", "--no-filename"});
  CHECK(q.status == 2);
  CHECK(q.err.find("chunk 2 (") != std::string::npos);
  CHECK(q.err.find("is damaged and 1 more: its entries are left out; run 'tracegrep index --check --db") !=
        std::string::npos);
  const auto all = lines_set(scan.out);
  const auto got = lines_set(q.out);
  CHECK(got.size() > all.size() / 2);
  CHECK(got.size() < all.size());
  for (const std::string& line : got) {
    INFO(line);
    CHECK(all.count(line) == 1);  // nothing altered
  }
  // --check names both, says how to mend, and changes nothing.
  const Result check = run_tracegrep({"index", "--check", "--db", db});
  CHECK(check.status == 2);
  CHECK(check.err.find("chunk 2 (") != std::string::npos);
  CHECK(check.err.find("chunk 5 (") != std::string::npos);
  CHECK(check.err.find("--forget") != std::string::npos);
  CHECK(read_file(db) == before);
  // The way it says mends it.
  REQUIRE(run_tracegrep({"index", "-q", "--db", db, "--forget", log}).status == 0);
  REQUIRE(index(db, {log}).status == 0);
  CHECK(run_tracegrep({"index", "--check", "--db", db}).status == 0);
  CHECK(run_tracegrep({"--db", db, "-e", "a", "--no-filename"}).out == scan.out);
  // Postings that lost an id are found too: a query by it would miss entries.
  edit_index(db,
             "DELETE FROM postings WHERE (kind, key) IN "
             "(SELECT kind, key FROM postings WHERE kind = 1 LIMIT 1)");
  const Result lost = run_tracegrep({"index", "--check", "--db", db});
  CHECK(lost.status == 2);
  CHECK(lost.err.find("holds it, its postings do not say so") != std::string::npos);
}

TEST_CASE("a damaged page is found by its checksum, whatever table it holds: an error, never another answer",
          "[e2e][index]") {
  // SQLite checks structure, not content: a flipped byte in a posting list
  // or a summary row once read back as another id or number, exit 0.
  TempDir tmp;
  const std::string db = tmp.path("i.db"), copy = tmp.path("copy.db");
  REQUIRE(index(db, {testdata("app.log"), testdata("worker.log")}).status == 0);
  const std::string intact = read_file(db);
  REQUIRE(static_cast<unsigned char>(intact[20]) == 8);  // 8 reserved bytes a page: the checksum
  const std::size_t page = 16384;
  REQUIRE(intact.size() % page == 0);
  const std::vector<std::vector<std::string>> queries = {{"-s", "12345678"},
                                                         {"-r", "a1b2c3d4"},
                                                         {"requests", "--slowest", "3"},
                                                         {"sessions"},
                                                         {"index", "--status"}};
  std::vector<Result> reference;
  auto ask = [](const std::string& d, const std::vector<std::string>& q) {
    return run_tracegrep(concat(q, {"--db", d}));
  };
  for (const auto& q : queries) reference.push_back(ask(db, q));
  std::vector<int> refused(queries.size(), 0);
  for (std::size_t at = page; at < intact.size(); at += page) {
    std::string bytes = intact;
    bytes[at + page / 3] = static_cast<char>(bytes[at + page / 3] ^ 0x08);
    write_file(copy, bytes);
    const std::string named = "the page at byte " + std::to_string(at) + " is damaged";
    for (std::size_t i = 0; i < queries.size(); ++i) {
      Result r = ask(copy, queries[i]);
      INFO("page at " << at << ", tracegrep " << fmt::format("{}", fmt::join(queries[i], " ")) << "\n"
                      << r.out << r.err);
      if (r.status == 2) {
        CHECK(r.err.find(named) != std::string::npos);
        ++refused[i];
      } else {
        for (std::size_t p = 0; (p = r.out.find(copy, p)) != std::string::npos;)
          r.out.replace(p, copy.size(), db);
        CHECK(r.status == reference[i].status);
        CHECK(r.out == reference[i].out);
      }
    }
    const Result check = run_tracegrep({"index", "--check", "--db", copy});
    INFO(check.err);
    CHECK(check.status == 2);
    CHECK(check.err.find(named) != std::string::npos);
    CHECK(read_file(copy) == bytes);  // read-only: the bytes stay
  }
  // Every query read some page that, damaged, it refused.
  for (std::size_t i = 0; i < queries.size(); ++i) CHECK(refused[i] > 0);
}

TEST_CASE("index --check finds summaries that disagree with the entries", "[e2e][index][summary]") {
  TempDir tmp;
  const std::string db = tmp.path("i.db"), log = tmp.path("big.log");
  // Closed chunks (their summaries in the tables) and a tail (in tail_parts).
  REQUIRE(run("/bin/sh", {"-c", fmt::format("'{}' --bytes 3000000 > '{}'", TRACEGREP_LOGGEN, log)}).status ==
          0);
  REQUIRE(index(db, {log}).status == 0);
  const Result clean = run_tracegrep({"index", "--check", "--db", db});
  INFO(clean.err);
  CHECK(clean.status == 0);
  CHECK(clean.err.find(" summaries as their entries give them") != std::string::npos);
  // A summary that counts one entry too many, its pages resealed: only the
  // comparison with the chunks can tell.
  for (const char* edit :
       {"UPDATE requests SET entries = entries + 1 WHERE request = (SELECT min(request) FROM requests)",
        "UPDATE tail_parts SET entries = entries + 1 WHERE rowid = (SELECT min(rowid) FROM tail_parts)"}) {
    const std::string copy = tmp.path("copy.db");
    std::filesystem::copy_file(db, copy, std::filesystem::copy_options::overwrite_existing);
    edit_index(copy, edit);
    const Result wrong = run_tracegrep({"index", "--check", "--db", copy});
    INFO(edit << "\n" << wrong.err);
    CHECK(wrong.status == 2);
    CHECK(wrong.err.find(": the summary says ") != std::string::npos);
    CHECK(wrong.err.find("the summaries disagree with the entries") != std::string::npos);
  }
}

TEST_CASE("index --check finds bytes of a file in no chunk, or in two", "[e2e][index]") {
  TempDir tmp;
  const std::string db = tmp.path("i.db"), log = tmp.path("big.log");
  REQUIRE(run("/bin/sh", {"-c", fmt::format("'{}' --bytes 3000000 > '{}'", TRACEGREP_LOGGEN, log)}).status ==
          0);
  REQUIRE(index(db, {log}).status == 0);
  struct Case {
    const char* edit;
    const char* found;
  };
  // A chunk gone (with what points at it: only the coverage can tell), and
  // a chunk held twice under another id.
  for (const Case& c :
       {Case{"DELETE FROM chunks WHERE id = (SELECT min(id) + 1 FROM chunks)",
             "are in no chunk (entries lost) before chunk "},
        Case{"INSERT INTO chunks SELECT (SELECT max(id) + 1 FROM chunks), file, offset, line, "
             "entries, raw_size, data FROM chunks WHERE id = (SELECT min(id) + 1 FROM chunks)",
             "that the chunk before it holds too (entries doubled)"}}) {
    const std::string copy = tmp.path("copy.db");
    std::filesystem::copy_file(db, copy, std::filesystem::copy_options::overwrite_existing);
    edit_index(copy, c.edit);
    const Result r = run_tracegrep({"index", "--check", "--db", copy});
    INFO(c.edit << "\n" << r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find(log + ": ") != std::string::npos);
    CHECK(r.err.find(c.found) != std::string::npos);
  }
}

TEST_CASE("index warns when the index lets users read a log they cannot", "[e2e][index]") {
  TempDir tmp;
  const std::string log = tmp.path("private.log"), db = tmp.path("i.db");
  std::filesystem::copy_file(std::string(TRACEGREP_TESTDATA) + "/app.log", log);
  ::chmod(log.c_str(), 0600);
  REQUIRE(index(db, {log}).status == 0);  // a new index is 0600: nothing to say
  CHECK(run_tracegrep({"index", "-q", "--db", db, log}).err.empty());
  for (const mode_t mode : {0644, 0640}) {
    ::chmod(db.c_str(), mode);
    const Result r = run_tracegrep({"index", "-q", "--db", db, log});
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(r.err.find(fmt::format("readable by {} (mode {:04o}) who cannot read",
                                 mode == 0644 ? "every user" : "its group", mode)) != std::string::npos);
    CHECK(r.err.find("chmod 600") != std::string::npos);
  }
  ::chmod(log.c_str(), 0644);  // the log is everyone's anyway
  CHECK(run_tracegrep({"index", "-q", "--db", db, log}).err.empty());
}

TEST_CASE("merge: files, gzip, stdin and the index interleaved by time, each file's order kept",
          "[e2e][merge]") {
  TempDir tmp;
  REQUIRE(run("/bin/sh",
              {"-c", fmt::format("cd '{0}' && '{1}' --bytes 3000000 --seed 1 --service api > api.log && "
                                 "'{1}' --bytes 3000000 --seed 2 --service pay | gzip > pay.log.gz",
                                 tmp.path(""), TRACEGREP_LOGGEN)})
              .status == 0);
  RunOptions here;
  here.cwd = tmp.path("");
  const Result merged = run(TRACEGREP_BIN, {"--merge", "api.log", "pay.log.gz"}, here);
  REQUIRE(merged.status == 0);
  // Entry lines in time order; each file's lines, in its own order, are
  // what searching it alone prints.
  std::string last;
  std::map<std::string, std::string> by_file;
  std::size_t entries = 0;
  for (const std::string& l : lines_of(merged.out)) {
    const std::string file = l.rfind("api.log", 0) == 0 ? "api.log" : "pay.log.gz";
    REQUIRE(l.rfind(file, 0) == 0);
    by_file[file] += l + "\n";
    const std::string rest = l.substr(file.size() + 1);
    if (l[file.size()] != ':') continue;  // a continuation line: "FILE-..."
    ++entries;
    const std::string ts = rest.substr(0, 23);
    CHECK(ts >= last);
    last = ts;
  }
  CHECK(entries > 20000);
  for (const char* f : {"api.log", "pay.log.gz"})
    CHECK(by_file[f] == run(TRACEGREP_BIN, {"-H", f}, here).out);
  // Standard input is one input among the others, named as grep names it.
  RunOptions piped = here;
  piped.input = read_file(tmp.path("api.log"));
  const Result with_stdin = run(TRACEGREP_BIN, {"--merge", "-", "pay.log.gz"}, piped);
  CHECK(with_stdin.status == 0);
  std::string renamed;
  for (const std::string& l : lines_of(with_stdin.out))
    renamed += (l.rfind("(standard input)", 0) == 0 ? "api.log" + l.substr(16) : l) + "\n";
  CHECK(renamed == merged.out);
  // The index answers as the files do, whole or for two sessions (one from each file).
  REQUIRE(index(tmp.path("i.db"), {"api.log", "pay.log.gz"}, tmp.path("")).status == 0);
  CHECK(run(TRACEGREP_BIN, {"--merge", "--db", tmp.path("i.db")}, here).out == merged.out);
  std::vector<std::string> args = {"--merge"};
  for (const char* f : {"api.log", "pay.log.gz"}) {
    const std::string& text = by_file[f];
    const auto at = text.find("|session=", text.find("[req="));
    REQUIRE(at != std::string::npos);
    args.insert(args.end(), {"-s", text.substr(at + 9, 8)});
  }
  const Result from_files = run(TRACEGREP_BIN, concat(args, {"api.log", "pay.log.gz"}), here);
  const Result from_index = run(TRACEGREP_BIN, concat(args, {"--db", tmp.path("i.db")}), here);
  CHECK(from_files.status == 0);
  CHECK(from_files.out.find("api.log:") != std::string::npos);
  CHECK(from_files.out.find("pay.log.gz:") != std::string::npos);
  CHECK(from_index.out == from_files.out);
  // What cannot be merged is refused.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--merge", "-c", "api.log", "pay.log.gz"},
        std::vector<std::string>{"--merge", "-C", "1", "api.log", "pay.log.gz"},
        std::vector<std::string>{"--merge", "--follow", "api.log", "pay.log.gz"}}) {
    const Result r = run(TRACEGREP_BIN, args, here);
    CHECK(r.status == 2);
    CHECK(r.err.find("tracegrep: --merge interleaves entries by time, and ") == 0);
  }
}
