// The index's parts, each alone: the chunk's id set, postings encoding, and
// the chunker with its batch writer against a real SQLite store.
#include <fmt/format.h>
#include <unistd.h>
#include <zstd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>

#include "index/chunk.hpp"
#include "index/chunker.hpp"
#include "index/postings.hpp"
#include "index/store.hpp"

using namespace tracegrep;
using namespace tracegrep::index;

namespace {

// Adds `id` to the chunk as the ingest does: the text is appended, the key
// points into it. `hash` forces a hash (collisions on purpose).
void add_id(Chunk& c, std::string_view id, Kind kind, std::optional<std::uint64_t> hash = std::nullopt) {
  const auto at = static_cast<std::uint32_t>(c.raw.size());
  c.raw.append(id);
  c.raw += ' ';
  c.add({hash ? *hash : hash_id(id, kind), at, static_cast<std::uint32_t>(id.size()), kind},
        std::string_view(c.raw).substr(at, id.size()));
}

std::vector<std::string> keys_of(const Chunk& c) {
  std::vector<std::string> out;
  for (const KeyRef& k : c.keys) out.emplace_back(c.key(k));
  return out;
}

}  // namespace

TEST_CASE("a chunk keeps each id once, in order of appearance, whatever the hashes", "[index]") {
  Chunk c;
  c.raw.reserve(1 << 20);  // keys point into raw: it must not move while ids are added
  add_id(c, "sess0001", Kind::kSession);
  add_id(c, "req00001", Kind::kRequest);
  add_id(c, "sess0001", Kind::kSession);  // again: not kept twice
  add_id(c, "sess0001", Kind::kRequest);  // the same text as a request: another id
  add_id(c, "aaaa", Kind::kSession, 42);  // two ids with one hash: both kept
  add_id(c, "bbbb", Kind::kSession, 42);
  add_id(c, "aaaa", Kind::kSession, 42);
  CHECK(keys_of(c) == std::vector<std::string>{"sess0001", "req00001", "sess0001", "aaaa", "bbbb"});
  CHECK(c.keys[2].kind == Kind::kRequest);
  // Past the first table size: every id still there once (the set rehashes).
  for (int round = 0; round < 2; ++round)
    for (int i = 0; i < 3000; ++i) add_id(c, fmt::format("id{}", i), Kind::kSession);
  CHECK(c.keys.size() == 5 + 3000);
}

TEST_CASE("postings: one run per id, its chunks ascending and each once, shared hashes kept apart",
          "[index]") {
  std::vector<Post> posts = {
      {hash_id("s1", Kind::kSession), 7, "s1", Kind::kSession},
      {hash_id("s1", Kind::kSession), 3, "s1", Kind::kSession},
      {hash_id("s1", Kind::kSession), 7, "s1", Kind::kSession},  // a repeat
      {hash_id("r1", Kind::kRequest), 3, "r1", Kind::kRequest},
      {99, 5, "xx", Kind::kSession},  // three ids under one hash, one of them of another kind
      {99, 2, "yy", Kind::kSession},
      {99, 4, "xx", Kind::kRequest},
      {99, 1, "xx", Kind::kSession},
  };
  const auto runs = encode_postings(posts);
  std::map<std::pair<Kind, std::string>, std::vector<std::int64_t>> got;
  for (const PostingRun& r : runs) {
    std::vector<std::int64_t> ids;
    REQUIRE(decode_ids(r.chunks, ids));
    auto [it, fresh] = got.emplace(std::make_pair(r.kind, std::string(r.key)), ids);
    CHECK(fresh);  // one run per id
  }
  using K = std::pair<Kind, std::string>;
  CHECK(got == std::map<K, std::vector<std::int64_t>>{{{Kind::kSession, "s1"}, {3, 7}},
                                                      {{Kind::kRequest, "r1"}, {3}},
                                                      {{Kind::kSession, "xx"}, {1, 5}},
                                                      {{Kind::kSession, "yy"}, {2}},
                                                      {{Kind::kRequest, "xx"}, {4}}});
}

namespace {
struct TempDb {
  std::string path =
      (std::filesystem::temp_directory_path() / fmt::format("tracegrep-parts-{}.db", ::getpid())).string();
  TempDb() { clean(); }
  ~TempDb() { clean(); }
  void clean() {
    for (const char* s : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(path + s);
  }
};

std::string decompress(std::string_view packed, std::int64_t raw_size) {
  std::string raw(static_cast<std::size_t>(raw_size), '\0');
  const std::size_t n = ZSTD_decompress(raw.data(), raw.size(), packed.data(), packed.size());
  REQUIRE(n == raw.size());
  return raw;
}
}  // namespace

TEST_CASE("the chunker: chunks of whole entries, every entry once, postings that find every id", "[index]") {
  TempDb db;
  Store store(db.path, Access::kWrite);
  FileRow file;
  {
    db::Transaction t(store.database());
    file.id = store.add_file("app.log", 4, 1234);
    t.commit();
  }
  IngestTotals totals;
  std::string log;
  std::map<std::string, std::size_t> entries_of;  // session -> entries
  {
    Chunker chunker(store, file, std::size_t{1} << 20, false, totals, {}, nullptr);
    for (int i = 0; i < 20000; ++i) {
      const std::string session = fmt::format("s{}", i % 37);
      std::string entry =
          fmt::format("2024-01-15 10:30:15,123 - INFO - [req=r{}|session={}] - entry {}\n", i, session, i);
      if (i % 5 == 0) entry += "Traceback (most recent call last):\n  File \"x.py\", line 1\n";
      log += entry;
      ++entries_of[session];
      chunker.feed(entry);  // line by line would do the same: whole lines
    }
    chunker.finish();
  }
  CHECK(totals.entries == 20000);
  CHECK(totals.bytes == static_cast<std::int64_t>(log.size()));
  // The chunks, in order, are the log; each starts an entry; none is far over the target.
  std::string all;
  std::size_t chunks = 0;
  std::map<std::int64_t, std::string> raw_of;
  store.for_each_chunk(nullptr, [&](const ChunkRow& row, std::string_view packed) {
    const std::string raw = decompress(packed, row.raw_size);
    CHECK(raw.rfind("2024-01-15 ", 0) == 0);
    CHECK(raw.size() < kChunkTarget + 4096);
    raw_of[row.id] = raw;
    all += raw;
    ++chunks;
  });
  CHECK(all == log);
  CHECK(chunks >= log.size() / kChunkTarget);
  // Each session's postings name exactly the chunks that hold it.
  for (const auto& [session, n] : entries_of) {
    std::vector<std::int64_t> ids;
    store.chunks_for(Kind::kSession, session, false, ids);
    std::set<std::int64_t> named(ids.begin(), ids.end()), holding;
    for (const auto& [id, raw] : raw_of)
      if (raw.find(fmt::format("|session={}]", session)) != std::string::npos) holding.insert(id);
    CHECK(named == holding);
  }
  const FileRow after = store.files().at(0);
  CHECK(after.indexed ==
        static_cast<std::int64_t>(log.size()) - static_cast<std::int64_t>(raw_of.rbegin()->second.size()));
  CHECK(after.tail);  // the last chunk is the file's tail, read again next time
}
