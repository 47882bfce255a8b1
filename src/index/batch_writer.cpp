#include "index/batch_writer.hpp"

#include <algorithm>

#include "index/postings.hpp"

namespace tracegrep::index {
void BatchWriter::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return quit_ || !queue_.empty(); });
    if (queue_.empty()) return;
    Batch batch = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    try {
      write(batch, nullptr, batch.indexed);
    } catch (const db::Error& e) {
      lock.lock();
      error_ = e.what();
      error_code_ = e.code();
      lock.unlock();
    }
    lock.lock();
    for (Chunk& c : batch.chunks) {
      if (spare_.size() < kSpareChunks) spare_.push_back(std::move(c));
    }
    busy_ = false;
    room_.notify_all();
    if (!error_.empty()) {
      queue_.clear();
    }
  }
}

void BatchWriter::write(Batch& batch, Chunk* open, std::int64_t seen) {
  std::unique_ptr<db::Transaction> t = std::move(first_);
  if (!t) t = std::make_unique<db::Transaction>(store_.database());
  // The tail written last time: still open (rewritten below), closed since
  // (in this batch, rewritten whole below), or last run's, read again now
  // and replaced. Deleting it when it is in this batch lost it: its update
  // found no row (every 256 KiB of a live input).
  if (file_.tail) {
    const std::int64_t tail = *file_.tail;
    const bool rewritten =
        (open && open->row.id == tail) || std::any_of(batch.chunks.begin(), batch.chunks.end(),
                                                      [&](const Chunk& c) { return c.row.id == tail; });
    if (!rewritten) store_.delete_chunk(tail);
    file_.tail.reset();
  }
  std::vector<Post> posts;
  for (Chunk& c : batch.chunks) {
    c.row.raw_size = static_cast<std::int64_t>(c.raw.size());
    if (c.row.id)
      store_.update_chunk(c.row, compress(c));  // it was a live input's open chunk
    else
      c.row.id = store_.add_chunk(c.row, compress(c));
    collect_posts(c, posts);
  }
  if (open) {
    open->row.raw_size = static_cast<std::int64_t>(open->raw.size());
    if (open->row.id)
      store_.update_chunk(open->row, compress(*open));
    else
      open->row.id = store_.add_chunk(open->row, compress(*open));
    collect_posts(*open, posts);
  }
  const std::vector<PostingRun> runs = encode_postings(posts);
  if (!runs.empty()) {
    const std::int64_t batch_id = store_.next_batch();
    for (const PostingRun& r : runs) store_.add_posting(r.kind, r.key, batch_id, r.chunks);
  }
  if (store_.has_summaries()) {
    apply(*stored_rows(store_), batch.parts);
    store_.replace_tail_parts(file_.id, open ? open->parts : Parts{});
  }
  // With an open chunk, it is the tail: the file is indexed up to its
  // start and it is read again (and replaced) next time.
  file_.indexed = batch.indexed;
  file_.lines = batch.lines;
  file_.seen = open ? seen : batch.indexed;
  file_.tail = open ? std::optional<std::int64_t>(open->row.id) : std::nullopt;
  store_.update_file(file_);
  if (batch.layouts.total() > 0) store_.note_layout(file_.id, dominant_layout(batch.layouts));
  t->commit();
}

std::string_view BatchWriter::compress(const Chunk& c) {
  if (!c.packed.empty()) return c.packed;  // closed: packed by the chunker's thread
  compressor_.pack(c.raw, packed_);
  return packed_;  // the open chunk: written now, packed again when it closes
}

}  // namespace tracegrep::index
