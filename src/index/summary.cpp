#include "index/summary.hpp"

#include <algorithm>
#include <set>

#include "index/chunk.hpp"
#include "index/db.hpp"
#include "index/store.hpp"
#include "parse/header.hpp"
#include "source/input.hpp"
#include "timeline/timeline.hpp"
#include "util/hash.hpp"

namespace tracegrep::index {
namespace {

// Which entry's message stands first: the earliest in time, the first in
// scan order among equal times; without any time, the first in scan order.
bool message_before(const Sum& a, const Sum& b) {
  if (a.first.has_value() != b.first.has_value()) return a.first.has_value();
  if (a.first && !(*a.first == *b.first)) return *a.first < *b.first;
  return a.msg_seen < b.msg_seen;
}

void merge_files(std::vector<std::int64_t>& into, const std::vector<std::int64_t>& more) {
  for (const std::int64_t f : more) {
    const auto at = std::lower_bound(into.begin(), into.end(), f);
    if (at == into.end() || *at != f) into.insert(at, f);
  }
}

}  // namespace

std::int64_t sum_duration(const Sum& s) {
  return s.first && s.last ? timeline::diff_ns(*s.first, *s.last) : 0;
}

void merge(Sum& into, const Sum& part) {
  if (part.entries == 0) return;
  if (into.entries == 0 || part.seen < into.seen) {
    into.session = part.session;
    into.seen = part.seen;
  }
  if (into.entries == 0 || message_before(part, into)) {
    into.message = part.message;
    into.msg_seen = part.msg_seen;
  }
  if (part.first && (!into.first || *part.first < *into.first)) into.first = part.first;
  if (part.last && (!into.last || *into.last < *part.last)) into.last = part.last;
  into.entries += part.entries;
  into.errors += part.errors;
  if (format::level_rank(part.highest) > format::level_rank(into.highest)) into.highest = part.highest;
  merge_files(into.files, part.files);
}

namespace {

// The Sum of a (request, session) pair in `by`, made with the ids set when
// it is not there yet.
Sum& find_or_add(std::unordered_map<std::uint64_t, Sum>& by, std::string_view request,
                 std::string_view session, bool& fresh) {
  for (std::uint64_t k = fnv1a(session, fnv1a(request) ^ 0x9e3779b97f4a7c15ull);; ++k) {
    auto [it, made] = by.try_emplace(k);
    Sum& s = it->second;
    if (made) {
      s.request.assign(request);
      s.session.assign(session);
      fresh = true;
      return s;
    }
    if (s.request == request && s.session == session) {
      fresh = false;
      return s;
    }
  }
}

}  // namespace

void Parts::add(const Header& h, std::int64_t file, std::int64_t position) {
  if (h.req.empty() && h.session.empty()) return;
  bool fresh = false;
  Sum& s = find_or_add(by_, h.req, h.session, fresh);
  const std::int64_t at = scan_position(file, position);
  if (fresh) {
    s.seen = at;
    s.files.push_back(file);
  }
  // Entries come in scan order: the message is the first entry's until an
  // earlier time comes (RequestSummarizer's rule); decoded only then.
  if (fresh || (h.has_ts && (!s.first || h.ts < *s.first))) {
    s.message.clear();
    decode_message(h, s.message);
    s.message.resize(std::min(s.message.size(), s.message.find('\n')));
    s.msg_seen = at;
  }
  if (h.has_ts) {
    if (!s.first || h.ts < *s.first) s.first = h.ts;
    if (!s.last || *s.last < h.ts) s.last = h.ts;
  }
  ++s.entries;
  if (format::level_rank(h.level) >= format::level_rank(format::Level::kError)) ++s.errors;
  if (format::level_rank(h.level) > format::level_rank(s.highest)) s.highest = h.level;
}

void Parts::absorb(Parts&& other) {
  if (by_.empty()) {
    std::swap(by_, other.by_);
    return;
  }
  for (auto& [key, part] : other.by_) {
    bool fresh = false;
    Sum& s = find_or_add(by_, part.request, part.session, fresh);
    if (fresh)
      s = std::move(part);
    else
      merge(s, part);
  }
  other.by_.clear();
}

namespace {

// A request's part: merged into its row. True when the part's (request,
// session) pair is new, so that the session counts one more request.
bool apply_request(SumRows& rows, const Sum& p) {
  if (p.request.empty()) return false;
  if (rows.add_request(p)) return true;  // most requests are new: tried first, one statement
  bool new_pair = false;
  std::optional<Sum> row = rows.request(p.request);
  if (!row) throw db::Error::damaged("a request summary vanished");
  if (!row->mixed) {
    if (p.session != row->session) {
      row->mixed = true;
      rows.add_pair(row->request, row->session);
      rows.add_pair(p.request, p.session);
      new_pair = true;
    }
  } else if (!rows.has_pair(p.request, p.session)) {
    rows.add_pair(p.request, p.session);
    new_pair = true;
  }
  merge(*row, p);
  rows.save_request(*row);
  return new_pair;
}

void apply_session(SumRows& rows, const Sum& delta) {
  std::optional<Sum> row = rows.session(delta.session);
  if (!row) {
    row.emplace();
    row->session = delta.session;
  }
  merge(*row, delta);
  row->requests += delta.requests;
  rows.save_session(*row);
}

}  // namespace

void apply(SumRows& rows, const Parts& parts) {
  // A session's parts are gathered first: one row write per session and
  // batch, however many requests it had.
  std::unordered_map<std::string, Sum> sessions;
  std::vector<const Sum*> sorted;  // in key order: neighbours in the B-tree
  sorted.reserve(parts.size());
  parts.for_each([&](const Sum& p) { sorted.push_back(&p); });
  std::sort(sorted.begin(), sorted.end(), [](const Sum* a, const Sum* b) { return a->request < b->request; });
  for (const Sum* part : sorted) {
    const Sum& p = *part;
    const bool new_pair = apply_request(rows, p);
    if (p.session.empty()) return;
    auto [it, fresh] = sessions.try_emplace(p.session);
    if (fresh) it->second.session = p.session;
    merge(it->second, p);
    if (new_pair) ++it->second.requests;
  }
  for (const auto& [id, delta] : sessions) apply_session(rows, delta);
}

void apply(SumRows& rows, const Sum& p) {
  const bool new_pair = apply_request(rows, p);
  if (p.session.empty()) return;
  Sum delta = p;
  delta.requests = new_pair ? 1 : 0;
  apply_session(rows, delta);
}

namespace {

class StoredRows final : public SumRows {
 public:
  explicit StoredRows(Store& store) : store_(store), slowest_(store.slowest_floor()) {}
  std::optional<Sum> request(const std::string& id) override {
    return store_.find_sum(Store::Table::kRequests, id);
  }
  bool add_request(const Sum& s) override {
    if (!store_.add_request_sum(s)) return false;
    note(s);
    return true;
  }
  void save_request(Sum& s) override {
    store_.save_sum(Store::Table::kRequests, s);
    note(s);
  }
  std::optional<Sum> session(const std::string& id) override {
    return store_.find_sum(Store::Table::kSessions, id);
  }
  void save_session(Sum& s) override { store_.save_sum(Store::Table::kSessions, s); }
  bool has_pair(const std::string& r, const std::string& s) override { return store_.has_pair(r, s); }
  void add_pair(const std::string& r, const std::string& s) override { store_.add_pair(r, s); }

 private:
  // Durations only grow: one that passes the floor joins the longest.
  void note(const Sum& s) {
    const std::int64_t d = sum_duration(s);
    if (slowest_.kept < Store::kSlowestKept || d > slowest_.floor)
      store_.note_duration(s.request, d, slowest_);
  }
  Store& store_;
  Store::Slowest slowest_;
};

}  // namespace

std::unique_ptr<SumRows> stored_rows(Store& store) { return std::make_unique<StoredRows>(store); }

// The tails' parts merged over the stored rows, in memory.
std::optional<Sum> MemoryRows::request(const std::string& id) {
  if (const auto it = requests.find(id); it != requests.end()) return it->second;
  return store_ ? store_->find_sum(Store::Table::kRequests, id) : std::nullopt;
}

bool MemoryRows::add_request(const Sum& s) {
  if (request(s.request)) return false;
  Sum& kept = requests[s.request];
  kept = s;
  kept.row = 0;  // not in the store: counted as a request of its own
  return true;
}

void MemoryRows::save_request(Sum& s) { requests[s.request] = s; }

std::optional<Sum> MemoryRows::session(const std::string& id) {
  if (const auto it = sessions.find(id); it != sessions.end()) return it->second;
  return store_ ? store_->find_sum(Store::Table::kSessions, id) : std::nullopt;
}

void MemoryRows::save_session(Sum& s) { sessions[s.session] = s; }

bool MemoryRows::has_pair(const std::string& r, const std::string& s) {
  return pairs.count({r, s}) != 0 || (store_ && store_->has_pair(r, s));
}

void MemoryRows::add_pair(const std::string& r, const std::string& s) { pairs.insert({r, s}); }

SummaryView::SummaryView(Store& store) : store_(store), overlay_(std::make_unique<MemoryRows>(&store)) {
  // Parts of different files' tails may share a (request, session): each
  // is applied as it is, in order, as ingest would have.
  store_.for_each_tail_part([&](const Sum& part) { apply(*overlay_, part); });
}

SummaryView::~SummaryView() = default;

void SummaryView::for_each_request(const std::function<void(const Sum&)>& fn) {
  store_.for_each_sum(Store::Table::kRequests, [&](const Sum& s) {
    if (!overlay_->requests.count(s.request)) fn(s);
  });
  for (const auto& [id, s] : overlay_->requests) fn(s);
}

bool SummaryView::longest_requests(std::size_t n, const std::function<bool(const Sum&)>& keep,
                                   std::vector<Sum>& out) {
  // The kept longest (their tails merged in), and the tails' requests.
  const Store::Slowest slowest = store_.slowest_floor();
  store_.for_each_slowest([&](const Sum& s) {
    if (!overlay_->requests.count(s.request) && keep(s)) out.push_back(s);
  });
  for (const auto& [id, s] : overlay_->requests) {
    if (keep(s)) out.push_back(s);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Sum& a, const Sum& b) { return sum_duration(a) > sum_duration(b); });
  // Any request not kept lasted at most the floor: the answer is whole when
  // the n-th is longer, or when every request is kept.
  if (slowest.kept < Store::kSlowestKept) return true;
  if (out.size() >= n && sum_duration(out[n - 1]) > slowest.floor) {
    const std::int64_t cut = sum_duration(out[n - 1]);
    while (!out.empty() && sum_duration(out.back()) < cut) out.pop_back();
    return true;
  }
  out.clear();
  return false;
}

void SummaryView::for_each_session(const std::function<void(const Sum&)>& fn) {
  store_.for_each_sum(Store::Table::kSessions, [&](const Sum& s) {
    if (!overlay_->sessions.count(s.session)) fn(s);
  });
  for (const auto& [id, s] : overlay_->sessions) fn(s);
}

std::int64_t SummaryView::request_count() {
  std::int64_t n = store_.count(Store::Table::kRequests);
  for (const auto& [id, s] : overlay_->requests) n += s.row == 0 ? 1 : 0;
  return n;
}

std::int64_t SummaryView::session_count() {
  std::int64_t n = store_.count(Store::Table::kSessions);
  for (const auto& [id, s] : overlay_->sessions) n += s.row == 0 ? 1 : 0;
  return n;
}

namespace {

bool reaches(format::Level level, const std::optional<format::Level>& min_level) {
  return !min_level || format::level_rank(level) >= format::level_rank(*min_level);
}

// RequestSummarizer::take()'s order: by first time, untimed last, then as seen.
bool starts_before(const Sum& a, const Sum& b) {
  if (a.first.has_value() != b.first.has_value()) return a.first.has_value();
  if (a.first && !(*a.first == *b.first)) return *a.first < *b.first;
  return a.seen < b.seen;
}

timeline::RequestSummary to_summary(const Sum& s,
                                    const std::unordered_map<std::int64_t, std::string_view>& names) {
  timeline::RequestSummary r;
  r.request = s.request;
  r.session = s.session;
  r.start = s.first;
  r.end = s.last;
  r.duration_ns = sum_duration(s);
  r.entries = static_cast<std::size_t>(s.entries);
  r.highest = s.highest;
  for (const std::int64_t f : s.files) {
    if (const auto it = names.find(f); it != names.end()) r.sources.push_back(it->second);
  }
  r.first_message = s.message;
  return r;
}

std::unordered_map<std::int64_t, std::string_view> file_names(Store& store) {
  std::unordered_map<std::int64_t, std::string_view> names;
  for (const FileRow& f : store.files()) names[f.id] = timeline::intern(input_name(f.path).display);
  return names;
}

}  // namespace

timeline::Summaries request_summaries(Store& store, std::optional<format::Level> min_level,
                                      std::size_t slowest) {
  SummaryView view(store);
  std::vector<Sum> rows;
  auto keep = [&](const Sum& s) { return reaches(s.highest, min_level); };
  if (slowest == 0 || !view.longest_requests(slowest, keep, rows)) {
    view.for_each_request([&](const Sum& s) {
      if (keep(s)) rows.push_back(s);
    });
  }
  std::sort(rows.begin(), rows.end(), starts_before);
  if (slowest > 0) {
    std::stable_sort(rows.begin(), rows.end(),
                     [](const Sum& a, const Sum& b) { return sum_duration(a) > sum_duration(b); });
    if (rows.size() > slowest) rows.resize(slowest);
  }
  const auto names = file_names(store);
  timeline::Summaries out;
  for (const Sum& s : rows) out.push_back(to_summary(s, names));
  return out;
}

std::vector<timeline::SessionSummary> session_summaries(Store& store,
                                                        const std::vector<std::string>& sessions,
                                                        std::optional<format::Level> min_level) {
  SummaryView view(store);
  std::vector<timeline::SessionSummary> out;
  view.for_each_session([&](const Sum& s) {
    if (!reaches(s.highest, min_level)) return;
    if (!sessions.empty() && std::none_of(sessions.begin(), sessions.end(), [&](const std::string& q) {
          return format::session_matches(s.session, q);
        }))
      return;
    timeline::SessionSummary t;
    t.session = s.session;
    t.first = s.first;
    t.last = s.last;
    t.requests = static_cast<std::size_t>(s.requests);
    t.entries = static_cast<std::size_t>(s.entries);
    t.errors = static_cast<std::size_t>(s.errors);
    t.highest = s.highest;
    out.push_back(std::move(t));
  });
  // SessionSummarizer's order: by first time, then by id; untimed last.
  std::sort(out.begin(), out.end(), [](const timeline::SessionSummary& a, const timeline::SessionSummary& b) {
    if (a.first.has_value() != b.first.has_value()) return a.first.has_value();
    if (a.first && !(*a.first == *b.first)) return *a.first < *b.first;
    return a.session < b.session;
  });
  return out;
}

void rebuild_summaries(Store& store) {
  Unpacker unpacker;
  std::set<std::int64_t> tails;
  for (const FileRow& f : store.files()) {
    if (f.tail) tails.insert(*f.tail);
  }
  std::vector<std::pair<std::int64_t, Parts>> tail_parts;
  Parts closed;
  const std::unique_ptr<SumRows> rows = stored_rows(store);
  std::string raw;
  store.for_each_chunk(nullptr, [&](const ChunkRow& row, std::string_view packed) {
    unpacker.unpack(packed, row.raw_size, raw);
    const bool tail = tails.count(row.id) != 0;
    Parts local;
    Parts& into = tail ? local : closed;
    for_each_entry_header(raw, [&](const Header& h, std::size_t at) {
      into.add(h, row.file, row.offset + static_cast<std::int64_t>(at));
    });
    if (tail) {
      tail_parts.emplace_back(row.file, std::move(local));
    } else {
      apply(*rows, closed);  // a chunk at a time: a Parts holds one file's entries
      closed.clear();
    }
  });
  for (const auto& [file, parts] : tail_parts) store.replace_tail_parts(file, parts);
}

}  // namespace tracegrep::index
