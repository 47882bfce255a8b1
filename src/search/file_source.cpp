// search/: files and standard input as sources. source/ opens the input
// and says how it is best read; here its lines meet the assembler, and a
// large mapped file with a literal to skip to is searched in two halves at
// once (the page faults and the search of each half on its own core).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "search/source.hpp"
#include "source/feeder.hpp"
#include "source/input.hpp"
#include "source/mapped.hpp"

namespace tracegrep {

namespace detail {
std::atomic<std::uint64_t> g_split_scans{0}, g_split_fallbacks{0};
}

namespace {

// Files smaller than this are not worth a second thread.
constexpr off_t kParallelMin = off_t{64} << 20;

// Passes entries on until the file is found truncated; then the entries
// still being assembled may hold the zeros mapped in its place: drop them.
class TruncationGuard : public EntrySink {
 public:
  explicit TruncationGuard(EntrySink& next) : next_(next) {}
  Flow entry(const Entry& e) override { return mapped_file_shrank() ? Flow::kStop : next_.entry(e); }
  Flow late_lines(std::string_view lines) override {
    return mapped_file_shrank() ? Flow::kStop : next_.late_lines(lines);
  }

 private:
  EntrySink& next_;
};

// Keeps the entries found in the second half of a file, to be printed after
// the first half's; gives up past kCollectCap bytes (then the first half's
// thread goes on into the second half itself).
class Collector : public EntrySink {
 public:
  explicit Collector(const std::atomic<bool>& cancel) : cancel_(cancel) {}
  Flow entry(const Entry& e) override {
    if (cancel_ || mapped_file_shrank() || arena_.size() + e.text.size() > kCollectCap) {
      overflowed_ = !cancel_ && !mapped_file_shrank();
      return Flow::kStop;
    }
    records_.push_back({arena_.size(), e.text.size(), e.line, e.cut});
    arena_.append(e.text);
    return Flow::kContinue;
  }
  bool overflowed() const { return overflowed_; }

  // Sends the kept entries on, their line numbers moved on by `lines_before`.
  Flow replay(EntrySink& sink, std::uint64_t lines_before, std::size_t max_entry) const {
    Header header;
    for (const Record& r : records_) {
      const std::string_view text(arena_.data() + r.at, r.size);
      const auto nl = text.find('\n');
      const std::size_t first = nl == std::string_view::npos ? text.size() : nl + 1;
      parse_header(text.substr(0, std::min(first, max_entry)), header);
      const std::uint64_t line = r.line > 0 ? r.line + lines_before : 0;
      if (sink.entry(Entry{&header, text, r.cut, line}) == Flow::kStop) return Flow::kStop;
    }
    return Flow::kContinue;
  }

 private:
  static constexpr std::size_t kCollectCap = std::size_t{4} << 20;  // heap stays under 16 MiB
  struct Record {
    std::size_t at;
    std::size_t size;
    std::uint64_t line;
    bool cut;
  };
  const std::atomic<bool>& cancel_;
  std::string arena_;
  std::vector<Record> records_;
  bool overflowed_ = false;
};

// Searches the first `size` bytes of the mapped file `fd`. Sets `mapped`
// false (searching nothing) when it cannot be mapped.
FeedOutcome search_mapped(int fd, off_t size, Assembler& assembler, EntrySink& sink, std::size_t max_entry,
                          bool& mapped) {
  begin_mapped_scan();
  TruncationGuard guard(sink);
  Assembler first = assembler.sibling(guard);
  const off_t split =
      size >= kParallelMin && assembler.skips_lines() && std::thread::hardware_concurrency() >= 2
          ? split_point(fd, size)
          : -1;
  if (split <= 0) {
    FeedOutcome out = scan_range(fd, 0, size, first, max_entry, mapped);
    if (!mapped || out.error || out.flow == Flow::kStop) return out;
    if (first.flush() == Flow::kStop) return {Flow::kStop, {}};
    return {};
  }
  ++detail::g_split_scans;
  std::atomic<bool> cancel{false};
  Collector collector(cancel);
  Assembler second = assembler.sibling(collector);
  FeedOutcome second_out;
  bool second_mapped = true;
  std::thread worker([&] {
    second_out = scan_range(fd, split, size, second, max_entry, second_mapped);
    if (second_mapped && !second_out.error && second_out.flow != Flow::kStop) second.flush();
  });
  FeedOutcome out = scan_range(fd, 0, split, first, max_entry, mapped);
  if (!mapped || out.error || out.flow == Flow::kStop) cancel = true;
  worker.join();
  if (!mapped || out.error || out.flow == Flow::kStop) return out;
  // `split` starts an entry, so the first half's last entry is complete.
  const std::uint64_t lines_before = first.line_no() - 1;
  if (first.flush() == Flow::kStop) return {Flow::kStop, {}};
  if (second_out.error) return second_out;
  if (second_mapped && !collector.overflowed()) {
    if (collector.replay(guard, lines_before, max_entry) == Flow::kStop) return {Flow::kStop, {}};
    return {};
  }
  // Too much to keep (or the second mapping failed): go on alone.
  ++detail::g_split_fallbacks;
  out = scan_range(fd, split, size, first, max_entry, mapped);
  mapped = true;
  if (out.error || out.flow == Flow::kStop) return out;
  if (first.flush() == Flow::kStop) return {Flow::kStop, {}};
  return {};
}

// A followed file read by the event loop: its stream and line feeder.
class FollowSearch final : public LiveSearch {
 public:
  FollowSearch(Assembler& assembler, EntrySink& sink, std::size_t max_entry)
      : feeder_(assembler, sink, max_entry) {}
  SourceStep step() override {
    const FeedStep s = feeder_.step(in_.stream());
    return {s.done, {s.outcome.flow, s.outcome.error}, s.due_in_ms};
  }
  OpenInput in_;
  LineFeeder feeder_;
};

class FileSource final : public Source {
 public:
  FileSource(std::string path, InputOptions options) : path_(std::move(path)), options_(std::move(options)) {
    struct stat st {};
    apart_ = path_ != "-" && options_.follow == FollowMode::kNo && ::stat(path_.c_str(), &st) == 0 &&
             S_ISREG(st.st_mode);
  }
  InputName name() const override { return input_name(path_); }
  SourceOutcome search(Assembler& assembler, EntrySink& sink, const Notice& notice) override {
    assembler.reset();
    InputOptions options = options_;
    options.notice = notice;
    OpenInput in;
    if (Error e = open_input(path_, options, in)) return {Flow::kContinue, e};
    switch (in.kind()) {
      case OpenInput::Kind::kWhole:
        return {feed_whole(in.bytes(), assembler), {}};
      case OpenInput::Kind::kMapped: {
        bool mapped = false;
        const FeedOutcome out = search_mapped(in.fd(), in.size(), assembler, sink, options.max_entry, mapped);
        if (mapped) return {out.flow, out.error};
        in.read_instead();  // a file system without mmap
        break;
      }
      case OpenInput::Kind::kStream:
        break;
    }
    const FeedOutcome out = LineFeeder(assembler, sink, options.max_entry).run(in.stream());
    return {out.flow, out.error};
  }
  std::unique_ptr<LiveSearch> start_live(Assembler& assembler, EntrySink& sink, const Notice& notice,
                                         WakeGroup& group, std::size_t id) override {
    if (options_.follow != FollowMode::kYes || path_ == "-") return nullptr;
    InputOptions options = options_;
    options.notice = notice;
    auto live = std::make_unique<FollowSearch>(assembler, sink, options.max_entry);
    if (open_input(path_, options, live->in_) || live->in_.kind() != OpenInput::Kind::kStream ||
        !live->in_.stream().join(group, id))
      return nullptr;
    assembler.reset();
    live->feeder_.start();
    return live;
  }
  bool runs_apart() const override { return apart_; }

  std::string head(std::size_t max) const override {
    if (!apart_) return {};
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    std::string out(max, '\0');
    const ssize_t got = ::pread(fd, out.data(), out.size(), 0);
    ::close(fd);
    out.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    if (is_gzip_magic(out.data(), out.size())) return {};
    return out;
  }

 private:
  std::string path_;
  InputOptions options_;
  bool apart_ = false;
};

}  // namespace

std::unique_ptr<Source> file_source(std::string path, const InputOptions& options) {
  return std::make_unique<FileSource>(std::move(path), options);
}

}  // namespace tracegrep
