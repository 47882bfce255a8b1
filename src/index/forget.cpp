#include "index/forget.hpp"

#include <unordered_set>

#include "index/chunk.hpp"
#include "index/summary.hpp"
#include "parse/header.hpp"

namespace tracegrep::index {
namespace {

// Deletes the chunks, drops them from the postings, and summarises what is
// left again (exact: the summaries are what the entries give), in the
// caller's transaction.
void remove_chunks(Store& store, const std::unordered_set<std::int64_t>& gone) {
  for (const std::int64_t id : gone) store.delete_chunk(id);
  store.drop_from_postings(gone);
  store.clear_summaries();
  rebuild_summaries(store);
}

}  // namespace

Forgotten forget_before(Store& store, const std::function<bool(const format::Timestamp&)>& before) {
  Forgotten out;
  std::unordered_set<std::int64_t> keep_tails;
  for (const FileRow& f : store.files()) {
    if (f.tail) keep_tails.insert(*f.tail);
  }
  std::unordered_set<std::int64_t> gone;
  std::unordered_set<std::int64_t> files;
  Unpacker unpacker;
  std::string raw;
  store.for_each_chunk(nullptr, [&](const ChunkRow& row, std::string_view packed) {
    if (keep_tails.count(row.id)) return;
    unpacker.unpack(packed, row.raw_size, raw);
    bool timed = false, newer = false;
    for_each_entry_header(raw, [&](const Header& h, std::size_t) {
      if (!h.has_ts) return;
      timed = true;
      if (!before(h.ts)) newer = true;
    });
    if (!timed || newer) return;
    gone.insert(row.id);
    files.insert(row.file);
    ++out.chunks;
    out.entries += row.entries;
    out.raw_bytes += row.raw_size;
  });
  out.files = static_cast<std::int64_t>(files.size());
  db::Transaction t(store.database());
  if (!gone.empty()) remove_chunks(store, gone);
  t.commit();
  if (!gone.empty()) store.vacuum();
  return out;
}

Forgotten forget_file(Store& store, std::int64_t id) {
  Forgotten out;
  std::unordered_set<std::int64_t> gone;
  for (const ChunkRow& row : store.chunk_rows(id)) {
    gone.insert(row.id);
    ++out.chunks;
    out.entries += row.entries;
    out.raw_bytes += row.raw_size;
  }
  out.files = 1;
  db::Transaction t(store.database());
  store.delete_file(id);
  remove_chunks(store, gone);
  t.commit();
  store.vacuum();
  return out;
}

}  // namespace tracegrep::index
