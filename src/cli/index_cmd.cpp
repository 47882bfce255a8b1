#include "cli/index_cmd.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "cli/run.hpp"
#include "index/ingest.hpp"
#include "index/query.hpp"
#include "index/store.hpp"

namespace tracegrep {
namespace {

void complain(std::string_view what) { fmt::print(stderr, "tracegrep: {}\n", what); }

// One writer at a time: a lock file beside the index, held for the whole
// run and released by the kernel even after kill -9. Readers never take it.
class WriterLock {
 public:
  explicit WriterLock(const std::string& db) {
    const std::string path = db + ".lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      error_ = std::strerror(errno);
      return;
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      complain(fmt::format("{}: another tracegrep index is writing; waiting for it", db));
      while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
      }
    }
  }
  ~WriterLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;
  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  std::string error_;
};

std::string mb(std::int64_t bytes) { return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6); }

int print_status(index::Store& store, const std::string& path) {
  const index::Stats st = store.stats();
  std::error_code ec;
  const auto db_size = std::filesystem::file_size(path, ec);
  const auto wal_size = std::filesystem::file_size(path + "-wal", ec);
  fmt::print("index {} ({} + {} write-ahead log)\n", path, mb(static_cast<std::int64_t>(db_size)),
             mb(ec ? 0 : static_cast<std::int64_t>(wal_size)));
  fmt::print("{} files, {} entries, {} sessions, {} requests, {} of log in {} chunks\n", st.files, st.entries,
             st.sessions, st.requests, mb(st.raw_bytes), st.chunks);
  for (const index::FileRow& f : store.files()) {
    struct stat s {};
    const std::string now = ::stat(f.path.c_str(), &s) == 0 ? fmt::format("{} bytes now", s.st_size) : "gone";
    fmt::print("  {}  indexed {} bytes, {} lines  ({})\n", f.path, f.seen, f.lines, now);
  }
  return kExitMatch;
}

}  // namespace

int index_command(const IndexArgs& args) {
  const std::string path = args.db.empty() ? default_index_path() : args.db;
  std::size_t max_entry = kDefaultMaxEntry;
  if (!args.max_entry_size.empty() &&
      (!parse_size(args.max_entry_size, max_entry) || max_entry < kMinMaxEntry ||
                                        max_entry > kMaxMaxEntry)) {
    complain(fmt::format("--max-entry-size '{}': use a size from 4K to 1G, such as 65536, 64K or 1M",
                         args.max_entry_size));
    return kExitError;
  }
  if (args.files.empty() && !args.status) {
    complain("index what? give FILEs, or - for standard input (tracegrep index --help)");
    return kExitError;
  }
  if (args.db.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  }
  try {
    if (args.status) {
      index::Store store(path, index::Access::kRead);
      return print_status(store, path);
    }
    WriterLock lock(path);
    if (!lock.error().empty()) {
      complain(fmt::format("{}: {}", path, lock.error()));
      return kExitError;
    }
    index::Store store(path, index::Access::kWrite);
    const bool show = !args.quiet && ::isatty(2);
    const auto start = std::chrono::steady_clock::now();
    index::IngestOptions options;
    options.max_entry = max_entry;
    if (show) {
      options.progress = [start](const std::string& file, std::int64_t done, std::int64_t total) {
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
        std::string line = fmt::format("\rindexing {}: {}", file, mb(done));
        if (total > 0) line += fmt::format(" of {}", mb(total));
        line += fmt::format(", {:.0f} MB/s", rate / 1e6);
        if (total > 0 && rate > 0)
          line += fmt::format(", ETA {:.0f} s", static_cast<double>(total - done) / rate);
        fmt::print(stderr, "{}\x1b[K", line);
      };
    }
    index::Ingester ingester(store, options);
    bool failed = false;
    for (const std::string& file : args.files) {
      if (show) fmt::print(stderr, "\rindexing {} ...\x1b[K", file);
      const std::string error = ingester.add(file);
      if (!error.empty()) {
        if (show) fmt::print(stderr, "\r\x1b[K");
        complain(fmt::format("{}: {}", file == "-" ? "(standard input)" : file, error));
        failed = true;
      }
    }
    if (show) fmt::print(stderr, "\r\x1b[K");
    if (!args.quiet) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const auto& t = ingester.totals();
      fmt::print(stderr, "tracegrep: indexed {} inputs: {} entries, {} new in {:.2f} s ({:.0f} MB/s)\n",
                 t.inputs, t.entries, mb(t.bytes), secs,
                 secs > 0 ? static_cast<double>(t.bytes) / 1e6 / secs : 0.0);
    }
    return failed ? kExitError : kExitMatch;
  } catch (const index::BadIndex& e) {
    complain(fmt::format("{}: {}", path, e.what()));
  } catch (const db::Error& e) {
    complain(fmt::format("{}: {}{}", path, e.what(),
                         e.corrupt() ? "; the index is damaged: remove it and index again" : ""));
  }
  return kExitError;
}

int query_into(const Plan& plan, Output& out, EntrySink& sink) {
  try {
    index::Store store(plan.db, index::Access::kRead);
    Tally tally(sink, out, plan.max_count);
    Assembler assembler(*plan.filter, tally, plan.input_options.max_entry, plan.numbers);
    index::query(store, index::QueryIds{plan.sessions, plan.requests}, assembler, tally,
                 [&out] { return out.closed(); });
    return tally.total() > 0 ? kExitMatch : kExitNoMatch;
  } catch (const index::BadIndex& e) {
    complain(fmt::format("{}: {}", plan.db, e.what()));
  } catch (const db::Error& e) {
    complain(fmt::format("{}: {}{}", plan.db, e.what(),
                         e.corrupt() ? "; the index is damaged: remove it and index again" : ""));
  }
  return kExitError;
}

int query_command(Plan& plan, Output& out) {
  std::uint64_t total = 0;
  try {
    index::Store store(plan.db, index::Access::kRead);
    if (!plan.filename_chosen) plan.style.with_filename = store.files().size() > 1;
    const auto printer = make_printer(plan, out);
    Tally tally(*printer, out, plan.max_count);
    Assembler assembler(*plan.filter, tally, plan.input_options.max_entry, plan.numbers);
    const index::QueryIds ids{plan.sessions, plan.requests};
    index::query(store, ids, assembler, tally, [&out] { return out.closed(); });
    total = tally.total();
  } catch (const index::BadIndex& e) {
    complain(fmt::format("{}: {}", plan.db, e.what()));
    return kExitError;
  } catch (const db::Error& e) {
    complain(fmt::format("{}: {}{}", plan.db, e.what(),
                         e.corrupt() ? "; the index is damaged: remove it and index again" : ""));
    return kExitError;
  }
  out.flush();
  return total > 0 ? kExitMatch : kExitNoMatch;
}

}  // namespace tracegrep
