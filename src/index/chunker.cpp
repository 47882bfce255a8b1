#include "index/chunker.hpp"

#include <algorithm>

#include "parse/header.hpp"

namespace tracegrep::index {

Flow Chunker::feed(std::string_view lines) {
  while (!lines.empty()) {
    const auto nl = lines.find('\n');
    const std::string_view line = lines.substr(0, nl == std::string_view::npos ? lines.size() : nl + 1);
    take_line(line, line.size());
    lines.remove_prefix(line.size());
  }
  if (progress_ && offset_ - reported_ >= (std::int64_t{16} << 20)) {
    reported_ = offset_;
    progress_(offset_);
  }
  maybe_commit(false);
  return Flow::kContinue;
}

void Chunker::start_chunk() {
  // Chunks are reused with their buffers: a fresh 300 KiB buffer per chunk
  // comes from mmap, and the kernel's zeroing of those pages was a quarter
  // of the time spent indexing.
  if (spare_.empty()) writer_.take_spares(spare_);
  if (!spare_.empty()) {
    open_ = std::move(spare_.back());
    spare_.pop_back();
    open_.row = ChunkRow{};
    open_.raw.clear();
    open_.keys.clear();
    open_.posted = 0;
    open_.parts.clear();
    open_.packed.clear();
    std::fill(open_.slots.begin(), open_.slots.end(), 0u);
  } else {
    open_ = Chunk{};
  }
  open_.row.file = file_id_;
  open_.row.offset = offset_;
  open_.row.line = static_cast<std::int64_t>(line_);
  entry_size_ = 0;
  entry_cut_ = false;
}

void Chunker::take_line(std::string_view line, std::size_t real) {
  const bool begins = boundary_.begins(line);
  if (begins) {
    if (open_.raw.size() >= kChunkTarget || force_close_) close_chunk();
    entry_size_ = 0;
    entry_cut_ = false;
    ++open_.row.entries;
    ++totals_.entries;
    Header h;
    parse_header(line.substr(0, std::min(line.size(), max_entry_)), h);
    if (h.open_quote) boundary_.open_quote();
    batch_.layouts.add(h);
    // The line is appended whole below (an entry's first line always fits).
    const auto base = static_cast<std::uint32_t>(open_.raw.size());
    auto ref = [&](std::string_view id, Kind kind) {
      if (id.empty()) return;
      open_.add({hash_id(id, kind), base + static_cast<std::uint32_t>(id.data() - line.data()),
                 static_cast<std::uint32_t>(id.size()), kind},
                id);
    };
    ref(h.session, Kind::kSession);
    ref(h.req, Kind::kRequest);
    open_.parts.add(h, file_id_, open_.row.offset + base);
  } else if (open_.raw.empty() && open_.row.entries == 0) {
    ++open_.row.entries;  // lines before the first timestamp form an entry
    ++totals_.entries;
  }
  // An entry is kept up to one byte past the limit, so that the query
  // cuts it at the limit and marks it, as a scan does; the rest of it is
  // not stored and the chunk closes after it.
  if (!entry_cut_) {
    const std::size_t keep = max_entry_ + 1;
    if (entry_size_ + line.size() <= keep) {
      open_.raw.append(line);
      entry_size_ += line.size();
    } else {
      open_.raw.append(line.substr(0, keep - entry_size_));
      if (open_.raw.back() != '\n') open_.raw += '\n';
      entry_size_ = keep;
      entry_cut_ = true;
      force_close_ = true;
    }
  }
  offset_ += static_cast<std::int64_t>(real);
  totals_.bytes += static_cast<std::int64_t>(real);
  dirty_ = true;
  if (!line.empty() && line.back() == '\n') ++line_;
}

void Chunker::close_chunk() {
  if (open_.raw.empty()) return;
  pending_bytes_ += open_.raw.size();
  // Compressed here, not by the writer: its thread has the SQL to run.
  compressor_.pack(open_.raw, open_.packed);
  batch_.parts.absorb(std::move(open_.parts));
  batch_.chunks.push_back(std::move(open_));
  force_close_ = false;
  start_chunk();
  open_.raw.reserve(kChunkTarget + (kChunkTarget >> 2));
}

void Chunker::maybe_commit(bool with_open) {
  const bool due = pending_bytes_ >= kBatchBytes || Clock::now() - last_commit_ >= kBatchTime;
  if (!due) return;
  if (live_ || with_open)
    commit(true);
  else if (!batch_.chunks.empty())
    hand_off();
}

void Chunker::hand_off() {
  batch_.indexed = open_.row.offset;
  batch_.lines = open_.row.line - 1;
  writer_.submit(std::move(batch_));
  batch_ = BatchWriter::Batch{};
  pending_bytes_ = 0;
  dirty_ = false;
  last_commit_ = Clock::now();
}

void Chunker::commit(bool with_open) {
  writer_.drain();
  batch_.indexed = open_.row.offset;
  batch_.lines = open_.row.line - 1;
  Chunk* open = with_open && !open_.raw.empty() ? &open_ : nullptr;
  writer_.write_now(batch_, open, offset_);
  for (Chunk& c : batch_.chunks) {
    if (spare_.size() < kSpareChunks) spare_.push_back(std::move(c));
  }
  batch_ = BatchWriter::Batch{};
  pending_bytes_ = 0;
  dirty_ = false;
  last_commit_ = Clock::now();
}

}  // namespace tracegrep::index
