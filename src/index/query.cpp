#include "index/query.hpp"

#include <zstd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "source/input.hpp"
#include "tracegrep/format.hpp"

namespace tracegrep::index {

std::optional<std::vector<std::int64_t>> candidate_chunks(Store& store, const QueryIds& ids) {
  std::vector<std::int64_t> out;
  if (!ids.sessions.empty()) {
    // The -s rule: sessions that start with the id, and the id's prefixes of
    // at least kMinCutSession characters (a log keeps a cut id).
    for (const std::string& s : ids.sessions) {
      store.chunks_for(Kind::kSession, s, true, out);
      for (std::size_t n = format::kMinCutSession; n < s.size(); ++n) {
        store.chunks_for(Kind::kSession, std::string_view(s).substr(0, n), false, out);
      }
    }
  } else if (!ids.requests.empty()) {
    for (const std::string& r : ids.requests) store.chunks_for(Kind::kRequest, r, false, out);
  } else {
    return std::nullopt;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

// Decompresses chunks on a second core, in order, a few ahead of the thread
// that parses them: decompression was over a third of a large query.
class Decompressor {
 public:
  struct Job {
    ChunkRow row;
    std::string packed;
    std::string raw;
    bool done = false;
    bool ok = false;
  };

  Decompressor() : thread_([this] { work(); }) {}
  ~Decompressor() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  /// Queues a chunk; waits while kAhead are queued.
  void push(const ChunkRow& row, std::string_view packed) {
    std::unique_lock<std::mutex> lock(mutex_);
    room_.wait(lock, [this] { return jobs_.size() < kAhead; });
    auto job = std::make_unique<Job>();
    job->row = row;
    job->packed.assign(packed);
    jobs_.push_back(std::move(job));
    wake_.notify_all();
  }
  bool full() {
    std::lock_guard<std::mutex> lock(mutex_);
    return jobs_.size() >= kAhead;
  }
  bool empty() {
    std::lock_guard<std::mutex> lock(mutex_);
    return jobs_.empty();
  }
  /// The oldest chunk, once decompressed.
  std::unique_ptr<Job> pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return jobs_.front()->done; });
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    --next_;  // the worker indexes jobs_ by position; the front was done, so taken
    room_.notify_all();
    return job;
  }

 private:
  static constexpr std::size_t kAhead = 4;

  void work() {
    std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return quit_ || next_ < jobs_.size(); });
      if (quit_) return;
      Job* job = jobs_[next_].get();
      ++next_;
      lock.unlock();
      job->raw.resize(static_cast<std::size_t>(job->row.raw_size));
      const std::size_t n = ZSTD_decompressDCtx(dctx.get(), job->raw.data(), job->raw.size(),
                                                job->packed.data(), job->packed.size());
      lock.lock();
      job->ok = !ZSTD_isError(n) && n == job->raw.size();
      job->done = true;
      done_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_, room_, done_;
  std::deque<std::unique_ptr<Job>> jobs_;
  std::size_t next_ = 0;  // the first job not yet taken by the worker (index into jobs_)
  bool quit_ = false;
  std::thread thread_;  // last: started once the rest exists
};

}  // namespace

std::string damage_message(const std::vector<DamagedChunk>& damaged, const std::string& db) {
  if (damaged.empty()) return {};
  const DamagedChunk& d = damaged.front();
  std::string more;
  if (damaged.size() > 1) more = " and " + std::to_string(damaged.size() - 1) + " more";
  return "chunk " + std::to_string(d.id) + " (" + d.file + ", from line " + std::to_string(d.line) +
         ") is damaged" + more + ": its entries are left out; run 'tracegrep index --check --db " + db + "'";
}

std::vector<DamagedChunk> query(Store& store, const QueryIds& ids, Assembler& assembler, EntrySink& sink,
                                const std::function<bool()>& stopped) {
  std::vector<DamagedChunk> damaged;
  const auto candidates = candidate_chunks(store, ids);
  const std::vector<FileRow> files = store.files();
  std::size_t next_file = 0;  // files before it have been begun and ended
  bool in_file = false;
  bool skip_file = false;  // the sink stopped this file (--max-count)
  std::int64_t current = -1;
  // Every file is begun and ended, in order, even without chunks, so that
  // -c prints a count for each as a scan would.
  auto advance_to = [&](std::int64_t file_id) {
    while (next_file < files.size() && files[next_file].id <= file_id) {
      if (in_file) sink.end_input();
      sink.begin_input(input_name(files[next_file].path));
      in_file = true;
      current = files[next_file].id;
      skip_file = false;
      ++next_file;
    }
  };
  Decompressor decompressor;
  auto consume = [&] {
    const auto job = decompressor.pop();
    if (stopped()) return;
    if (job->row.file != current) advance_to(job->row.file);
    if (!job->ok) {
      const auto f =
          std::find_if(files.begin(), files.end(), [&](const FileRow& r) { return r.id == job->row.file; });
      damaged.push_back({job->row.id, f == files.end() ? "?" : f->path, job->row.line});
      return;
    }
    if (skip_file) return;
    assembler.reset(static_cast<std::uint64_t>(job->row.line));
    if (assembler.feed(job->raw) == Flow::kStop || assembler.flush() == Flow::kStop) skip_file = true;
  };
  store.for_each_chunk(candidates ? &*candidates : nullptr, [&](const ChunkRow& row, std::string_view data) {
    if (stopped()) return;
    if (decompressor.full()) consume();
    decompressor.push(row, data);
  });
  while (!decompressor.empty()) consume();
  if (!stopped()) advance_to(files.empty() ? 0 : files.back().id);
  if (in_file) sink.end_input();
  return damaged;
}

}  // namespace tracegrep::index
