// index/: the chunker. Groups an input's lines into chunks of whole
// entries (about kChunkTarget each), collects each chunk's distinct ids and
// hands batches to the batch writer, at least every kBatchBytes or
// kBatchTime; a live input's open chunk is written as the file's tail.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "index/batch_writer.hpp"
#include "index/chunk.hpp"
#include "index/ingest.hpp"
#include "index/store.hpp"
#include "parse/boundary.hpp"
#include "parse/line_sink.hpp"

namespace tracegrep::index {

/// About this much log per chunk: small enough that a lookup decompresses
/// little, large enough that zstd finds the repetition in log lines.
inline constexpr std::size_t kChunkTarget = std::size_t{256} << 10;
/// Closed chunks are committed at least this often, by size or by time.
inline constexpr std::size_t kBatchBytes = std::size_t{16} << 20;
inline constexpr auto kBatchTime = std::chrono::seconds(1);

class Chunker final : public LineSink {
 public:
  using Clock = std::chrono::steady_clock;
  using Progress = std::function<void(std::int64_t done)>;
  /// `first`: the transaction the first batch commits (BatchWriter), or null.
  Chunker(Store& store, FileRow& file, std::size_t max_entry, bool live, IngestTotals& totals,
          Progress progress, std::unique_ptr<db::Transaction> first)
      : max_entry_(max_entry),
        live_(live),
        totals_(totals),
        file_id_(file.id),
        offset_(file.indexed),
        line_(file.lines + 1),
        last_commit_(Clock::now()),
        progress_(std::move(progress)),
        reported_(offset_),
        writer_(store, file, std::move(first)) {
    start_chunk();
  }

  Flow feed(std::string_view lines) override;

  Flow feed_cut_line(std::string_view head) override {
    // Stored with a '\n' so that the chunk stays made of lines; the query's
    // assembler cuts the entry at the same byte a scan does.
    std::string line(head);
    line += '\n';
    take_line(line, head.size());
    return Flow::kContinue;
  }

  void dropped(std::size_t bytes) override { offset_ += static_cast<std::int64_t>(bytes); }

  Flow feed_last_line(std::string_view partial) override {
    // A file's last line without '\n' is being written: it is read next time.
    // A pipe that ended has said all it will.
    if (live_) take_line(partial, partial.size());
    return Flow::kContinue;
  }

  // A live input went quiet for 200 ms: make what came visible to queries.
  Flow flush() override {
    if (live_ && dirty_) commit(true);
    return Flow::kContinue;
  }

  void reset() override {}

  /// Writes everything, the open chunk as the file's tail.
  void finish() { commit(true); }

 private:
  void start_chunk();

  // One line of the log; `real` is how many bytes of the file it stands for
  // before the rest of a cut line (reported by dropped()).
  void take_line(std::string_view line, std::size_t real);

  void close_chunk();

  void maybe_commit(bool with_open);

  // The closed chunks go to the writer's thread; parsing goes on.
  void hand_off();

  // Everything, the open chunk as the file's tail, written now.
  void commit(bool with_open);

  std::size_t max_entry_;
  bool live_;
  IngestTotals& totals_;
  std::int64_t file_id_;
  std::int64_t offset_;
  std::uint64_t line_;
  Clock::time_point last_commit_;
  Progress progress_;
  std::int64_t reported_;
  Chunk open_;
  BatchWriter::Batch batch_;  // closed chunks not yet handed to the writer
  std::vector<Chunk> spare_;  // written chunks, their buffers kept for reuse
  std::size_t pending_bytes_ = 0;
  std::size_t entry_size_ = 0;
  bool entry_cut_ = false;
  bool force_close_ = false;
  bool dirty_ = false;      // lines taken since the last commit
  EntryBoundary boundary_;  // as the scan decides where entries begin
  Compressor compressor_;   // closed chunks are compressed on this thread
  BatchWriter writer_;      // last: its thread ends first
};

}  // namespace tracegrep::index
