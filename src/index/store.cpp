#include "index/store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "index/page_checksums.hpp"

namespace tracegrep::index {
namespace {

const char* const kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE files(
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL,
  fp_len INTEGER NOT NULL,
  fp INTEGER NOT NULL,
  indexed INTEGER NOT NULL DEFAULT 0,
  lines INTEGER NOT NULL DEFAULT 0,
  seen INTEGER NOT NULL DEFAULT 0,
  tail INTEGER);
CREATE INDEX files_fp ON files(fp_len, fp);
CREATE TABLE chunks(
  id INTEGER PRIMARY KEY,
  file INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  line INTEGER NOT NULL,
  entries INTEGER NOT NULL,
  raw_size INTEGER NOT NULL,
  data BLOB NOT NULL);
CREATE INDEX chunks_order ON chunks(file, offset);
CREATE TABLE postings(
  kind INTEGER NOT NULL,
  key TEXT NOT NULL,
  batch INTEGER NOT NULL,
  chunks BLOB NOT NULL,
  PRIMARY KEY(kind, key, batch)) WITHOUT ROWID;
)sql";

#define TRACEGREP_SUM_COLUMNS                                                                            \
  "first_s INTEGER, first_ns INTEGER, last_s INTEGER, last_ns INTEGER, duration INTEGER NOT NULL, "      \
  "entries INTEGER NOT NULL, errors INTEGER NOT NULL, highest INTEGER NOT NULL, seen INTEGER NOT NULL, " \
  "msg_seen INTEGER NOT NULL, message TEXT NOT NULL, files BLOB NOT NULL, extra INTEGER NOT NULL"
#define TRACEGREP_SUM_NAMES                                                                          \
  "request, session, first_s, first_ns, last_s, last_ns, duration, entries, errors, highest, seen, " \
  "msg_seen, "                                                                                       \
  "message, files, extra"
// The same, read from requests joined with another table.
#define TRACEGREP_SUM_NAMES_R                                                                           \
  "requests.request, session, first_s, first_ns, last_s, last_ns, requests.duration, entries, errors, " \
  "highest, seen, msg_seen, message, files, extra"
#define TRACEGREP_SUM_SET                                                                               \
  "request = ?1, session = ?2, first_s = ?3, first_ns = ?4, last_s = ?5, last_ns = ?6, duration = ?7, " \
  "entries = ?8, errors = ?9, highest = ?10, seen = ?11, msg_seen = ?12, message = ?13, files = ?14, "  \
  "extra = ?15"
#define TRACEGREP_SUM_SLOTS "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"

// Version 2: the summaries (store.hpp).
const char* const kSummarySchema =
    "CREATE TABLE requests(request TEXT NOT NULL PRIMARY KEY, session TEXT NOT NULL, " TRACEGREP_SUM_COLUMNS
    ") WITHOUT ROWID;"
    "CREATE TABLE slowest(request TEXT NOT NULL PRIMARY KEY, duration INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX slowest_duration ON slowest(duration);"
    "CREATE TABLE sessions(request TEXT NOT NULL, session TEXT NOT NULL PRIMARY KEY, " TRACEGREP_SUM_COLUMNS
    ") WITHOUT ROWID;"
    "CREATE TABLE request_sessions(request TEXT NOT NULL, session TEXT NOT NULL, "
    "PRIMARY KEY(request, session)) WITHOUT ROWID;"
    "CREATE TABLE tail_parts(file INTEGER NOT NULL, request TEXT NOT NULL, session TEXT NOT "
    "NULL, " TRACEGREP_SUM_COLUMNS
    ");"
    "CREATE INDEX tail_parts_file ON tail_parts(file);";

// The columns of a Sum, bound from `at` on (15 of them). A time is its
// seconds, then its nanoseconds * 32 + its fraction digits + 16 if UTC;
// msg_seen is kept less seen (mostly 0, which SQLite stores in no bytes).
void bind_sum(db::Statement& s, int at, const Sum& sum) {
  s.bind(at, sum.request).bind(at + 1, sum.session);
  auto time = [&](int i, const std::optional<format::Timestamp>& t) {
    if (!t) {
      s.bind_null(i).bind_null(i + 1);
      return;
    }
    s.bind(i, t->seconds).bind(i + 1, std::int64_t{t->nanos} * 32 + t->frac_digits + (t->utc ? 16 : 0));
  };
  time(at + 2, sum.first);
  time(at + 4, sum.last);
  s.bind(at + 6, sum_duration(sum));
  s.bind(at + 7, sum.entries)
      .bind(at + 8, sum.errors)
      .bind(at + 9, std::int64_t{format::level_rank(sum.highest)});
  s.bind(at + 10, sum.seen).bind(at + 11, sum.msg_seen - sum.seen).bind(at + 12, sum.message);
  std::string files;
  std::int64_t prev = 0;
  for (const std::int64_t f : sum.files) {
    put_varint(files, static_cast<std::uint64_t>(f - prev));
    prev = f;
  }
  s.bind_blob(at + 13, files).bind(at + 14, sum.requests + (sum.mixed ? 1 : 0));
}

// A Sum from the columns at `at` on (TRACEGREP_SUM_NAMES); `extra` read as
// the table means it.
Sum read_sum(db::Statement& s, int at, bool is_request) {
  Sum sum;
  sum.request = std::string(s.text(at));
  sum.session = std::string(s.text(at + 1));
  auto time = [&](int i, std::optional<format::Timestamp>& t) {
    if (s.is_null(i)) return;
    format::Timestamp ts;
    ts.seconds = s.integer(i);
    const std::int64_t packed = s.integer(i + 1);
    ts.nanos = static_cast<std::int32_t>((packed >> 5) % 1'000'000'000);
    ts.frac_digits = static_cast<std::uint8_t>(packed & 15);
    ts.utc = (packed & 16) != 0;
    t = ts;
  };
  time(at + 2, sum.first);
  time(at + 4, sum.last);
  sum.entries = s.integer(at + 7);
  sum.errors = s.integer(at + 8);
  const std::int64_t level = s.integer(at + 9);
  sum.highest = level >= 0 && level <= format::level_rank(format::Level::kCritical)
                    ? static_cast<format::Level>(level)
                    : format::Level::kNone;
  sum.seen = s.integer(at + 10);
  sum.msg_seen = sum.seen + s.integer(at + 11);
  sum.message = std::string(s.text(at + 12));
  if (!decode_ids(s.blob(at + 13), sum.files)) throw db::Error::damaged("malformed summary");
  const std::int64_t extra = s.integer(at + 14);
  if (is_request)
    sum.mixed = extra != 0;
  else
    sum.requests = extra;
  return sum;
}

bool exists(const std::string& path, off_t& size) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  size = st.st_size;
  return true;
}

std::int64_t pragma(db::Database& d, const char* sql) {
  db::Statement s(d, sql);
  return s.step() ? s.integer(0) : 0;
}

}  // namespace

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

bool decode_ids(std::string_view bytes, std::vector<std::int64_t>& out) {
  std::uint64_t value = 0;
  std::uint64_t delta = 0;
  int shift = 0;
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (shift > 63) return false;
    delta |= static_cast<std::uint64_t>(c & 0x7f) << shift;
    if (c & 0x80) {
      shift += 7;
      continue;
    }
    value += delta;
    out.push_back(static_cast<std::int64_t>(value));
    delta = 0;
    shift = 0;
  }
  return shift == 0;
}

// Makes a new, empty index at `path` atomically: the schema is written to a
// file beside it, which is renamed into place only when complete, so a crash
// while creating never leaves a half-made index that the next run refuses.
//
// Owner-only (0600) whatever the umask: an index holds the full text of logs
// that are often readable by their owner alone, and SQLite gives its -wal and
// -shm files the database file's mode.
void create_index(const std::string& path) {
  const std::string tmp = path + ".new-" + std::to_string(::getpid());
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw db::Error::cannot_open(std::strerror(errno));
  const bool private_mode = ::fchmod(fd, 0600) == 0;
  ::close(fd);
  if (!private_mode) {
    const int e = errno;
    ::unlink(tmp.c_str());
    throw db::Error::cannot_open(std::strerror(e));
  }
  {
    db::Database d(tmp, db::OpenMode::kCreate);
    // Journal mode is chosen before the first write: WAL lets queries read
    // while `index` writes, and survives a crash at any point.
    d.exec("PRAGMA page_size=16384");
    db::reserve_page_checksums(d.handle());  // index/page_checksums.hpp
    d.exec("PRAGMA journal_mode=WAL");
    db::Transaction t(d);
    d.exec(kSchema);
    d.exec(kSummarySchema);
    d.exec(("PRAGMA application_id=" + std::to_string(kApplicationId)).c_str());
    d.exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
    t.commit();
  }  // closing checkpoints the WAL into the file and removes it
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    throw db::Error::cannot_open(std::strerror(e));
  }
}

Store::Store(const std::string& path, Access access) {
  off_t size = 0;
  bool existed = exists(path, size);
  if (!existed && access == Access::kRead) {
    throw BadIndex("no index here; make one with: tracegrep index FILE...");
  }
  if (existed && size == 0) throw BadIndex("an empty file, not a tracegrep index; left as it is");
  if (std::error_code ec; std::filesystem::is_directory(path, ec))
    throw BadIndex("a directory, not an index: give the index file (--db DIR/index.db)");
  if (!existed) {
    create_index(path);
    existed = true;
  }
  db_ = std::make_unique<db::Database>(
      path, access == Access::kRead ? db::OpenMode::kReadOnly : db::OpenMode::kReadWrite);
  {
    std::int64_t app = 0, version = 0;
    try {
      app = pragma(*db_, "PRAGMA application_id");
      version = pragma(*db_, "PRAGMA user_version");
    } catch (const db::Error& e) {
      throw BadIndex(std::string("not a tracegrep index (") + e.what() + "); left as it is");
    }
    if (app != kApplicationId)
      throw BadIndex("not a tracegrep index (another SQLite database); left as it is");
    if (version > kSchemaVersion) {
      throw BadIndex("written by a newer tracegrep (index schema " + std::to_string(version) +
                     ", this one reads " + std::to_string(kSchemaVersion) + "); left as it is");
    }
    if (version < 1) {
      throw BadIndex("index schema " + std::to_string(version) +
                     " is not supported; remove the file to rebuild");
    }
    summaries_ = version >= 2;
    if (version < kSchemaVersion && access == Access::kWrite) upgrade(version);
  }
  if (access == Access::kWrite) {
    // NORMAL is crash-safe in WAL mode (a power cut may lose the last
    // commits, never corrupt). The default 2 MB page cache is too small for
    // the postings B-tree of a large log: inserts start missing it at ~200 MB;
    // 32 MB ingests 256 MB as fast as 64 MB did, within issue 12's 256 MiB.
    db_->exec("PRAGMA synchronous=NORMAL; PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=16384");
  }
}

Store::~Store() = default;

// Version 1 to 2: the summary tables, filled from the chunks, in one
// transaction (a crash leaves the index at version 1, upgraded next time).
void Store::upgrade(std::int64_t from) {
  if (from >= 2) return;
  db::Transaction t(*db_);
  db_->exec(kSummarySchema);
  summaries_ = true;
  rebuild_summaries(*this);
  db_->exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
  t.commit();
}

std::optional<Sum> Store::find_sum(Table t, const std::string& key) {
  db::Statement& s =
      t == Table::kRequests
          ? stmt(Sql::kFindRequest, "SELECT 1, " TRACEGREP_SUM_NAMES " FROM requests WHERE request = ?")
          : stmt(Sql::kFindSession, "SELECT 1, " TRACEGREP_SUM_NAMES " FROM sessions WHERE session = ?");
  s.bind(1, key);
  std::optional<Sum> out;
  if (s.step()) {
    out = read_sum(s, 1, t == Table::kRequests);
    out->row = s.integer(0);
  }
  s.reset();
  return out;
}

void Store::save_sum(Table t, Sum& sum) {
  const bool req = t == Table::kRequests;
  if (sum.row == 0) {
    db::Statement& s = req ? stmt(Sql::kAddRequest, "INSERT INTO requests(" TRACEGREP_SUM_NAMES
                                                    ") VALUES (" TRACEGREP_SUM_SLOTS ")")
                           : stmt(Sql::kAddSession, "INSERT INTO sessions(" TRACEGREP_SUM_NAMES
                                                    ") VALUES (" TRACEGREP_SUM_SLOTS ")");
    bind_sum(s, 1, sum);
    s.run();
    sum.row = 1;
    return;
  }
  db::Statement& s =
      req ? stmt(Sql::kUpdateRequest, "UPDATE requests SET " TRACEGREP_SUM_SET " WHERE request = ?1")
          : stmt(Sql::kUpdateSession, "UPDATE sessions SET " TRACEGREP_SUM_SET " WHERE session = ?2");
  bind_sum(s, 1, sum);
  s.run();
}

bool Store::add_request_sum(const Sum& sum) {
  db::Statement& s = stmt(Sql::kAddRequestIfNew, "INSERT OR IGNORE INTO requests(" TRACEGREP_SUM_NAMES
                                                 ") VALUES (" TRACEGREP_SUM_SLOTS ")");
  bind_sum(s, 1, sum);
  s.run();
  return db_->changes() != 0;
}

bool Store::has_pair(const std::string& request, const std::string& session) {
  db::Statement& s = stmt(Sql::kHasPair, "SELECT 1 FROM request_sessions WHERE request = ? AND session = ?");
  s.bind(1, request).bind(2, session);
  const bool found = s.step();
  s.reset();
  return found;
}

void Store::add_pair(const std::string& request, const std::string& session) {
  stmt(Sql::kAddPair, "INSERT OR IGNORE INTO request_sessions(request, session) VALUES (?, ?)")
      .bind(1, request)
      .bind(2, session)
      .run();
}

void Store::replace_tail_parts(std::int64_t file, const Parts& parts) {
  stmt(Sql::kDeleteTail, "DELETE FROM tail_parts WHERE file = ?").bind(1, file).run();
  db::Statement& s = stmt(Sql::kAddTail, "INSERT INTO tail_parts(file, " TRACEGREP_SUM_NAMES
                                         ") VALUES (?, " TRACEGREP_SUM_SLOTS ")");
  parts.for_each([&](const Sum& sum) {
    s.bind(1, file);
    bind_sum(s, 2, sum);
    s.run();
  });
}

void Store::for_each_tail_part(const std::function<void(const Sum&)>& fn) {
  db::Statement s(*db_, "SELECT " TRACEGREP_SUM_NAMES " FROM tail_parts ORDER BY file, rowid");
  while (s.step()) fn(read_sum(s, 0, true));
}

void Store::for_each_sum(Table t, const std::function<void(const Sum&)>& fn) {
  db::Statement s(*db_, t == Table::kRequests ? "SELECT 1, " TRACEGREP_SUM_NAMES " FROM requests"
                                              : "SELECT 1, " TRACEGREP_SUM_NAMES " FROM sessions");
  while (s.step()) {
    Sum sum = read_sum(s, 1, t == Table::kRequests);
    sum.row = s.integer(0);
    fn(sum);
  }
}

Store::Slowest Store::slowest_floor() {
  Slowest out;
  out.kept = pragma(*db_, "SELECT COUNT(*) FROM slowest");
  out.floor = pragma(*db_, "SELECT MIN(duration) FROM slowest");  // by the index: one step
  return out;
}

void Store::note_duration(const std::string& request, std::int64_t duration, Slowest& slowest) {
  db::Statement& find = stmt(Sql::kFindSlowest, "SELECT 1 FROM slowest WHERE request = ?");
  find.bind(1, request);
  const bool kept = find.step();
  find.reset();
  if (kept) {
    stmt(Sql::kUpdateSlowest, "UPDATE slowest SET duration = ?2 WHERE request = ?1")
        .bind(1, request)
        .bind(2, duration)
        .run();
  } else {
    stmt(Sql::kNoteSlowest, "INSERT INTO slowest(request, duration) VALUES (?, ?)")
        .bind(1, request)
        .bind(2, duration)
        .run();
    ++slowest.kept;
  }
  if (slowest.kept > kSlowestKept) {
    // One too many: the shortest goes, and the floor rises to the next.
    stmt(Sql::kDropSlowest,
         "DELETE FROM slowest WHERE request = (SELECT request FROM slowest ORDER BY duration, request LIMIT "
         "1)")
        .run();
    --slowest.kept;
  }
  db::Statement& floor = stmt(Sql::kSlowestFloor, "SELECT MIN(duration) FROM slowest");
  slowest.floor = floor.step() ? floor.integer(0) : 0;
  floor.reset();
}

void Store::for_each_slowest(const std::function<void(const Sum&)>& fn) {
  db::Statement s(*db_, "SELECT 1, " TRACEGREP_SUM_NAMES_R
                        " FROM slowest JOIN requests USING (request) "
                        "ORDER BY slowest.duration DESC");
  while (s.step()) {
    Sum sum = read_sum(s, 1, true);
    sum.row = 1;
    fn(sum);
  }
}

std::int64_t Store::count(Table t) {
  return pragma(*db_,
                t == Table::kRequests ? "SELECT COUNT(*) FROM requests" : "SELECT COUNT(*) FROM sessions");
}

db::Statement& Store::stmt(Sql which, const char* sql) {
  auto& s = stmts_[static_cast<std::size_t>(which)];
  if (!s) s = std::make_unique<db::Statement>(*db_, sql);
  return *s;
}

std::vector<std::int64_t> Store::fingerprint_lengths() {
  db::Statement& s = stmt(Sql::kFingerprintLengths, "SELECT DISTINCT fp_len FROM files ORDER BY fp_len DESC");
  std::vector<std::int64_t> out;
  while (s.step()) out.push_back(s.integer(0));
  s.reset();
  return out;
}

namespace {
FileRow file_row(db::Statement& s) {
  FileRow f;
  f.id = s.integer(0);
  f.path = std::string(s.text(1));
  f.fp_len = s.integer(2);
  f.fp = s.integer(3);
  f.indexed = s.integer(4);
  f.lines = s.integer(5);
  f.seen = s.integer(6);
  if (!s.is_null(7)) f.tail = s.integer(7);
  return f;
}
}  // namespace

std::optional<FileRow> Store::find_file(std::int64_t fp_len, std::int64_t fp) {
  db::Statement& s = stmt(Sql::kFileByFingerprint,
                          "SELECT id, path, fp_len, fp, indexed, lines, seen, tail FROM files "
                          "WHERE fp_len = ? AND fp = ? ORDER BY id LIMIT 1");
  s.bind(1, fp_len).bind(2, fp);
  std::optional<FileRow> out;
  if (s.step()) out = file_row(s);
  s.reset();
  return out;
}

std::int64_t Store::add_file(const std::string& path, std::int64_t fp_len, std::int64_t fp) {
  db::Statement& s = stmt(Sql::kAddFile, "INSERT INTO files(path, fp_len, fp) VALUES (?, ?, ?)");
  s.bind(1, path).bind(2, fp_len).bind(3, fp).run();
  return db_->last_insert_id();
}

void Store::update_file(const FileRow& f) {
  db::Statement& s = stmt(Sql::kUpdateFile,
                          "UPDATE files SET path = ?, fp_len = ?, fp = ?, indexed = ?, lines = ?, "
                          "seen = ?, tail = ? WHERE id = ?");
  s.bind(1, f.path).bind(2, f.fp_len).bind(3, f.fp).bind(4, f.indexed).bind(5, f.lines).bind(6, f.seen);
  if (f.tail)
    s.bind(7, *f.tail);
  else
    s.bind_null(7);
  s.bind(8, f.id).run();
}

std::vector<FileRow> Store::files() {
  db::Statement& s =
      stmt(Sql::kFiles, "SELECT id, path, fp_len, fp, indexed, lines, seen, tail FROM files ORDER BY id");
  std::vector<FileRow> out;
  while (s.step()) out.push_back(file_row(s));
  s.reset();
  return out;
}

std::int64_t Store::add_chunk(const ChunkRow& c, std::string_view data) {
  db::Statement& s = stmt(Sql::kAddChunk,
                          "INSERT INTO chunks(file, offset, line, entries, raw_size, data) "
                          "VALUES (?, ?, ?, ?, ?, ?)");
  s.bind(1, c.file).bind(2, c.offset).bind(3, c.line).bind(4, c.entries).bind(5, c.raw_size);
  s.bind_blob(6, data).run();
  return db_->last_insert_id();
}

void Store::update_chunk(const ChunkRow& c, std::string_view data) {
  db::Statement& s =
      stmt(Sql::kUpdateChunk, "UPDATE chunks SET entries = ?, raw_size = ?, data = ? WHERE id = ?");
  s.bind(1, c.entries).bind(2, c.raw_size).bind_blob(3, data).bind(4, c.id).run();
}

std::int64_t Store::next_batch() {
  db::Statement& get = stmt(Sql::kNextBatch, "SELECT value FROM meta WHERE key = 'next_batch'");
  std::int64_t batch = get.step() ? get.integer(0) : 1;
  get.reset();
  stmt(Sql::kSetNextBatch, "INSERT OR REPLACE INTO meta(key, value) VALUES ('next_batch', ?)")
      .bind(1, batch + 1)
      .run();
  return batch;
}

void Store::note_layout(std::int64_t file, const std::string& layout) {
  stmt(Sql::kNoteLayout, "INSERT OR IGNORE INTO meta(key, value) VALUES ('layout:' || ?, ?)")
      .bind(1, file)
      .bind(2, layout)
      .run();
}

std::string Store::file_layout(std::int64_t file) {
  db::Statement& s = stmt(Sql::kFileLayout, "SELECT value FROM meta WHERE key = 'layout:' || ?");
  s.bind(1, file);
  std::string out = s.step() ? std::string(s.text(0)) : "";
  s.reset();
  return out;
}

std::vector<ChunkRow> Store::chunk_rows(std::optional<std::int64_t> file) {
  db::Statement s(
      *db_, file ? "SELECT id, file, offset, line, entries, raw_size FROM chunks WHERE file = ? "
                   "ORDER BY offset"
                 : "SELECT id, file, offset, line, entries, raw_size FROM chunks ORDER BY file, offset");
  if (file) s.bind(1, *file);
  std::vector<ChunkRow> out;
  while (s.step())
    out.push_back({s.integer(0), s.integer(1), s.integer(2), s.integer(3), s.integer(4), s.integer(5)});
  return out;
}

void Store::delete_chunk(std::int64_t id) {
  stmt(Sql::kDeleteChunk, "DELETE FROM chunks WHERE id = ?").bind(1, id).run();
}

void Store::chunk_meta(std::int64_t id, ChunkRow& row, bool& found) {
  db::Statement& s =
      stmt(Sql::kChunkMeta, "SELECT id, file, offset, line, entries, raw_size FROM chunks WHERE id = ?");
  s.bind(1, id);
  found = s.step();
  if (found) row = {s.integer(0), s.integer(1), s.integer(2), s.integer(3), s.integer(4), s.integer(5)};
  s.reset();
}

db::Statement& Store::chunk_data_stmt() {
  return stmt(Sql::kChunkData, "SELECT data FROM chunks WHERE id = ?");
}

void Store::add_posting(Kind kind, std::string_view key, std::int64_t batch, std::string_view chunks) {
  db::Statement& s =
      stmt(Sql::kAddPosting, "INSERT OR REPLACE INTO postings(kind, key, batch, chunks) VALUES (?, ?, ?, ?)");
  s.bind(1, static_cast<std::int64_t>(kind)).bind(2, key).bind(3, batch).bind_blob(4, chunks).run();
}

void Store::chunks_for(Kind kind, std::string_view key, bool prefix, std::vector<std::int64_t>& out) {
  db::Statement& s =
      prefix ? stmt(Sql::kPostingsByPrefix,
                    "SELECT chunks FROM postings WHERE kind = ? AND key >= ? AND key < ?")
             : stmt(Sql::kPostingsByKey, "SELECT chunks FROM postings WHERE kind = ? AND key = ?");
  s.bind(1, static_cast<std::int64_t>(kind)).bind(2, key);
  if (prefix) s.bind(3, std::string(key) + "\xff");
  while (s.step()) {
    if (!decode_ids(s.blob(0), out)) throw db::Error::damaged("malformed posting list");
  }
  s.reset();
}

void Store::for_each_posting(
    const std::function<void(std::int64_t kind, std::string_view key, std::int64_t batch,
                             const std::vector<std::int64_t>& chunks)>& fn) {
  db::Statement s(*db_, "SELECT kind, key, batch, chunks FROM postings");
  std::vector<std::int64_t> ids;
  while (s.step()) {
    ids.clear();
    if (!decode_ids(s.blob(3), ids)) throw db::Error::damaged("malformed posting list");
    fn(s.integer(0), s.text(1), s.integer(2), ids);
  }
}

void Store::drop_from_postings(const std::unordered_set<std::int64_t>& gone) {
  struct Change {
    std::int64_t kind;
    std::string key;
    std::int64_t batch;
    std::string chunks;  // empty: the posting goes
  };
  std::vector<Change> changes;
  for_each_posting([&](std::int64_t kind, std::string_view key, std::int64_t batch,
                       const std::vector<std::int64_t>& ids) {
    const auto kept = std::count_if(ids.begin(), ids.end(), [&](std::int64_t id) { return !gone.count(id); });
    if (kept == static_cast<std::ptrdiff_t>(ids.size())) return;
    Change c{kind, std::string(key), batch, {}};
    std::int64_t prev = 0;
    for (const std::int64_t id : ids) {
      if (gone.count(id)) continue;
      put_varint(c.chunks, static_cast<std::uint64_t>(id - prev));
      prev = id;
    }
    changes.push_back(std::move(c));
  });
  db::Statement del(*db_, "DELETE FROM postings WHERE kind = ? AND key = ? AND batch = ?");
  db::Statement put(*db_, "UPDATE postings SET chunks = ? WHERE kind = ? AND key = ? AND batch = ?");
  for (const Change& c : changes) {
    if (c.chunks.empty()) {
      del.bind(1, c.kind).bind(2, c.key).bind(3, c.batch).run();
    } else {
      put.bind_blob(1, c.chunks).bind(2, c.kind).bind(3, c.key).bind(4, c.batch).run();
    }
  }
}

void Store::clear_summaries() {
  db_->exec(
      "DELETE FROM requests; DELETE FROM sessions; DELETE FROM slowest; DELETE FROM request_sessions; "
      "DELETE FROM tail_parts");
}

void Store::delete_file(std::int64_t id) {
  db::Statement(*db_, "DELETE FROM files WHERE id = ?").bind(1, id).run();
  db::Statement(*db_, "DELETE FROM meta WHERE key = 'layout:' || ?").bind(1, id).run();
}

void Store::vacuum() { db_->exec("VACUUM"); }

Stats Store::stats(bool count_ids) {
  Stats st;
  st.files = pragma(*db_, "SELECT COUNT(*) FROM files");
  db::Statement c(*db_, "SELECT COUNT(*), TOTAL(entries), TOTAL(raw_size) FROM chunks");
  if (c.step()) {
    st.chunks = c.integer(0);
    st.entries = c.integer(1);
    st.raw_bytes = c.integer(2);
  }
  if (!count_ids) return st;
  st.sessions = pragma(*db_, "SELECT COUNT(DISTINCT key) FROM postings WHERE kind = 0");
  st.requests = pragma(*db_, "SELECT COUNT(DISTINCT key) FROM postings WHERE kind = 1");
  return st;
}

}  // namespace tracegrep::index
