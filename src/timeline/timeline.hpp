// timeline/: pure data. The entries of one request, from any number of
// files or services, put in time order with offsets, gaps, the largest gap,
// and notes where the clocks make the picture doubtful. No I/O here.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tracegrep/format.hpp"

namespace tracegrep::timeline {

/// One entry as the timeline needs it (copied out of a scan or the index).
struct Item {
  std::string source;            ///< the file (or service) it came from
  std::size_t source_index = 0;  ///< order of the source among the inputs
  std::uint64_t line = 0;
  bool has_ts = false;
  format::Timestamp ts;
  format::Level level = format::Level::kNone;
  std::string level_text;
  std::string request;
  std::string session;
  std::string message;                    ///< the first line's message
  std::vector<std::string> continuation;  ///< the lines after it
  std::string attrs;                      ///< its attributes: members of a JSON object
  bool cut = false;                       ///< the entry was cut at the size limit
};

struct Request {
  std::string request;
  std::string session;
  std::vector<std::string> sources;  ///< in input order
  std::optional<format::Timestamp> start, end;
  std::int64_t duration_ns = 0;
  format::Level highest = format::Level::kNone;
  std::vector<Item> items;                 ///< in time order
  std::vector<std::int64_t> offset_ns;     ///< from start, per item (one without a time: the time it borrowed)
  std::vector<std::int64_t> gap_ns;        ///< since the previous timed item (0 without a time)
  std::optional<std::size_t> largest_gap;  ///< index of the item after the largest gap
  std::vector<std::string> notes;          ///< clock trouble, said plainly
};

/// Orders the items: by time, entries with equal times keeping their order
/// within a file and, across files, the order of the sources. Entries
/// without a time keep their place after the entry before them in their file.
Request build_request(std::vector<Item> items);

/// One line of a session's summary or of `tracegrep requests`.
struct RequestSummary {
  std::string request;  ///< empty: entries of the session outside any request
  std::string session;
  std::optional<format::Timestamp> start, end;
  std::int64_t duration_ns = 0;
  std::size_t entries = 0;
  format::Level highest = format::Level::kNone;
  std::vector<std::string_view> sources;  ///< interned: valid until the process ends
  std::string first_message;
};

/// Summaries are kept in a deque: no spare capacity, and sorted in place.
using Summaries = std::deque<RequestSummary>;

/// Sorts stably by `less` with no copy of the summaries (an index of 4
/// bytes each is sorted, then the summaries are moved into place).
void sort_summaries(Summaries& s,
                    const std::function<bool(const RequestSummary&, const RequestSummary&)>& less);

/// Builds request summaries one item at a time: memory grows with the
/// number of requests, not of entries (about 300 bytes a request).
class RequestSummarizer {
 public:
  void add(const Item& it);
  /// The summaries in order of their first entry in time (requests without a
  /// time last, in the order they were seen).
  Summaries take();

 private:
  RequestSummary& find_or_add(const Item& it);
  void grow();
  Summaries out_;
  std::vector<std::uint32_t> slots_;  // open addressing: 1 + index into out_, 0 = empty
  std::string last_source_;
  std::string_view last_interned_;
};

/// The one copy of `name` kept for the process (sources are few).
std::string_view intern(std::string_view name);

/// Groups items by request, as RequestSummarizer does.
Summaries summarize(const std::vector<Item>& items);

/// The items of one request, from a larger set.
std::vector<Item> items_of(const std::vector<Item>& items, const std::string& request);

/// Nanoseconds from a to b.
/// b - a in nanoseconds, held at the ends of int64's range (about 292 years).
std::int64_t diff_ns(const format::Timestamp& a, const format::Timestamp& b);

/// What `tracegrep sessions` shows of one session.
struct SessionSummary {
  std::string session;
  std::optional<format::Timestamp> first, last;
  std::size_t requests = 0, entries = 0, errors = 0;
  format::Level highest = format::Level::kNone;
};
/// Builds session summaries one item at a time (memory grows with the
/// number of sessions and requests, not of entries).
class SessionSummarizer {
 public:
  void add(const Item& it);
  std::vector<SessionSummary> take();

 private:
  std::map<std::string, SessionSummary> by_;
  std::map<std::string, std::set<std::string>> requests_;
};

}  // namespace tracegrep::timeline
