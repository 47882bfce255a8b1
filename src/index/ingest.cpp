#include "index/ingest.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include "parse/header.hpp"
#include "parse/line_sink.hpp"
#include "source/feeder.hpp"
#include "source/stream.hpp"
#include "util/hash.hpp"

namespace tracegrep::index {
namespace {

using Clock = std::chrono::steady_clock;

// About this much log per chunk: small enough that a lookup decompresses
// little, large enough that zstd finds the repetition in log lines.
constexpr std::size_t kChunkTarget = std::size_t{256} << 10;
// Closed chunks are committed at least this often, by size or by time.
constexpr std::size_t kBatchBytes = std::size_t{16} << 20;
constexpr auto kBatchTime = std::chrono::seconds(1);
constexpr int kZstdLevel = 1;
// Spare chunks kept for reuse on each side (about 300 KiB each).
constexpr std::size_t kSpareChunks = 48;

// Replays bytes read to fingerprint an input, then reads on.
class ReplayStream : public ByteStream {
 public:
  ReplayStream(std::string head, std::unique_ptr<ByteStream> inner)
      : head_(std::move(head)), inner_(std::move(inner)) {}
  ReadStatus read(char* buf, std::size_t cap, std::size_t& n, int timeout_ms) override {
    if (pos_ < head_.size()) {
      n = std::min(cap, head_.size() - pos_);
      std::memcpy(buf, head_.data() + pos_, n);
      pos_ += n;
      return ReadStatus::kData;
    }
    const ReadStatus s = inner_->read(buf, cap, n, timeout_ms);
    if (s == ReadStatus::kError) error_ = inner_->error();
    return s;
  }
  bool live() const override { return inner_->live(); }

 private:
  std::string head_;
  std::size_t pos_ = 0;
  std::unique_ptr<ByteStream> inner_;
};

// Reads up to `want` bytes (less at the end, or when a live input pauses).
ReadStatus read_some(ByteStream& s, std::string& out, std::size_t want, bool live) {
  char buf[4096];
  const auto deadline = Clock::now() + std::chrono::seconds(1);
  while (out.size() < want) {
    std::size_t n = 0;
    const int timeout =
        live ? static_cast<int>(std::max<long>(
                   0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count()))
             : -1;
    const ReadStatus st = s.read(buf, std::min(sizeof buf, want - out.size()), n, timeout);
    if (st != ReadStatus::kData) return st;
    out.append(buf, n);
  }
  return ReadStatus::kData;
}

// An id in a chunk: where it is in the chunk's text.
struct KeyRef {
  std::uint64_t hash;  // sorts postings by integer; the text decides only on a tie
  std::uint32_t at;
  std::uint32_t len;
  Kind kind;
};

std::uint64_t hash_id(std::string_view id, Kind kind) { return fnv1a(id, kFnvOffset ^ static_cast<std::uint64_t>(kind)); }

bool same_text(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {  // ids are short: no call to memcmp
    if (a[i] != b[i]) return false;
  }
  return true;
}

struct Chunk {
  ChunkRow row;
  std::string raw;
  std::vector<KeyRef> keys;          // the distinct ids of the chunk, in order of appearance
  std::size_t posted = 0;            // keys[0, posted) are in postings already (open chunk)
  std::vector<std::uint32_t> slots;  // open addressing over keys: index + 1, 0 = empty

  std::string_view key(const KeyRef& k) const { return std::string_view(raw).substr(k.at, k.len); }

  // Adds an id unless the chunk has it; `text` is where it will be in raw.
  void add(const KeyRef& ref, std::string_view text) {
    if (slots.size() < 2 * (keys.size() + 1)) rehash(slots.empty() ? 1024 : 2 * slots.size());
    std::size_t mask = slots.size() - 1;
    for (std::size_t i = ref.hash & mask;; i = (i + 1) & mask) {
      if (slots[i] == 0) {
        slots[i] = static_cast<std::uint32_t>(keys.size() + 1);
        keys.push_back(ref);
        return;
      }
      const KeyRef& k = keys[slots[i] - 1];
      if (k.hash == ref.hash && k.kind == ref.kind && same_text(key(k), text)) return;
    }
  }

 private:
  void rehash(std::size_t size) {
    slots.assign(size, 0);
    for (std::size_t n = 0; n < keys.size(); ++n) {
      for (std::size_t i = keys[n].hash & (size - 1);; i = (i + 1) & (size - 1)) {
        if (slots[i] == 0) {
          slots[i] = static_cast<std::uint32_t>(n + 1);
          break;
        }
      }
    }
  }
};

// Compresses and writes batches of chunks on a second core while the first
// reads and parses. One batch is one transaction.
class Writer {
 public:
  Writer(Store& store, FileRow& file, bool live)
      : store_(store), file_(file), live_(live), thread_([this] { work(); }) {}
  ~Writer() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  struct Batch {
    std::vector<Chunk> chunks;
    std::int64_t indexed = 0;  // the file after the batch: indexed up to here
    std::int64_t lines = 0;
  };

  /// Queues a batch; waits while two are queued, so memory stays bounded.
  void submit(Batch batch) {
    std::unique_lock<std::mutex> lock(mutex_);
    room_.wait(lock, [this] { return queue_.size() < 2 || !error_.empty(); });
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
  struct CctxFree {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
  };

  // The zstd frame of a chunk, in a buffer reused for every chunk.
  std::string_view compress(const Chunk& c) {
    if (!cctx_) cctx_.reset(ZSTD_createCCtx());
    packed_.resize(ZSTD_compressBound(c.raw.size()));
    const std::size_t n = ZSTD_compressCCtx(cctx_.get(), packed_.data(), packed_.size(), c.raw.data(),
                                            c.raw.size(), kZstdLevel);
    if (ZSTD_isError(n)) throw db::Error::failed(std::string("zstd: ") + ZSTD_getErrorName(n));
    return std::string_view(packed_.data(), n);
  }

  void rethrow_locked() {
    if (!error_.empty()) {
      const std::string e = error_;
      throw db::Error(error_code_, e);
    }
  }

  void work() {
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

  void write(Batch& batch, Chunk* open, std::int64_t seen) {
    db::Transaction t(store_.database());
    if (file_.tail && (!open || *file_.tail != open->row.id)) {
      store_.delete_chunk(*file_.tail);  // last run's tail, read again now
      file_.tail.reset();
    }
    // Postings: every (kind, id, chunk) once, grouped by id, one row each.
    struct Post {
      std::uint64_t hash;
      std::int64_t chunk;
      std::string_view key;
      Kind kind;
    };
    std::vector<Post> posts;
    auto collect = [&](Chunk& c) {
      for (std::size_t i = c.posted; i < c.keys.size(); ++i) {
        posts.push_back({c.keys[i].hash, c.row.id, c.key(c.keys[i]), c.keys[i].kind});
      }
      c.posted = c.keys.size();
    };
    for (Chunk& c : batch.chunks) {
      c.row.raw_size = static_cast<std::int64_t>(c.raw.size());
      if (c.row.id)
        store_.update_chunk(c.row, compress(c));  // it was a live input's open chunk
      else
        c.row.id = store_.add_chunk(c.row, compress(c));
      collect(c);
    }
    if (open) {
      open->row.raw_size = static_cast<std::int64_t>(open->raw.size());
      if (open->row.id)
        store_.update_chunk(open->row, compress(*open));
      else
        open->row.id = store_.add_chunk(open->row, compress(*open));
      collect(*open);
    }
    // By hash, then chunk: integer compares. Two ids with one hash (or kind)
    // would share a run; such a run is sorted again by the ids' text.
    std::sort(posts.begin(), posts.end(), [](const Post& a, const Post& b) {
      return a.hash != b.hash ? a.hash < b.hash : a.chunk < b.chunk;
    });
    for (std::size_t i = 0; i < posts.size();) {
      std::size_t j = i + 1;
      bool mixed = false;
      for (; j < posts.size() && posts[j].hash == posts[i].hash; ++j) {
        mixed = mixed || posts[j].kind != posts[i].kind || !same_text(posts[j].key, posts[i].key);
      }
      if (mixed) {
        std::sort(posts.begin() + static_cast<std::ptrdiff_t>(i),
                  posts.begin() + static_cast<std::ptrdiff_t>(j), [](const Post& a, const Post& b) {
                    if (a.kind != b.kind) return a.kind < b.kind;
                    const int c = a.key.compare(b.key);
                    return c != 0 ? c < 0 : a.chunk < b.chunk;
                  });
      }
      i = j;
    }
    if (!posts.empty()) {
      const std::int64_t batch_id = store_.next_batch();
      std::string ids;
      for (std::size_t i = 0; i < posts.size();) {
        std::size_t j = i;
        ids.clear();
        std::int64_t prev = 0;
        for (; j < posts.size() && posts[j].kind == posts[i].kind && same_text(posts[j].key, posts[i].key);
             ++j) {
          if (posts[j].chunk == prev) continue;
          put_varint(ids, static_cast<std::uint64_t>(posts[j].chunk - prev));
          prev = posts[j].chunk;
        }
        store_.add_posting(posts[i].kind, posts[i].key, batch_id, ids);
        i = j;
      }
    }
    // With an open chunk, it is the tail: the file is indexed up to its
    // start and it is read again (and replaced) next time.
    file_.indexed = batch.indexed;
    file_.lines = batch.lines;
    file_.seen = open ? seen : batch.indexed;
    file_.tail = open ? std::optional<std::int64_t>(open->row.id) : std::nullopt;
    store_.update_file(file_);
    t.commit();
  }

  Store& store_;
  FileRow& file_;
  bool live_;
  std::unique_ptr<ZSTD_CCtx, CctxFree> cctx_;
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

// Groups lines into chunks at entry starts and writes them in batches.
class Chunker final : public LineSink {
 public:
  using Progress = std::function<void(std::int64_t done)>;
  Chunker(Store& store, FileRow& file, std::size_t max_entry, bool live, IngestTotals& totals,
          Progress progress)
      : max_entry_(max_entry),
        live_(live),
        totals_(totals),
        file_id_(file.id),
        offset_(file.indexed),
        line_(file.lines + 1),
        last_commit_(Clock::now()),
        progress_(std::move(progress)),
        reported_(offset_),
        writer_(store, file, live) {
    start_chunk();
  }

  Flow feed(std::string_view lines) override {
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
  void start_chunk() {
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

  // One line of the log; `real` is how many bytes of the file it stands for
  // before the rest of a cut line (reported by dropped()).
  void take_line(std::string_view line, std::size_t real) {
    const bool begins = format::starts_entry(line);
    if (begins) {
      if (open_.raw.size() >= kChunkTarget || force_close_) close_chunk();
      entry_size_ = 0;
      entry_cut_ = false;
      ++open_.row.entries;
      ++totals_.entries;
      Header h;
      parse_header(line.substr(0, std::min(line.size(), max_entry_)), h);
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

  void close_chunk() {
    if (open_.raw.empty()) return;
    pending_bytes_ += open_.raw.size();
    batch_.chunks.push_back(std::move(open_));
    force_close_ = false;
    start_chunk();
    open_.raw.reserve(kChunkTarget + (kChunkTarget >> 2));
  }

  void maybe_commit(bool with_open) {
    const bool due = pending_bytes_ >= kBatchBytes || Clock::now() - last_commit_ >= kBatchTime;
    if (!due) return;
    if (live_ || with_open)
      commit(true);
    else if (!batch_.chunks.empty())
      hand_off();
  }

  // The closed chunks go to the writer's thread; parsing goes on.
  void hand_off() {
    batch_.indexed = open_.row.offset;
    batch_.lines = open_.row.line - 1;
    writer_.submit(std::move(batch_));
    batch_ = Writer::Batch{};
    pending_bytes_ = 0;
    dirty_ = false;
    last_commit_ = Clock::now();
  }

  // Everything, the open chunk as the file's tail, written now.
  void commit(bool with_open) {
    writer_.drain();
    batch_.indexed = open_.row.offset;
    batch_.lines = open_.row.line - 1;
    Chunk* open = with_open && !open_.raw.empty() ? &open_ : nullptr;
    writer_.write_now(batch_, open, offset_);
    for (Chunk& c : batch_.chunks) {
      if (spare_.size() < kSpareChunks) spare_.push_back(std::move(c));
    }
    batch_ = Writer::Batch{};
    pending_bytes_ = 0;
    dirty_ = false;
    last_commit_ = Clock::now();
  }

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
  Writer::Batch batch_;       // closed chunks not yet handed to the writer
  std::vector<Chunk> spare_;  // written chunks, their buffers kept for reuse
  std::size_t pending_bytes_ = 0;
  std::size_t entry_size_ = 0;
  bool entry_cut_ = false;
  bool force_close_ = false;
  bool dirty_ = false;  // lines taken since the last commit
  Writer writer_;       // last: its thread ends first
};

// Ignores idle notices: the chunker commits on its own.
class NoSink : public EntrySink {
 public:
  Flow entry(const Entry&) override { return Flow::kContinue; }
};

}  // namespace

std::int64_t fingerprint(std::string_view head) { return static_cast<std::int64_t>(fnv1a(head) & 0x7fffffffffffffffull); }

Ingester::Ingester(Store& store, IngestOptions options) : store_(store), options_(std::move(options)) {}

Error Ingester::add(const std::string& path) {
  const bool is_stdin = path == "-";
  const int fd = is_stdin ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::from_errno(errno);
  struct Closer {
    int fd;
    ~Closer() {
      if (fd > 2) ::close(fd);
    }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Error::from_errno(errno);
  if (S_ISDIR(st.st_mode)) return Error::from_errno(EISDIR);
  const bool live = !S_ISREG(st.st_mode);
  ++totals_.inputs;

  // Sniff gzip, then read the content's first bytes for the fingerprint.
  std::unique_ptr<ByteStream> raw = std::make_unique<FdStream>(fd, live);
  std::string magic;
  if (read_some(*raw, magic, 2, live) == ReadStatus::kError) return raw->error();
  const bool gzip = is_gzip_magic(magic.data(), magic.size());
  std::unique_ptr<ByteStream> stream = std::make_unique<FdStream>(fd, live, magic);
  if (gzip) stream = std::make_unique<GzipStream>(std::move(stream));
  std::string head;
  if (read_some(*stream, head, kFingerprintBytes, live) == ReadStatus::kError) return stream->error();
  if (head.empty()) return {};  // nothing to index yet

  // Content seen before, under this name or another (rotated, gzipped)?
  std::optional<FileRow> known;
  for (const std::int64_t len : store_.fingerprint_lengths()) {
    if (static_cast<std::size_t>(len) > head.size()) continue;
    known =
        store_.find_file(len, fingerprint(std::string_view(head).substr(0, static_cast<std::size_t>(len))));
    if (known) break;
  }
  const bool plain_file = !live && !gzip;
  if (known && plain_file && st.st_size < known->seen) known.reset();  // replaced: new content
  FileRow file;
  if (known) {
    file = *known;
    file.path = path;
    if (plain_file && st.st_size == file.seen) {
      db::Transaction t(store_.database());
      store_.update_file(file);  // a rotated file keeps its entries under its new name
      t.commit();
      return {};
    }
  } else {
    db::Transaction t(store_.database());
    file.id = store_.add_file(path, static_cast<std::int64_t>(head.size()), fingerprint(head));
    file.path = path;
    file.fp_len = static_cast<std::int64_t>(head.size());
    file.fp = fingerprint(head);
    t.commit();
  }
  if (static_cast<std::size_t>(file.fp_len) < head.size()) {
    file.fp_len = static_cast<std::int64_t>(head.size());  // a longer, surer fingerprint
    file.fp = fingerprint(head);
  }

  // Position at what is new: seek a plain file, read past it otherwise.
  std::unique_ptr<ByteStream> input;
  if (plain_file) {
    if (::lseek(fd, file.indexed, SEEK_SET) < 0) return Error::from_errno(errno);
    input = std::make_unique<FdStream>(fd, false);
  } else {
    input = std::make_unique<ReplayStream>(std::move(head), std::move(stream));
    std::int64_t skip = file.indexed;
    std::string discard;
    while (skip > 0) {
      discard.clear();
      const ReadStatus s =
          read_some(*input, discard, static_cast<std::size_t>(std::min<std::int64_t>(skip, 1 << 16)), false);
      skip -= static_cast<std::int64_t>(discard.size());
      if (s == ReadStatus::kError) return input->error();
      if (s != ReadStatus::kData && discard.empty()) break;
    }
    if (skip > 0) return {};  // shorter than what is indexed: nothing new
  }
  Chunker::Progress progress;
  if (options_.progress) {
    const std::int64_t total = plain_file ? static_cast<std::int64_t>(st.st_size) : -1;
    progress = [this, &path, total](std::int64_t done) { options_.progress(path, done, total); };
  }
  Chunker chunker(store_, file, options_.max_entry, live, totals_, std::move(progress));
  NoSink idle;
  LineFeeder feeder(chunker, idle, options_.max_entry);
  const FeedOutcome outcome = feeder.run(*input);
  chunker.finish();
  return outcome.error;
}

}  // namespace tracegrep::index
