// index/: the batch writer. Compresses (zstd) and writes batches of chunks,
// their postings and the file's progress on a second core while the first
// reads and parses; one batch is one transaction, so a kill at any moment
// leaves the index as it was after some whole batch.
#pragma once

#include <zstd.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "index/chunk.hpp"
#include "index/store.hpp"
#include "parse/layout_check.hpp"

namespace tracegrep::index {

class BatchWriter {
 public:
  /// `first`, when given, is an open transaction that the first write
  /// commits with its batch (it holds the new file's row: a run whose first
  /// batch fails leaves no trace); unused, it rolls back.
  BatchWriter(Store& store, FileRow& file, std::unique_ptr<db::Transaction> first)
      : store_(store), file_(file), first_(std::move(first)), thread_([this] { work(); }) {}
  ~BatchWriter() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  struct Batch {
    std::vector<Chunk> chunks;
    std::int64_t indexed = 0;  // the file after the batch: indexed up to here
    std::int64_t lines = 0;
    LayoutCounts layouts;  // of the entries begun in the batch
    Parts parts;           // the summaries' parts of the closed chunks
  };

  /// Queues a batch; waits while one is queued, so memory stays bounded
  /// (one batch being built, one queued, one being written: a busy
  /// service's batch holds 10^5 summary parts besides its chunks).
  void submit(Batch batch) {
    std::unique_lock<std::mutex> lock(mutex_);
    room_.wait(lock, [this] { return queue_.empty() || !error_.empty(); });
    rethrow_locked();
    queue_.push_back(std::move(batch));
    wake_.notify_all();
  }

  /// Waits until every queued batch is written; rethrows a failure.
  void drain() {
    std::unique_lock<std::mutex> lock(mutex_);
    room_.wait(lock, [this] { return (queue_.empty() && !busy_) || !error_.empty(); });
    rethrow_locked();
  }

  /// Writes on the calling thread, after drain(): `open` is the growing
  /// chunk, written as the file's tail; `seen` the bytes read in all.
  void write_now(Batch& batch, Chunk* open, std::int64_t seen) { write(batch, open, seen); }

  /// Chunks written, with their buffers, for reuse.
  void take_spares(std::vector<Chunk>& into) {
    std::lock_guard<std::mutex> lock(mutex_);
    while (!spare_.empty() && into.size() < kSpareChunks) {
      into.push_back(std::move(spare_.back()));
      spare_.pop_back();
    }
  }

 private:
  // The zstd frame of a chunk: a closed one's, or one made now in a buffer
  // reused for every chunk.
  std::string_view compress(const Chunk& c);

  void rethrow_locked() {
    if (!error_.empty()) {
      const std::string e = error_;
      throw db::Error(error_code_, e);
    }
  }

  void work();

  void write(Batch& batch, Chunk* open, std::int64_t seen);

  Store& store_;
  FileRow& file_;
  std::unique_ptr<db::Transaction> first_;
  Compressor compressor_;
  std::string packed_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable room_;
  std::deque<Batch> queue_;
  std::vector<Chunk> spare_;
  bool busy_ = false;
  bool quit_ = false;
  std::string error_;
  int error_code_ = 0;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace tracegrep::index
