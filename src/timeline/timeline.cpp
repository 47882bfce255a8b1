#include "timeline/timeline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace tracegrep::timeline {

std::int64_t diff_ns(const format::Timestamp& a, const format::Timestamp& b) {
  // The parser accepts years 0000-9999, and nanoseconds in 64 bits span only
  // 292 years: the product is checked and held at the ends of the range, so a
  // log spanning centuries never gives a negative or wrapped duration.
  const std::int64_t seconds = b.seconds - a.seconds;  // |seconds| < 3.2e11: fits
  std::int64_t ns = 0;
  if (__builtin_mul_overflow(seconds, std::int64_t{1'000'000'000}, &ns) ||
      __builtin_add_overflow(ns, std::int64_t{b.nanos} - a.nanos, &ns))
    return seconds < 0 ? std::numeric_limits<std::int64_t>::min() : std::numeric_limits<std::int64_t>::max();
  return ns;
}

namespace {

std::string seconds_text(std::int64_t ns) {
  if (ns == std::numeric_limits<std::int64_t>::max()) return "over 292 years";
  return fmt::format("{:.3f} s", static_cast<double>(ns) / 1e9);
}

}  // namespace

Request build_request(std::vector<Item> items) {
  Request r;
  // Clock trouble is found in each file's own order, before sorting.
  bool any_utc = false, any_naive = false;
  std::unordered_map<std::size_t, const Item*> last_timed;  // by source
  for (const Item& it : items) {
    if (!it.has_ts) continue;
    (it.ts.utc ? any_utc : any_naive) = true;
    const Item*& last = last_timed[it.source_index];
    if (last && it.ts < last->ts) {
      r.notes.push_back(fmt::format("clock went back {} at {}:{}", seconds_text(diff_ns(it.ts, last->ts)),
                                    it.source, it.line));
    }
    last = &it;
  }
  if (any_utc && any_naive) {
    r.notes.push_back(
        "some sources give a UTC offset and some do not; times without one are compared as written");
  }
  // An entry without a time takes the time of the entry before it in its
  // file, so that it stays next to it; at the head of its file, the time of
  // the entry after it; in a file without times, the earliest time there is.
  std::optional<format::Timestamp> earliest;
  for (const Item& it : items)
    if (it.has_ts && (!earliest || it.ts < *earliest)) earliest = it.ts;
  std::vector<char> placed(items.size(), 0);
  std::unordered_map<std::size_t, format::Timestamp> borrowed;  // by source
  auto borrow = [&](std::size_t i) {
    Item& it = items[i];
    if (it.has_ts) {
      borrowed[it.source_index] = it.ts;
    } else if (auto b = borrowed.find(it.source_index); !placed[i] && b != borrowed.end()) {
      it.ts = b->second;
      placed[i] = 1;
    }
  };
  for (std::size_t i = 0; i < items.size(); ++i) borrow(i);
  borrowed.clear();
  for (std::size_t i = items.size(); i-- > 0;) borrow(i);
  for (std::size_t i = 0; i < items.size(); ++i)
    if (!items[i].has_ts && !placed[i] && earliest) items[i].ts = *earliest;
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    if (!(a.ts == b.ts)) return a.ts < b.ts;
    return a.source_index < b.source_index;
  });
  for (const Item& it : items) {
    if (r.request.empty()) r.request = it.request;
    if (r.session.empty()) r.session = it.session;
    if (std::find(r.sources.begin(), r.sources.end(), it.source) == r.sources.end())
      r.sources.push_back(it.source);
    if (format::level_rank(it.level) > format::level_rank(r.highest)) r.highest = it.level;
    if (it.has_ts) {
      if (!r.start) r.start = it.ts;
      r.end = it.ts;
    }
  }
  std::sort(r.sources.begin(), r.sources.end(), [&](const std::string& a, const std::string& b) {
    auto index = [&](const std::string& s) {
      for (const Item& it : items)
        if (it.source == s) return it.source_index;
      return std::size_t{0};
    };
    return index(a) < index(b);
  });
  if (r.start && r.end) r.duration_ns = diff_ns(*r.start, *r.end);
  // An entry without a time sits at the offset it borrowed, with no gap; a
  // timed entry's gap is from the timed entry before it.
  std::int64_t largest = -1;
  std::optional<std::int64_t> previous;
  for (std::size_t i = 0; i < items.size(); ++i) {
    r.offset_ns.push_back(r.start ? std::max<std::int64_t>(0, diff_ns(*r.start, items[i].ts)) : 0);
    std::int64_t gap = 0;
    if (items[i].has_ts) {
      if (previous) gap = r.offset_ns[i] - *previous;
      previous = r.offset_ns[i];
    }
    r.gap_ns.push_back(gap);
    if (gap > largest && gap > 0) {
      largest = gap;
      r.largest_gap = i;
    }
  }
  r.items = std::move(items);
  return r;
}

std::string_view intern(std::string_view name) {
  static std::mutex mutex;
  static auto* names = new std::unordered_set<std::string>();  // nodes never move
  std::lock_guard<std::mutex> lock(mutex);
  return *names->emplace(name).first;
}

RequestSummary& RequestSummarizer::find_or_add(const Item& it) {
  if (out_.size() * 2 >= slots_.size()) grow();
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = std::hash<std::string_view>()(it.request) & mask;; i = (i + 1) & mask) {
    if (slots_[i] == 0) {
      RequestSummary s;
      s.request = it.request;
      s.session = it.session;
      s.first_message = it.message;
      out_.push_back(std::move(s));
      slots_[i] = static_cast<std::uint32_t>(out_.size());
      return out_.back();
    }
    RequestSummary& s = out_[slots_[i] - 1];
    if (s.request == it.request) return s;
  }
}

void RequestSummarizer::grow() {
  slots_.assign(std::max<std::size_t>(64, slots_.size() * 2), 0);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t k = 0; k < out_.size(); ++k) {
    std::size_t i = std::hash<std::string_view>()(out_[k].request) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = static_cast<std::uint32_t>(k + 1);
  }
}

void RequestSummarizer::add(const Item& it) {
  RequestSummary& s = find_or_add(it);
  ++s.entries;
  if (format::level_rank(it.level) > format::level_rank(s.highest)) s.highest = it.level;
  if (it.source != last_source_ || last_interned_.empty()) {
    last_source_ = it.source;
    last_interned_ = intern(it.source);
  }
  if (std::find(s.sources.begin(), s.sources.end(), last_interned_) == s.sources.end())
    s.sources.push_back(last_interned_);
  if (it.has_ts) {
    if (!s.start || it.ts < *s.start) {
      s.start = it.ts;
      s.first_message = it.message;
    }
    if (!s.end || *s.end < it.ts) s.end = it.ts;
  }
}

void sort_summaries(Summaries& s,
                    const std::function<bool(const RequestSummary&, const RequestSummary&)>& less) {
  std::vector<std::uint32_t> order(s.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (less(s[a], s[b])) return true;
    if (less(s[b], s[a])) return false;
    return a < b;  // stable
  });
  // Position i takes the summary at order[i]: follow each cycle once.
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (order[i] == i) continue;
    RequestSummary held = std::move(s[i]);
    std::size_t at = i;
    for (;;) {
      const std::size_t from = order[at];
      order[at] = static_cast<std::uint32_t>(at);
      if (from == i) {
        s[at] = std::move(held);
        break;
      }
      s[at] = std::move(s[from]);
      at = from;
    }
  }
}

Summaries RequestSummarizer::take() {
  slots_ = {};
  for (RequestSummary& s : out_) {
    if (s.start && s.end) s.duration_ns = diff_ns(*s.start, *s.end);
  }
  sort_summaries(out_, [](const RequestSummary& a, const RequestSummary& b) {
    if (a.start && b.start) return *a.start < *b.start;
    return a.start.has_value() && !b.start.has_value();
  });
  return std::move(out_);
}

Summaries summarize(const std::vector<Item>& items) {
  RequestSummarizer s;
  for (const Item& it : items) s.add(it);
  return s.take();
}

std::vector<Item> items_of(const std::vector<Item>& items, const std::string& request) {
  std::vector<Item> out;
  for (const Item& it : items) {
    if (it.request == request) out.push_back(it);
  }
  return out;
}

void SessionSummarizer::add(const Item& it) {
  if (it.session.empty()) return;
  SessionSummary& s = by_[it.session];
  s.session = it.session;
  ++s.entries;
  if (format::level_rank(it.level) >= format::level_rank(format::Level::kError)) ++s.errors;
  if (format::level_rank(it.level) > format::level_rank(s.highest)) s.highest = it.level;
  if (!it.request.empty()) requests_[it.session].insert(it.request);
  if (it.has_ts) {
    if (!s.first || it.ts < *s.first) s.first = it.ts;
    if (!s.last || *s.last < it.ts) s.last = it.ts;
  }
}

std::vector<SessionSummary> SessionSummarizer::take() {
  std::vector<SessionSummary> out;
  for (auto& [id, s] : by_) {
    s.requests = requests_[id].size();
    out.push_back(s);
  }
  std::stable_sort(out.begin(), out.end(), [](const SessionSummary& a, const SessionSummary& b) {
    if (a.first && b.first) return *a.first < *b.first;
    return a.first.has_value() && !b.first.has_value();
  });
  return out;
}

}  // namespace tracegrep::timeline
