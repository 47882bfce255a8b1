// The index's schema and every SQL statement tracegrep runs, in one place.
// Statements are prepared on first use and reused, so that a query opens the
// database and prepares only the few it needs.
//
// Schema, version 1 (PRAGMA user_version; PRAGMA application_id 'TRGP'):
//   files(id, path, fp_len, fp, indexed, lines, seen, tail)
//     one row per log content, recognised by a hash `fp` of its first
//     `fp_len` bytes (at most 4096), whatever its name; `indexed` bytes and
//     `lines` lines of it are in closed chunks, `seen` bytes in all; `tail`
//     is the open chunk, re-read on the next run.
//   chunks(id, file, offset, line, entries, raw_size, data)
//     runs of whole entries, about 256 KiB of the log each, zstd-compressed;
//     `offset` and `line` say where in the file the first byte is.
//   postings(kind, key, batch, chunks)
//     kind 0 session, 1 request: for each id seen in a batch, the ids of the
//     chunks holding it, ascending, as delta varints.
//   meta(key, value)
//
// Version 2 adds the summaries (index/summary.hpp), each row one Sum:
//   requests(request, session, ...), sessions(request, session, ...)
//     one row per request id (session: its first entry's) and per session;
//   slowest(request, duration)
//     the kSlowestKept longest requests (for `requests --slowest`);
//   request_sessions(request, session)
//     the sessions of the requests whose entries carry more than one;
//   tail_parts(file, ...)
//     what each file's tail chunk holds, per (request, session).
//   The columns of a Sum: first_s, first_ns, last_s, last_ns (a time as
//   seconds, and nanoseconds * 32 + fraction digits + 16 if UTC; NULL when
//   no entry has a time), duration (ns), entries, errors (at ERROR or
//   above), highest (level: 0 none, 1 TRACE ... 6 CRITICAL), seen (scan
//   position of the first entry: file id << 40 | byte offset), msg_seen
//   (that of the message's entry, less seen), message, files (file ids,
//   delta varints), extra (requests: 1 when mixed; sessions: the number of
//   requests).
// A version 1 index is read as it is (queries compute from the entries) and
// upgraded when `index` opens it to write.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "index/db.hpp"
#include "index/summary.hpp"

namespace tracegrep::index {

inline constexpr int kSchemaVersion = 2;
inline constexpr std::int64_t kApplicationId = 0x54524750;  // "TRGP"

/// Not usable as an index: the message says why; the file was not modified.
class BadIndex : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FileRow {
  std::int64_t id = 0;
  std::string path;
  std::int64_t fp_len = 0;
  std::int64_t fp = 0;
  std::int64_t indexed = 0;
  std::int64_t lines = 0;
  std::int64_t seen = 0;
  std::optional<std::int64_t> tail;
};

struct ChunkRow {
  std::int64_t id = 0;
  std::int64_t file = 0;
  std::int64_t offset = 0;
  std::int64_t line = 0;
  std::int64_t entries = 0;
  std::int64_t raw_size = 0;
};

enum class Kind : std::int64_t { kSession = 0, kRequest = 1 };
enum class Access { kRead, kWrite };

struct Stats {
  std::int64_t files = 0, chunks = 0, entries = 0, raw_bytes = 0, sessions = 0, requests = 0;
};

class Store {
 public:
  /// Opens an index. kWrite creates it when the path does not exist. Throws
  /// BadIndex for a file that is not a tracegrep index (left untouched), one
  /// of a newer schema, or one that is damaged.
  Store(const std::string& path, Access access);
  ~Store();

  db::Database& database() { return *db_; }

  // files
  std::vector<std::int64_t> fingerprint_lengths();
  std::optional<FileRow> find_file(std::int64_t fp_len, std::int64_t fp);
  std::int64_t add_file(const std::string& path, std::int64_t fp_len, std::int64_t fp);
  void update_file(const FileRow& f);
  std::vector<FileRow> files();

  // chunks
  std::int64_t add_chunk(const ChunkRow& c, std::string_view data);
  /// Rewrites a chunk that grew (the open chunk of a live input).
  void update_chunk(const ChunkRow& c, std::string_view data);
  void delete_chunk(std::int64_t id);
  /// Every chunk's row without its data (one file's when `file` is set), by
  /// file and offset: what counts need, without reading the compressed text.
  std::vector<ChunkRow> chunk_rows(std::optional<std::int64_t> file = std::nullopt);
  /// Chunks of the given ids (all when `ids` is null), in scan order: by
  /// file, then offset. Calls fn(row, compressed data).
  template <typename Fn>
  void for_each_chunk(const std::vector<std::int64_t>* ids, Fn&& fn);

  // postings
  void add_posting(Kind kind, std::string_view key, std::int64_t batch, std::string_view chunks);
  /// Chunk ids of every posting whose key equals `key`, or starts with it
  /// (when `prefix`), unsorted, duplicates possible.
  void chunks_for(Kind kind, std::string_view key, bool prefix, std::vector<std::int64_t>& out);

  /// Counts; `count_ids` counts the distinct ids of the postings (slow on
  /// a large index: the summaries count them when there are summaries).
  Stats stats(bool count_ids = true);

  /// A number unique to each batch of postings, kept in meta.
  std::int64_t next_batch();

  /// Records the layout a file was read as (LayoutCounts' dominant_layout
  /// of its first batch), in meta under "layout:<file id>"; a file keeps
  /// the first one recorded.
  void note_layout(std::int64_t file, const std::string& layout);
  /// The layout recorded for a file, or empty (an index written before).
  std::string file_layout(std::int64_t file);

  /// Every posting row, its chunk ids decoded (index --check).
  void for_each_posting(const std::function<void(std::int64_t kind, std::string_view key, std::int64_t batch,
                                                 const std::vector<std::int64_t>& chunks)>& fn);
  // retention (index/forget.hpp)
  /// Takes the ids of `gone` chunks out of every posting (a posting left
  /// empty goes).
  void drop_from_postings(const std::unordered_set<std::int64_t>& gone);
  /// Empties the summary tables (to be rebuilt).
  void clear_summaries();
  /// Removes a file's row (its chunks are removed apart).
  void delete_file(std::int64_t id);
  /// Gives freed pages back to the file system (VACUUM, outside a transaction).
  void vacuum();

  // summaries (index/summary.hpp)
  enum class Table { kRequests, kSessions };
  /// False for an index written before summaries (read, not upgraded).
  bool has_summaries() const { return summaries_; }
  std::optional<Sum> find_sum(Table t, const std::string& key);
  void save_sum(Table t, Sum& s);
  /// Inserts a request's summary unless its id is there; true when inserted.
  bool add_request_sum(const Sum& s);
  bool has_pair(const std::string& request, const std::string& session);
  void add_pair(const std::string& request, const std::string& session);
  /// Replaces what is kept of a file's tail chunk (empty: it has none).
  void replace_tail_parts(std::int64_t file, const Parts& parts);
  void for_each_tail_part(const std::function<void(const Sum&)>& fn);
  void for_each_sum(Table t, const std::function<void(const Sum&)>& fn);
  /// The longest requests are kept apart, kSlowestKept of them: every
  /// request not among them lasted at most `floor` (when `kept` is full).
  struct Slowest {
    std::int64_t kept = 0, floor = 0;
  };
  static constexpr std::int64_t kSlowestKept = 1024;
  Slowest slowest_floor();
  /// A request that lasted longer than the floor (or while there is room).
  void note_duration(const std::string& request, std::int64_t duration, Slowest& slowest);
  /// The requests kept as the longest, longest first.
  void for_each_slowest(const std::function<void(const Sum&)>& fn);
  std::int64_t count(Table t);

 private:
  void upgrade(std::int64_t from);
  // Every statement, prepared on first use and kept: a slot each.
  enum class Sql : std::size_t {
    kFingerprintLengths,
    kFileByFingerprint,
    kAddFile,
    kUpdateFile,
    kFiles,
    kAddChunk,
    kUpdateChunk,
    kDeleteChunk,
    kChunkMeta,
    kChunkData,
    kAllChunks,
    kAddPosting,
    kPostingsByPrefix,
    kPostingsByKey,
    kNextBatch,
    kSetNextBatch,
    kNoteLayout,
    kFileLayout,
    kFindRequest,
    kFindSession,
    kAddRequest,
    kAddRequestIfNew,
    kNoteSlowest,
    kFindSlowest,
    kUpdateSlowest,
    kSlowestFloor,
    kDropSlowest,
    kAddSession,
    kUpdateRequest,
    kUpdateSession,
    kHasPair,
    kAddPair,
    kDeleteTail,
    kAddTail,
    kCount
  };
  db::Statement& stmt(Sql which, const char* sql);
  std::unique_ptr<db::Database> db_;
  bool summaries_ = false;
  std::array<std::unique_ptr<db::Statement>, static_cast<std::size_t>(Sql::kCount)> stmts_;
  void chunk_meta(std::int64_t id, ChunkRow& row, bool& found);
  db::Statement& chunk_data_stmt();
};

/// Appends `v` as a varint.
void put_varint(std::string& out, std::uint64_t v);
/// Decodes ascending ids written as deltas; false on malformed data.
bool decode_ids(std::string_view bytes, std::vector<std::int64_t>& out);

template <typename Fn>
void Store::for_each_chunk(const std::vector<std::int64_t>* ids, Fn&& fn) {
  if (!ids) {
    db::Statement& s =
        stmt(Sql::kAllChunks,
             "SELECT id, file, offset, line, entries, raw_size, data FROM chunks ORDER BY file, offset");
    while (s.step()) {
      ChunkRow row{s.integer(0), s.integer(1), s.integer(2), s.integer(3), s.integer(4), s.integer(5)};
      fn(row, s.blob(6));
    }
    s.reset();
    return;
  }
  std::vector<ChunkRow> rows;
  rows.reserve(ids->size());
  for (const std::int64_t id : *ids) {
    ChunkRow row;
    bool found = false;
    chunk_meta(id, row, found);
    if (found) rows.push_back(row);  // a posting may outlive a replaced tail chunk
  }
  std::sort(rows.begin(), rows.end(), [](const ChunkRow& a, const ChunkRow& b) {
    return a.file != b.file ? a.file < b.file : a.offset < b.offset;
  });
  db::Statement& data = chunk_data_stmt();
  for (const ChunkRow& row : rows) {
    data.bind(1, row.id);
    if (data.step()) fn(row, data.blob(0));
    data.reset();
  }
}

}  // namespace tracegrep::index
