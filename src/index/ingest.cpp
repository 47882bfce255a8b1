#include "index/ingest.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "index/chunker.hpp"
#include "parse/header.hpp"
#include "parse/layout_check.hpp"
#include "parse/line_sink.hpp"
#include "source/feeder.hpp"
#include "source/stream.hpp"
#include "util/hash.hpp"

namespace tracegrep::index {
namespace {

using Clock = std::chrono::steady_clock;

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

// Ignores idle notices: the chunker commits on its own.
class NoSink : public EntrySink {
 public:
  Flow entry(const Entry&) override { return Flow::kContinue; }
};

}  // namespace

std::int64_t fingerprint(std::string_view head) {
  return static_cast<std::int64_t>(fnv1a(head) & 0x7fffffffffffffffull);
}

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
  // A binary file (a NUL byte first, and no line that begins an entry) is
  // left out, as ripgrep leaves it; a log with a zero-filled block is not.
  if (const auto nul = head.find('\0'); nul != std::string::npos && check_layout(head).timed == 0) {
    if (options_.notice)
      options_.notice(path,
                      fmt::format("binary file (a NUL byte at offset {}, no log line), not indexed", nul));
    return {};
  }

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
  // A new file's row is written with its first batch, in one transaction:
  // a run that fails there (a damaged index, a full disk) leaves no trace.
  std::unique_ptr<db::Transaction> first;
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
    first = std::make_unique<db::Transaction>(store_.database());
    file.id = store_.add_file(path, static_cast<std::int64_t>(head.size()), fingerprint(head));
    file.path = path;
    file.fp_len = static_cast<std::int64_t>(head.size());
    file.fp = fingerprint(head);
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
  Chunker chunker(store_, file, options_.max_entry, live, totals_, std::move(progress), std::move(first));
  NoSink idle;
  LineFeeder feeder(chunker, idle, options_.max_entry);
  const FeedOutcome outcome = feeder.run(*input);
  chunker.finish();
  return outcome.error;
}

}  // namespace tracegrep::index
