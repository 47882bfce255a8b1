// The index's summaries through the real binary: `requests` and `sessions`
// answered from them print exactly what computing from the entries prints
// (a scan of the same files), whatever the split of requests over chunks,
// batches, files, runs and a file's tail; an index from before summaries is
// read as it is and upgraded by `index`.
#include <fmt/format.h>
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/index_edit.hpp"
#include "support/subprocess.hpp"

using namespace tracegrep::test;

namespace {

#define SHOW(r) INFO("status " << (r).status << "\n--- stdout\n" << (r).out << "--- stderr\n" << (r).err)

void generate(const std::string& path, const std::string& args) {
  REQUIRE(run("/bin/sh", {"-c", fmt::format("'{}' {} > '{}'", TRACEGREP_LOGGEN, args, path)}).status == 0);
}

const std::vector<std::vector<std::string>> kQueries = {
    {"requests"},
    {"requests", "--json"},
    {"requests", "--slowest", "10"},
    {"requests", "--slowest", "1"},
    {"requests", "--slowest", "25", "-l", "error"},
    {"requests", "-l", "critical"},
    {"sessions"},
    {"sessions", "--json"},
    {"sessions", "-l", "critical"},
    {"sessions", "-s", "d6b3169782347c4d145c01a599f4a231"},
    {"sessions", "-s", "d6b3", "--json"},
    {"requests", "--slowest", "3", "--level", "nosuch"},
};

// Every query against the index and against a scan of `files` (run in `cwd`).
void check_same(const std::string& db, const std::vector<std::string>& files, const std::string& cwd = {}) {
  RunOptions o;
  o.cwd = cwd;
  for (const auto& q : kQueries) {
    const Result from_index = run(TRACEGREP_BIN, concat(q, {"--db", db}), o);
    const Result from_scan = run(TRACEGREP_BIN, concat(q, files), o);
    INFO(fmt::format("query: {}\n--- index ({} lines)\n{:.3000}--- scan ({} lines)\n{:.3000}--- stderr\n{}",
                     fmt::join(q, " "), std::count(from_index.out.begin(), from_index.out.end(), '\n'),
                     from_index.out, std::count(from_scan.out.begin(), from_scan.out.end(), '\n'),
                     from_scan.out, from_index.err));
    CHECK(from_index.status == from_scan.status);
    CHECK(from_index.out == from_scan.out);
  }
}

}  // namespace

TEST_CASE("requests and sessions from the index's summaries print what the entries give",
          "[e2e][index][summary]") {
  TempDir tmp;
  const std::string db = tmp.path("i.db");
  // Requests that span chunks and batches (16 MB), two services, a
  // high-cardinality log (20,000 sessions at once), and the test data's
  // edge cases (untimed entries, ids without sessions, hostile text).
  const std::string api = tmp.path("api.log"), worker = tmp.path("worker.log"), busy = tmp.path("busy.log");
  generate(api, "--bytes 20000000 --seed 11");
  generate(worker, "--bytes 3000000 --seed 11 --service worker");
  generate(busy, "--bytes 6000000 --seed 12 --high-cardinality");
  const std::string whole = read_file(api);
  // The first run sees the first 9 MB of the api log: its tail chunk is
  // summarised apart, and read again by the second run.
  const std::size_t cut = whole.find('\n', 9'000'000) + 1;
  {
    std::ofstream f(api, std::ios::binary | std::ios::trunc);
    f << whole.substr(0, cut);
  }
  std::vector<std::string> files = {api,
                                    worker,
                                    testdata("app.log"),
                                    testdata("edge/broken.log"),
                                    testdata("edge/hostile.log"),
                                    testdata("edge/python-layouts.log")};
  SECTION("over several runs, files and services") {
    REQUIRE(index(db, {api, worker}).status == 0);
    check_same(db, {api, worker});  // with the api log's tail apart
    {
      std::ofstream f(api, std::ios::binary | std::ios::app);
      f << whole.substr(cut);
    }
    REQUIRE(index(db, files).status == 0);
    check_same(db, files);
    files.push_back(busy);
    REQUIRE(index(db, {busy}).status == 0);
    check_same(db, files);
    // They are answered from the summaries, not from the entries: with the
    // chunks gone, the requests are still listed (an -s lookup is not).
    const Result before = run_tracegrep({"requests", "--slowest", "5", "--db", db});
    edit_index(db, "DELETE FROM chunks");
    const Result after = run_tracegrep({"requests", "--slowest", "5", "--db", db});
    CHECK(after.status == 0);
    CHECK(after.out == before.out);
    CHECK(run_tracegrep({"requests", "-s", "d6b3", "--db", db}).status == 1);
  }
  SECTION("from a pipe, committed as it comes") {
    RunOptions o =
        with_stdin(whole.substr(0, whole.find('\n', 4'000'000) + 1) + read_file(testdata("app.log")));
    const Result r = run(TRACEGREP_BIN, {"index", "-q", "--db", db, "-"}, o);
    SHOW(r);
    REQUIRE(r.status == 0);
    const std::string copy = tmp.path("copy.log");
    {
      std::ofstream f(copy, std::ios::binary);
      f << o.input;
    }
    for (const auto& q : kQueries) {
      const Result from_index = run(TRACEGREP_BIN, concat(q, {"--db", db}));
      const Result from_scan = run(TRACEGREP_BIN, q, with_stdin(o.input));
      INFO(fmt::format("query: {}\n--- index\n{:.2000}--- scan\n{:.2000}", fmt::join(q, " "), from_index.out,
                       from_scan.out));
      CHECK(from_index.status == from_scan.status);
      CHECK(from_index.out == from_scan.out);
    }
  }
}

TEST_CASE("an index from before summaries is read as it is and upgraded by index", "[e2e][index][summary]") {
  TempDir tmp;
  // testdata/index-v1/v1.db: testdata/app.log and testdata/worker.log
  // indexed by tracegrep 0.x (schema 1), from the project's root.
  const std::string root = std::filesystem::path(TRACEGREP_TESTDATA).parent_path().string();
  const std::string db = tmp.path("v1.db");
  std::filesystem::copy_file(testdata("index-v1/v1.db"), db);
  const std::string bytes = read_file(db);
  RunOptions o;
  o.cwd = root;
  std::vector<Result> before;
  for (const auto& q : kQueries) before.push_back(run(TRACEGREP_BIN, concat(q, {"--db", db}), o));
  CHECK(before[0].status == 0);
  CHECK(before[0].out.find("testdata/app.log") != std::string::npos);
  CHECK(read_file(db) == bytes);                           // read-only commands leave it as it is
  const Result r = index(db, {"testdata/app.log"}, root);  // nothing new: only the upgrade
  SHOW(r);
  REQUIRE(r.status == 0);
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &s, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  CHECK(sqlite3_column_int(s, 0) == 2);
  sqlite3_finalize(s);
  sqlite3_close(h);
  for (std::size_t i = 0; i < kQueries.size(); ++i) {
    const Result after = run(TRACEGREP_BIN, concat(kQueries[i], {"--db", db}), o);
    INFO(fmt::format("query: {}\n--- before\n{:.2000}--- after\n{:.2000}", fmt::join(kQueries[i], " "),
                     before[i].out, after.out));
    CHECK(after.status == before[i].status);
    CHECK(after.out == before[i].out);
  }
  check_same(db, {"testdata/app.log", "testdata/worker.log"}, root);
}

TEST_CASE("several indexes answer as one index of their files would", "[e2e][index][summary]") {
  TempDir tmp;
  const std::string a = tmp.path("a.db"), b = tmp.path("b.db"), one = tmp.path("one.db");
  // Per-host indexes gathered in one place: a request and a session that
  // cross the two (edge/svc-*.log), and whole logs on each side.
  const std::vector<std::string> first = {"app.log", "edge/svc-api.log"};
  const std::vector<std::string> second = {"worker.log", "edge/svc-payments.log"};
  REQUIRE(index(a, first).status == 0);
  REQUIRE(index(b, second).status == 0);
  const std::vector<std::string> all = concat(first, second);
  REQUIRE(index(one, all).status == 0);
  const std::vector<std::vector<std::string>> queries = {
      {"-s", "abcdef01"},
      {"-r", "x0000001", "--json"},
      {"-c"},
      {"-l", "error", "-n"},
      {"timeline", "-r", "x0000001"},
      {"timeline", "-s", "abcdef01", "--entries", "--json"},
      {"requests"},
      {"requests", "--slowest", "5", "-l", "warning"},
      {"requests", "-s", "5d0d"},
      {"sessions"},
      {"sessions", "-l", "error", "--json"},
  };
  for (const auto& q : queries) {
    const Result both = run_tracegrep(concat(q, {"--db", a, "--db", b}));
    const Result single = run_tracegrep(concat(q, {"--db", one}));
    const Result scan = run_tracegrep(concat(q, all));
    INFO(fmt::format("query: {}\n--- --db a --db b\n{:.2000}--- scan\n{:.2000}--- stderr\n{}",
                     fmt::join(q, " "), both.out, scan.out, both.err));
    CHECK(both.status == 0);
    CHECK(both.out == scan.out);
    CHECK(both.out == single.out);
  }
  // index writes one: refused, the first left as it was.
  const Result refused = run(TRACEGREP_BIN, {"index", "--db", a, "--db", b, "app.log"});
  CHECK(refused.status == 2);
  CHECK(refused.err.find("index writes one index") != std::string::npos);
  // One of them missing: named, exit 2.
  const Result missing = run_tracegrep({"-s", "abcdef01", "--db", a, "--db", tmp.path("nosuch.db")});
  CHECK(missing.status == 2);
  CHECK(missing.err.find("nosuch.db: no index here") != std::string::npos);
}

TEST_CASE("index --forget-before removes old entries, their postings and summaries, and shrinks the index",
          "[e2e][index][retention]") {
  TempDir tmp;
  const std::string db = tmp.path("i.db");
  generate(tmp.path("api.log"), "--bytes 12000000 --seed 21");  // 09:00 to about 09:36
  const std::string cut = "2024-01-15 09:20";
  REQUIRE(index(db, {"api.log"}, tmp.path("")).status == 0);
  RunOptions in_tmp;
  in_tmp.cwd = tmp.path("");
  auto q = [&](std::vector<std::string> args) {
    return run(TRACEGREP_BIN, concat(args, {"--db", db}), in_tmp);
  };
  const std::string newer = run(TRACEGREP_BIN, {"-c", "--since", cut, "api.log"}, in_tmp).out;
  const std::string all = q({"-c"}).out;
  const auto size_before = std::filesystem::file_size(db);
  const Result r = run(TRACEGREP_BIN, {"index", "--db", db, "--forget-before", cut}, in_tmp);
  SHOW(r);
  REQUIRE(r.status == 0);
  CHECK(r.err.find("forgot ") != std::string::npos);
  CHECK(std::filesystem::file_size(db) < size_before * 3 / 4);  // 20 of 36 minutes gone, the space given back
  CHECK(q({"-c"}).out != all);
  CHECK(q({"-c", "--since", cut}).out == newer);                 // nothing newer is ever removed
  CHECK(q({"-c", "--until", "2024-01-15 09:10"}).out == "0\n");  // whole chunks before the cut are gone
  // The summaries are what the remaining entries give: the entries printed
  // from the index, scanned under the same name elsewhere.
  const std::string rest_dir = tmp.path("rest");
  std::filesystem::create_directory(rest_dir);
  write_file(rest_dir + "/api.log", q({}).out);
  RunOptions in_rest;
  in_rest.cwd = rest_dir;
  for (const auto& query : kQueries) {
    const Result from_index = q(query);
    const Result from_scan = run(TRACEGREP_BIN, concat(query, {"api.log"}), in_rest);
    INFO(fmt::format("query: {}\n--- index\n{:.2000}--- scan\n{:.2000}", fmt::join(query, " "),
                     from_index.out, from_scan.out));
    CHECK(from_index.status == from_scan.status);
    CHECK(from_index.out == from_scan.out);
  }
  // Postings of the forgotten chunks are gone: a session seen only before the cut is not found.
  // Indexing the file again adds nothing old: it is known by its first 4 KiB.
  const std::string left = q({"-c"}).out;
  REQUIRE(index(db, {"api.log"}, tmp.path("")).status == 0);
  CHECK(q({"-c"}).out == left);
  // A bad time is refused, the index untouched.
  const std::string bytes = read_file(db);
  const Result bad = run(TRACEGREP_BIN, {"index", "--db", db, "--forget-before", "last tuesday"}, in_tmp);
  CHECK(bad.status == 2);
  CHECK(bad.err.find("not a time") != std::string::npos);
  CHECK(read_file(db) == bytes);
}

TEST_CASE("index --forget FILE drops one file's data, and indexing it again adds it back",
          "[e2e][index][retention]") {
  TempDir tmp;
  const std::string db = tmp.path("i.db");
  REQUIRE(index(db, {"app.log", "worker.log"}).status == 0);
  const Result r = run(TRACEGREP_BIN, {"index", "--db", db, "--forget", "worker.log"});
  SHOW(r);
  REQUIRE(r.status == 0);
  CHECK(run_tracegrep({"-c", "--db", db}).out == run_tracegrep({"-c", "app.log"}).out);
  CHECK(run_tracegrep({"sessions", "--db", db}).out == run_tracegrep({"sessions", "app.log"}).out);
  CHECK(run_tracegrep({"requests", "--db", db}).out == run_tracegrep({"requests", "app.log"}).out);
  const Result missing = run(TRACEGREP_BIN, {"index", "--db", db, "--forget", "nosuch.log"});
  CHECK(missing.status == 2);
  CHECK(missing.err.find("nosuch.log: not in the index") != std::string::npos);
  REQUIRE(index(db, {"worker.log"}).status == 0);
  CHECK(run_tracegrep({"requests", "--db", db}).out ==
        run_tracegrep({"requests", "app.log", "worker.log"}).out);
}

TEST_CASE("index --forget-before killed at any moment leaves the index before or after, never between",
          "[e2e][index][retention]") {
  TempDir tmp;
  const std::string db = tmp.path("i.db");
  generate(tmp.path("api.log"), "--bytes 16000000 --seed 22");
  REQUIRE(index(db, {"api.log"}, tmp.path("")).status == 0);
  const std::vector<std::string> checks = {"requests", "--slowest", "5"};
  auto answer = [&](const std::string& which) {
    return run_tracegrep({"-c", "--db", which}).out + run_tracegrep(concat(checks, {"--db", which})).out +
           run_tracegrep({"sessions", "-l", "critical", "--db", which}).out;
  };
  const std::string before = answer(db);
  const std::string after_db = tmp.path("after.db");
  std::filesystem::copy_file(db, after_db);
  REQUIRE(
      run(TRACEGREP_BIN, {"index", "-q", "--db", after_db, "--forget-before", "2024-01-15 09:30"}).status ==
      0);
  const std::string after = answer(after_db);
  REQUIRE(before != after);
  int saw_before = 0, saw_after = 0;
  for (const int ms : {1, 10, 30, 60, 100, 150, 250, 400}) {
    const std::string copy = tmp.path("copy-" + std::to_string(ms) + ".db");
    std::filesystem::copy_file(db, copy);
    {
      Live p(TRACEGREP_BIN, {"index", "-q", "--db", copy, "--forget-before", "2024-01-15 09:30"});
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      p.kill_hard();
      p.wait();
    }
    INFO("killed after " << ms << " ms");
    const std::string got = answer(copy);
    CHECK((got == before || got == after));
    saw_before += got == before;
    saw_after += got == after;
    // And it can be run again to the end.
    REQUIRE(run(TRACEGREP_BIN, {"index", "-q", "--db", copy, "--forget-before", "2024-01-15 09:30"}).status ==
            0);
    CHECK(answer(copy) == after);
  }
  INFO("before " << saw_before << ", after " << saw_after);
  CHECK(saw_before + saw_after == 8);
}
