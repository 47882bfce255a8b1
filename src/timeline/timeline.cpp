#include "timeline/timeline.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tracegrep::timeline {

std::int64_t diff_ns(const format::Timestamp& a, const format::Timestamp& b) {
  return (b.seconds - a.seconds) * 1'000'000'000 + (b.nanos - a.nanos);
}

namespace {

std::string seconds_text(std::int64_t ns) { return fmt::format("{:.3f} s", static_cast<double>(ns) / 1e9); }

}  // namespace

Request build_request(std::vector<Item> items) {
  Request r;
  // Clock trouble is found in each file's own order, before sorting.
  bool any_utc = false, any_naive = false;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Item& it = items[i];
    if (!it.has_ts) continue;
    (it.ts.utc ? any_utc : any_naive) = true;
    for (std::size_t j = i; j-- > 0;) {
      if (items[j].source_index != it.source_index || !items[j].has_ts) continue;
      if (it.ts < items[j].ts) {
        r.notes.push_back(fmt::format("clock went back {} at {}:{}",
                                      seconds_text(diff_ns(it.ts, items[j].ts)), it.source, it.line));
      }
      break;
    }
  }
  if (any_utc && any_naive) {
    r.notes.push_back(
        "some sources give a UTC offset and some do not; times without one are compared as written");
  }
  // An entry without a time takes the time of the entry before it in its
  // file, so that it stays next to it.
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].has_ts) continue;
    for (std::size_t j = i; j-- > 0;) {
      if (items[j].source_index == items[i].source_index && items[j].has_ts) {
        items[i].ts = items[j].ts;
        break;
      }
    }
  }
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
  std::int64_t largest = -1;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const bool timed = items[i].has_ts && r.start;
    r.offset_ns.push_back(timed ? diff_ns(*r.start, items[i].ts) : 0);
    const std::int64_t gap = i == 0 ? 0 : r.offset_ns[i] - r.offset_ns[i - 1];
    r.gap_ns.push_back(gap);
    if (i > 0 && gap > largest && gap > 0) {
      largest = gap;
      r.largest_gap = i;
    }
  }
  r.items = std::move(items);
  return r;
}

void RequestSummarizer::add(const Item& it) {
  auto [pos, fresh] = index_.try_emplace(it.request, out_.size());
  if (fresh) {
    RequestSummary s;
    s.request = it.request;
    s.session = it.session;
    s.first_message = it.message;
    out_.push_back(std::move(s));
  }
  RequestSummary& s = out_[pos->second];
  ++s.entries;
  if (format::level_rank(it.level) > format::level_rank(s.highest)) s.highest = it.level;
  if (std::find(s.sources.begin(), s.sources.end(), it.source) == s.sources.end()) s.sources.push_back(it.source);
  if (it.has_ts) {
    if (!s.start || it.ts < *s.start) {
      s.start = it.ts;
      s.first_message = it.message;
    }
    if (!s.end || *s.end < it.ts) s.end = it.ts;
  }
}

std::vector<RequestSummary> RequestSummarizer::take() {
  for (RequestSummary& s : out_) {
    if (s.start && s.end) s.duration_ns = diff_ns(*s.start, *s.end);
  }
  std::stable_sort(out_.begin(), out_.end(), [](const RequestSummary& a, const RequestSummary& b) {
    if (a.start && b.start) return *a.start < *b.start;
    return a.start.has_value() && !b.start.has_value();
  });
  index_.clear();
  return std::move(out_);
}

std::vector<RequestSummary> summarize(const std::vector<Item>& items) {
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

}  // namespace tracegrep::timeline
