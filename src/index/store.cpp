#include "index/store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

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
    d.exec("PRAGMA journal_mode=WAL");
    db::Transaction t(d);
    d.exec(kSchema);
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
    if (version < kSchemaVersion) {
      throw BadIndex("index schema " + std::to_string(version) +
                     " is not supported; remove the file to rebuild");
    }
  }
  if (access == Access::kWrite) {
    // NORMAL is crash-safe in WAL mode (a power cut may lose the last
    // commits, never corrupt). The default 2 MB page cache is too small for
    // the postings B-tree of a large log: inserts start missing it at ~200 MB.
    db_->exec("PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=16384");
  }
}

Store::~Store() = default;

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

Stats Store::stats() {
  Stats st;
  st.files = pragma(*db_, "SELECT COUNT(*) FROM files");
  db::Statement c(*db_, "SELECT COUNT(*), TOTAL(entries), TOTAL(raw_size) FROM chunks");
  if (c.step()) {
    st.chunks = c.integer(0);
    st.entries = c.integer(1);
    st.raw_bytes = c.integer(2);
  }
  st.sessions = pragma(*db_, "SELECT COUNT(DISTINCT key) FROM postings WHERE kind = 0");
  st.requests = pragma(*db_, "SELECT COUNT(DISTINCT key) FROM postings WHERE kind = 1");
  return st;
}

}  // namespace tracegrep::index
