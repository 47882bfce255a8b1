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
#include <map>
#include <set>

#include "cli/plan.hpp"
#include "cli/run.hpp"
#include "index/check.hpp"
#include "index/chunk.hpp"
#include "index/forget.hpp"
#include "index/ingest.hpp"
#include "index/store.hpp"
#include "index/summary.hpp"
#include "match/time_bound.hpp"
#include "print/escape.hpp"
#include "search/merge.hpp"
#include "search/searcher.hpp"

namespace tracegrep {
namespace {

// One writer at a time: a lock file beside the index, held for the whole
// run and released by the kernel even after kill -9. Readers never take it.
class WriterLock {
 public:
  WriterLock(const std::string& db, Reporter& reporter) {
    const std::string path = db + ".lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);  // owner-only, as the index
    if (fd_ < 0) {
      error_ = Error::from_errno(errno);
      return;
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      reporter.notice(db, "another tracegrep index is writing; waiting for it");
      while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
      }
    }
  }
  ~WriterLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;
  const Error& error() const { return error_; }

 private:
  int fd_ = -1;
  Error error_;
};

// What SQLite or our own checks found wrong with the index at `path`.
void report_store_error(Reporter& reporter, const std::string& path, const std::exception& e) {
  const auto* db_error = dynamic_cast<const db::Error*>(&e);
  const bool corrupt = db_error && db_error->corrupt();
  reporter.error(fmt::format("{}: {}{}", path, e.what(),
                             corrupt ? "; the index is damaged: remove it and index again" : ""));
}

std::string mb(std::int64_t bytes) { return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6); }

std::string safe_name(std::string_view name) {
  std::string out;
  append_terminal_safe(out, name);
  return out;
}

std::string plural(std::int64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// The index keeps the logs' text: says so when it lets users read what a
// log it is given does not (an index made by tracegrep is 0600; one made
// otherwise, or chmod-ed, may not be).
void warn_if_exposed(const std::string& db, const std::vector<std::string>& files, Reporter& reporter) {
  struct stat d {};
  if (::stat(db.c_str(), &d) != 0) return;
  for (const std::string& f : files) {
    struct stat l {};
    if (f == "-" || ::stat(f.c_str(), &l) != 0) continue;
    if (l.st_mode & S_IROTH) continue;  // everyone may read the log anyway
    const bool others = (d.st_mode & S_IROTH) != 0;
    const bool group = (d.st_mode & S_IRGRP) && !((l.st_mode & S_IRGRP) && l.st_gid == d.st_gid);
    if (!others && !group) continue;
    reporter.notice(safe_name(db),
                    fmt::format("readable by {} (mode {:04o}) who cannot read {} ({:04o}), and it holds its "
                                "text: chmod 600 {}",
                                others ? "every user" : "its group", d.st_mode & 07777, safe_name(f),
                                l.st_mode & 07777, safe_name(db)));
    return;  // once
  }
}

// index --check: read-only; exit 0 when nothing is wrong, 2 otherwise.
int check_command(const std::string& path, Reporter& reporter) {
  try {
    index::Store store(path, index::Access::kRead);
    const index::CheckReport r = index::check(store);
    for (const std::string& s : r.sqlite) reporter.error(path, Error::condition("SQLite: " + s));
    std::set<std::string> files;
    for (const auto& d : r.damaged) {
      reporter.error(path, Error::condition(fmt::format("chunk {} ({}, from line {}) is damaged", d.id,
                                                        safe_name(d.file), d.line)));
      files.insert(d.file);
    }
    for (const auto& d : r.miscount) {
      reporter.error(path, Error::condition(fmt::format("chunk {} ({}, from line {}) holds another number of "
                                                        "entries than its row says",
                                                        d.id, safe_name(d.file), d.line)));
      files.insert(d.file);
    }
    for (const std::string& p : r.postings) reporter.error(path, Error::condition(safe_name(p)));
    const auto listed = static_cast<std::int64_t>(r.postings.size());
    if (r.postings_missing > listed)
      reporter.error(path, Error::condition(fmt::format("{} more ids not in their postings",
                                                        r.postings_missing - listed)));
    for (const std::string& c : r.coverage) reporter.error(path, Error::condition(safe_name(c)));
    for (const std::string& m : r.summary) reporter.error(path, Error::condition(safe_name(m)));
    if (r.summaries_wrong > static_cast<std::int64_t>(r.summary.size()))
      reporter.error(path, Error::condition(
                               fmt::format("{} more summaries disagree with their entries",
                                           r.summaries_wrong - static_cast<std::int64_t>(r.summary.size()))));
    if (r.ok()) {
      reporter.say(
          fmt::format("{}: no damage: SQLite's integrity check, {} of {} decompressed and checked, "
                      "the postings of {} complete, {} as their entries give them",
                      safe_name(path), plural(r.chunks, "chunk", "chunks"), plural(r.files, "file", "files"),
                      plural(r.ids, "id", "ids"), plural(r.summaries, "summary", "summaries")));
      return kExitMatch;
    }
    for (const std::string& f : files)
      reporter.notice(safe_name(f), fmt::format("to index it again: tracegrep index --db {0} --forget {1} && "
                                                "tracegrep index --db {0} {1}",
                                                path, f));
    if (r.postings_missing > 0)
      reporter.notice(path, "the postings miss ids their chunks hold: index the logs again into a new index");
    if (r.summaries_wrong > 0)
      reporter.notice(path, "the summaries disagree with the entries: index the logs again into a new index");
    if (!r.coverage.empty())
      reporter.notice(path,
                      "entries were lost with the chunks that held them: index the logs again into a new "
                      "index");
    if (!r.sqlite.empty())
      reporter.notice(path, "SQLite finds the database itself damaged: remove it and index the logs again");
    return kExitError;
  } catch (const index::BadIndex& e) {
    report_store_error(reporter, path, e);
  } catch (const db::Error& e) {
    report_store_error(reporter, path, e);
  }
  return kExitError;
}

// Whether the file at `path` is gzip (its magic bytes).
bool is_gzip_file(const std::string& path) {
  unsigned char magic[2] = {0, 0};
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool gz = ::read(fd, magic, 2) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  ::close(fd);
  return gz;
}

// One file of the index as --status tells it.
struct FileStatus {
  const index::FileRow* row;
  std::int64_t lines = 0;    // in closed chunks and the tail
  std::int64_t entries = 0;  // in its chunks
  std::string layout;
  std::optional<std::int64_t> size_now;  // nullopt: gone
  bool gzip = false;
};

int print_status(index::Store& store, const std::string& path, bool json) {
  index::Stats st = store.stats(!store.has_summaries());
  if (store.has_summaries()) {
    index::SummaryView summaries(store);
    st.sessions = summaries.session_count();
    st.requests = summaries.request_count();
  }
  std::error_code ec;
  const auto db_size = static_cast<std::int64_t>(std::filesystem::file_size(path, ec));
  const auto wal = std::filesystem::file_size(path + "-wal", ec);
  const std::int64_t wal_size = ec ? 0 : static_cast<std::int64_t>(wal);
  const std::vector<index::FileRow> files = store.files();
  std::vector<FileStatus> status;
  std::vector<std::int64_t> tails;
  for (const index::FileRow& f : files) {
    FileStatus fs{&f, f.lines, 0, store.file_layout(f.id), std::nullopt, false};
    struct stat sb {};
    if (::stat(f.path.c_str(), &sb) == 0) {
      fs.size_now = sb.st_size;
      fs.gzip = is_gzip_file(f.path);
    }
    if (f.tail) tails.push_back(*f.tail);
    status.push_back(std::move(fs));
  }
  // Lines and entries: the closed chunks' count, and the tails' lines read
  // from their text (a small file is all tail).
  std::map<std::int64_t, FileStatus*> by_id;
  for (FileStatus& fs : status) by_id[fs.row->id] = &fs;
  for (const index::ChunkRow& row : store.chunk_rows()) {
    if (const auto it = by_id.find(row.file); it != by_id.end()) it->second->entries += row.entries;
  }
  index::Unpacker unpacker;
  std::string raw;
  store.for_each_chunk(&tails, [&](const index::ChunkRow& row, std::string_view packed) {
    unpacker.unpack(packed, row.raw_size, raw);
    if (const auto it = by_id.find(row.file); it != by_id.end())
      it->second->lines += std::count(raw.begin(), raw.end(), '\n');
  });
  if (json) {
    std::string out = "{\"index\":";
    append_json_string(out, path);
    out += fmt::format(
        ",\"schema\":{},\"bytes\":{},\"wal_bytes\":{},\"files\":{},\"entries\":{},\"sessions\":{},"
        "\"requests\":{},\"log_bytes\":{},\"chunks\":{},\"inputs\":[",
        store.has_summaries() ? index::kSchemaVersion : 1, db_size, wal_size, st.files, st.entries,
        st.sessions, st.requests, st.raw_bytes, st.chunks);
    for (std::size_t i = 0; i < status.size(); ++i) {
      const FileStatus& fs = status[i];
      out += i ? ",{\"path\":" : "{\"path\":";
      append_json_string(out, fs.row->path);
      out += fmt::format(",\"indexed_bytes\":{},\"lines\":{},\"entries\":{},\"layout\":", fs.row->seen,
                         fs.lines, fs.entries);
      if (fs.layout.empty())
        out += "null";
      else
        append_json_string(out, fs.layout);
      out += fmt::format(",\"gzip\":{},\"bytes_now\":{}}}", fs.gzip ? "true" : "false",
                         fs.size_now ? std::to_string(*fs.size_now) : "null");
    }
    out += "]}\n";
    fmt::print("{}", out);
    return kExitMatch;
  }
  fmt::print("index {} ({} + {} write-ahead log)\n", path, mb(db_size), mb(wal_size));
  fmt::print("{}, {}, {}, {}, {} of log in {}\n", plural(st.files, "file", "files"),
             plural(st.entries, "entry", "entries"), plural(st.sessions, "session", "sessions"),
             plural(st.requests, "request", "requests"), mb(st.raw_bytes),
             plural(st.chunks, "chunk", "chunks"));
  for (const FileStatus& fs : status) {
    std::string now = "gone";
    if (fs.size_now)
      now = fs.gzip ? fmt::format("gzip, {} bytes on disk now", *fs.size_now)
                    : fmt::format("{} bytes now", *fs.size_now);
    fmt::print("  {}  indexed {} bytes, {}, {}{}  ({})\n", safe_name(fs.row->path), fs.row->seen,
               plural(fs.lines, "line", "lines"), plural(fs.entries, "entry", "entries"),
               fs.layout.empty() ? "" : ", read as " + fs.layout, now);
  }
  return kExitMatch;
}

// index --forget-before / --forget: one transaction, then VACUUM.
int forget_command(const IndexArgs& args, const std::string& path, Reporter& reporter) {
  std::optional<TimeBound> before;
  if (!args.forget_before.empty()) {
    before = parse_time_bound(args.forget_before, BoundKind::kSince, TimeContext::current(false));
    if (!before) {
      reporter.error(fmt::format("--forget-before '{}': not a time; use {}", args.forget_before, kTimeForms));
      return kExitError;
    }
  }
  try {
    {
      index::Store probe(path, index::Access::kRead);  // no index here: said without making one
    }
    WriterLock lock(path, reporter);
    if (lock.error()) {
      reporter.error(path, lock.error());
      return kExitError;
    }
    std::error_code ec;
    const auto size_before = std::filesystem::file_size(path, ec);
    index::Forgotten total;
    bool missing = false;
    {
      index::Store store(path, index::Access::kWrite);
      for (const std::string& name : args.forget) {
        std::optional<std::int64_t> id;
        for (const index::FileRow& f : store.files()) {
          if (f.path == name) id = f.id;
        }
        if (!id) {
          reporter.error(
              fmt::format("{}: not in the index (tracegrep index --status lists its files)", name));
          missing = true;
          continue;
        }
        const index::Forgotten f = index::forget_file(store, *id);
        total.chunks += f.chunks;
        total.entries += f.entries;
        total.raw_bytes += f.raw_bytes;
        total.files += f.files;
      }
      if (before) {
        const index::Forgotten f =
            index::forget_before(store, [&](const format::Timestamp& t) { return t < before->for_time(t); });
        total.chunks += f.chunks;
        total.entries += f.entries;
        total.raw_bytes += f.raw_bytes;
        total.files = std::max(total.files, f.files);
      }
    }  // closed: the write-ahead log is checkpointed into the file, which shrinks
    const auto size_after = std::filesystem::file_size(path, ec);
    if (!args.quiet && (!missing || total.chunks > 0)) {
      reporter.say(fmt::format("forgot {} {} ({} of log in {} {}) from {} {}; the index is {} (was {})",
                               total.entries, total.entries == 1 ? "entry" : "entries", mb(total.raw_bytes),
                               total.chunks, total.chunks == 1 ? "chunk" : "chunks", total.files,
                               total.files == 1 ? "file" : "files", mb(static_cast<std::int64_t>(size_after)),
                               mb(static_cast<std::int64_t>(size_before))));
    }
    return missing ? kExitError : kExitMatch;
  } catch (const index::BadIndex& e) {
    report_store_error(reporter, path, e);
  } catch (const db::Error& e) {
    report_store_error(reporter, path, e);
  }
  return kExitError;
}

}  // namespace

int index_command(const IndexArgs& args) {
  Reporter reporter;
  const std::string path = args.db.empty() ? default_index_path() : args.db;
  std::size_t max_entry = kDefaultMaxEntry;
  if (!args.max_entry_size.empty() &&
      (!parse_size(args.max_entry_size, max_entry) || max_entry < kMinMaxEntry || max_entry > kMaxMaxEntry)) {
    reporter.error(messages::bad_max_entry_size(args.max_entry_size));
    return kExitError;
  }
  if (args.json && !args.status) {
    reporter.error("--json goes with --status (tracegrep index --status --json)");
    return kExitError;
  }
  // A directory stands for the files under it, as in a scan.
  const std::vector<std::string> files = expand_directories(args.files, walk_options());
  const bool forgetting = !args.forget_before.empty() || !args.forget.empty();
  if (forgetting && (!args.files.empty() || args.status)) {
    reporter.error("--forget-before and --forget take no FILE and no --status: run them on their own");
    return kExitError;
  }
  if (forgetting) return forget_command(args, path, reporter);
  if (args.check) {
    if (!args.files.empty() || args.status) {
      reporter.error("--check takes no FILE and no --status: run it on its own");
      return kExitError;
    }
    return check_command(path, reporter);
  }
  if (args.files.empty() && !args.status) {
    reporter.error("index what? give FILEs, or - for standard input (tracegrep index --help)");
    return kExitError;
  }
  if (!args.files.empty() && files.empty()) {
    for (const std::string& f : args.files) reporter.notice(input_name(f).display, "no file to index in it");
    return kExitNoMatch;
  }
  if (args.db.empty()) {
    std::error_code ec;
    // The default index's folder is the user's alone (0700): it holds logs' text.
    const auto dir = std::filesystem::path(path).parent_path();
    if (std::filesystem::create_directories(dir, ec))
      std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::replace, ec);
  }
  try {
    if (args.status) {
      index::Store store(path, index::Access::kRead);
      return print_status(store, path, args.json);
    }
    // Only unreadable inputs: say so, and leave no new empty index behind.
    std::error_code exists_ec;
    if (!std::filesystem::exists(path, exists_ec)) {
      std::vector<std::pair<std::string, int>> unreadable;
      for (const std::string& f : files)
        if (f != "-" && ::access(f.c_str(), R_OK) != 0) unreadable.emplace_back(f, errno);
      if (unreadable.size() == files.size()) {
        for (const auto& [f, e] : unreadable) reporter.error(input_name(f).display, Error::from_errno(e));
        return kExitError;
      }
    }
    WriterLock lock(path, reporter);
    if (lock.error()) {
      reporter.error(path, lock.error());
      return kExitError;
    }
    index::Store store(path, index::Access::kWrite);
    warn_if_exposed(path, files, reporter);
    const bool show = !args.quiet && ::isatty(2);
    const auto start = std::chrono::steady_clock::now();
    index::IngestOptions options;
    options.max_entry = max_entry;
    options.notice = [&reporter](const std::string& file, const std::string& why) {
      reporter.notice(input_name(file).display, why);
    };
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
    // What is new is told from the index itself, before and after: a file's
    // tail is read again each run, and its entries are not new.
    auto seen_bytes = [&store] {
      std::int64_t n = 0;
      for (const index::FileRow& f : store.files()) n += f.seen;
      return n;
    };
    const std::int64_t entries_before = store.stats(false).entries;
    const std::int64_t bytes_before = seen_bytes();
    index::Ingester ingester(store, options);
    for (const std::string& file : files) {
      if (show) fmt::print(stderr, "\rindexing {} ...\x1b[K", file);
      const Error error = ingester.add(file);
      if (error) {
        if (show) fmt::print(stderr, "\r\x1b[K");
        reporter.error(input_name(file).display, error);
      }
    }
    if (show) fmt::print(stderr, "\r\x1b[K");
    if (!args.quiet) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const auto& t = ingester.totals();
      const std::int64_t entries = store.stats(false).entries - entries_before;
      const std::int64_t bytes = seen_bytes() - bytes_before;
      reporter.say(fmt::format("indexed {}: {} new, {} of log in {:.2f} s ({:.0f} MB/s)",
                               plural(t.inputs, "input", "inputs"), plural(entries, "entry", "entries"),
                               mb(bytes), secs, secs > 0 ? static_cast<double>(t.bytes) / 1e6 / secs : 0.0));
    }
    return reporter.status(true);
  } catch (const index::BadIndex& e) {
    report_store_error(reporter, path, e);
  } catch (const db::Error& e) {
    report_store_error(reporter, path, e);
  }
  return kExitError;
}

namespace {

// Opens the plan's indexes (in order) and runs `f(stores)`, reporting
// what is wrong with an index, named; returns f's exit code, or kExitError.
template <typename F>
int with_stores(const Plan& plan, Reporter& reporter, F f) {
  std::vector<std::unique_ptr<index::Store>> stores;
  std::string current;
  try {
    for (const std::string& db : plan.dbs) {
      current = db;
      stores.push_back(std::make_unique<index::Store>(db, index::Access::kRead));
    }
    return f(stores);
  } catch (const index::BadIndex& e) {
    report_store_error(reporter, current, e);
  } catch (const db::Error& e) {
    report_store_error(reporter, current, e);
  }
  return kExitError;
}

// What --merge holds of an index's answer, at most.
constexpr std::size_t kIndexMergeBudget = std::size_t{256} << 20;

// Every index is a source of the search stage, in the order given: several
// answer as one index holding their files, in that order, would.
bool search_stores(std::vector<std::unique_ptr<index::Store>>& stores, const Plan& plan, Output& out,
                   Reporter& reporter, EntrySink& sink) {
  std::vector<std::unique_ptr<Source>> sources;
  for (std::size_t i = 0; i < stores.size(); ++i)
    sources.push_back(
        index_source(*stores[i], plan.dbs[i], plan.sessions, plan.requests, [&out] { return out.closed(); }));
  return Searcher(search_options(plan), reporter, out).in_order(sources, sink);
}

}  // namespace

int query_into(const Plan& plan, Output& out, Reporter& reporter, EntrySink& sink) {
  return with_stores(plan, reporter, [&](std::vector<std::unique_ptr<index::Store>>& stores) {
    return reporter.status(search_stores(stores, plan, out, reporter, sink));
  });
}

std::optional<int> with_summaries(const Plan& plan, Reporter& reporter,
                                  const std::function<int(index::Store&)>& fn) {
  std::optional<int> rc;
  if (plan.dbs.size() != 1) return rc;  // several: computed from their entries
  const int bad = with_stores(plan, reporter, [&](std::vector<std::unique_ptr<index::Store>>& stores) {
    if (stores.front()->has_summaries()) rc = fn(*stores.front());
    return 0;
  });
  if (bad == kExitError) return kExitError;
  return rc;
}

int query_command(Plan& plan, Output& out, Reporter& reporter) {
  return with_stores(plan, reporter, [&](std::vector<std::unique_ptr<index::Store>>& stores) {
    // More than one file in the indexes: name them, as grep does with several.
    if (!plan.filename_chosen) {
      std::size_t files = 0;
      for (auto& store : stores) files += store->files().size();
      plan.style.with_filename = files > 1;
    }
    const auto printer = make_printer(plan, out);
    if (!plan.merge) return reporter.status(search_stores(stores, plan, out, reporter, *printer));
    // --merge: the index gives its entries file after file; they are held
    // (at most kIndexMergeBudget), then merged by time.
    Merge merge(*printer, plan.input_options.max_entry, kIndexMergeBudget);
    MergeInputs inputs(merge);
    const bool matched = search_stores(stores, plan, out, reporter, inputs);
    inputs.end_input();
    if (merge.over_budget()) {
      reporter.error(fmt::format(
          "--merge: the index's matching entries pass {} MiB, more than it holds to merge; narrow the search "
          "(--since/--until, -l, -e) or merge the files themselves (tracegrep --merge -s ID FILE...)",
          kIndexMergeBudget >> 20));
      return kExitError;
    }
    merge.run();
    out.flush();
    return reporter.status(matched);
  });
}

}  // namespace tracegrep
