// index/: summaries kept at ingest, from which `requests`, `sessions` and
// `index --status` answer without reading the entries. A request's summary
// (first and last time, entries, highest level, sources, first message,
// session) and a session's (first and last time, requests, entries, errors,
// highest level) are merged from parts: what one chunk holds of one
// (request, session) pair. Merging is order-free: every choice a part makes
// (which message is first, which session was seen first) is decided by
// positions in scan order, so the result is what computing from the entries
// (timeline::RequestSummarizer and SessionSummarizer) gives, however the
// entries were split over chunks, batches, files and runs.
//
// The open chunk of each file (its tail, read again by the next run) is
// summarised apart, in tail parts replaced with the chunk, and merged in
// when a query reads the summaries.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "timeline/timeline.hpp"
#include "tracegrep/format.hpp"

namespace tracegrep {
struct Header;
}

namespace tracegrep::index {

class Store;

/// A position in scan order (file id, then byte in the file), as one number.
inline std::int64_t scan_position(std::int64_t file, std::int64_t offset) { return (file << 40) | offset; }
inline constexpr std::int64_t kNoPosition = std::numeric_limits<std::int64_t>::max();

/// What some entries of one request (or one session) come to.
struct Sum {
  std::string request;
  std::string session;  ///< of the entry first in scan order
  std::optional<format::Timestamp> first, last;
  std::int64_t entries = 0;
  std::int64_t errors = 0;  ///< entries at ERROR or above
  format::Level highest = format::Level::kNone;
  std::int64_t seen = kNoPosition;      ///< scan position of the first entry
  std::int64_t msg_seen = kNoPosition;  ///< scan position of the entry `message` is from
  std::string message;                  ///< of the earliest entry in time (or the first, untimed)
  std::vector<std::int64_t> files;      ///< ids of the files holding entries, ascending

  // 1 when it is stored already (0: a new row).
  std::int64_t row = 0;
  bool mixed = false;         ///< a request: entries carry more than one session
  std::int64_t requests = 0;  ///< a session: distinct requests
};

/// Its last time less its first, in ns (0 without times).
std::int64_t sum_duration(const Sum& s);

/// Adds `part` (other entries of the same request or session) to `into`.
void merge(Sum& into, const Sum& part);

/// Parts being gathered: one Sum per (request, session) pair, of one file's
/// entries in scan order (a chunk's, a batch's).
class Parts {
 public:
  /// Adds one entry: its first line's header, where it is in scan order.
  void add(const Header& h, std::int64_t file, std::int64_t position);
  /// Adds the parts of another set, emptying it.
  void absorb(Parts&& other);
  void clear() { by_.clear(); }
  bool empty() const { return by_.empty(); }
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const auto& [key, sum] : by_) fn(sum);
  }
  std::size_t size() const { return by_.size(); }

 private:
  // By a hash of the pair; a pair whose hash is taken by another goes to
  // the next free number (no key string per pair: a busy batch has 10^5).
  std::unordered_map<std::uint64_t, Sum> by_;
};

/// Where merged summaries are read and written: the store's tables, or an
/// overlay of them for a query (tail parts merged in memory, nothing written).
class SumRows {
 public:
  virtual ~SumRows() = default;
  virtual std::optional<Sum> request(const std::string& id) = 0;
  /// Stores `s` (a part: one session's entries) as a new request unless
  /// one of its id is there; true if it was new.
  virtual bool add_request(const Sum& s) = 0;
  virtual void save_request(Sum& s) = 0;
  virtual std::optional<Sum> session(const std::string& id) = 0;
  virtual void save_session(Sum& s) = 0;
  /// Of a request with entries in several sessions: whether (request,
  /// session) was seen; `add` records it.
  virtual bool has_pair(const std::string& request, const std::string& session) = 0;
  virtual void add_pair(const std::string& request, const std::string& session) = 0;
};

/// Merges parts into the rows: request and session summaries, and the count
/// of distinct requests per session.
void apply(SumRows& rows, const Parts& parts);
void apply(SumRows& rows, const Sum& part);

/// The store's summary tables as SumRows.
std::unique_ptr<SumRows> stored_rows(Store& store);

/// Summaries in memory: over the store's rows when one is given (a query's
/// view, the tails merged in; nothing written), or alone (index --check
/// computes them again from the chunks).
class MemoryRows final : public SumRows {
 public:
  explicit MemoryRows(Store* store) : store_(store) {}
  std::optional<Sum> request(const std::string& id) override;
  bool add_request(const Sum& s) override;
  void save_request(Sum& s) override;
  std::optional<Sum> session(const std::string& id) override;
  void save_session(Sum& s) override;
  bool has_pair(const std::string& request, const std::string& session) override;
  void add_pair(const std::string& request, const std::string& session) override;

  std::unordered_map<std::string, Sum> requests, sessions;  ///< those changed here
  std::set<std::pair<std::string, std::string>> pairs;

 private:
  Store* store_;
};

/// The summaries as a query sees them: the stored ones with every file's
/// tail parts merged in, in memory.
class SummaryView {
 public:
  explicit SummaryView(Store& store);
  ~SummaryView();
  /// Every request summary (requests with an id), in no particular order.
  void for_each_request(const std::function<void(const Sum&)>& fn);
  /// The `n` longest requests that `keep` accepts, and every other as long
  /// as the n-th (ties are ordered by the caller), from the longest kept
  /// apart at ingest; false (and nothing) when those cannot tell.
  bool longest_requests(std::size_t n, const std::function<bool(const Sum&)>& keep, std::vector<Sum>& out);
  void for_each_session(const std::function<void(const Sum&)>& fn);
  std::int64_t request_count();
  std::int64_t session_count();

 private:
  Store& store_;
  std::unique_ptr<MemoryRows> overlay_;
};

/// `tracegrep requests` from the summaries: what RequestSummarizer gives
/// for all the entries, without requests below `min_level`, in its order;
/// with `slowest`, the `slowest` longest of them, longest first (found by
/// the duration index, not by reading every request).
timeline::Summaries request_summaries(Store& store, std::optional<format::Level> min_level,
                                      std::size_t slowest);

/// `tracegrep sessions` from the summaries: what SessionSummarizer gives,
/// only sessions that `format::session_matches` one of `sessions` (when
/// given) and that reach `min_level`.
std::vector<timeline::SessionSummary> session_summaries(Store& store,
                                                        const std::vector<std::string>& sessions,
                                                        std::optional<format::Level> min_level);

/// Summarises what an index holds (an index from before summaries).
void rebuild_summaries(Store& store);

}  // namespace tracegrep::index
