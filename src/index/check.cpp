#include "index/check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "index/chunk.hpp"
#include "index/summary.hpp"
#include "parse/assembler.hpp"

namespace tracegrep::index {

namespace {

bool same(const Sum& a, const Sum& b, bool session) {
  return a.request == b.request && a.session == b.session && a.first == b.first && a.last == b.last &&
         a.entries == b.entries && a.errors == b.errors && a.highest == b.highest && a.message == b.message &&
         a.files == b.files && (session ? a.requests == b.requests : a.mixed == b.mixed);
}

std::string describe(const Sum& s) {
  return fmt::format("{} entries, {} errors, {} files, first message \"{}\"", s.entries, s.errors,
                     s.files.size(), s.message.substr(0, 40));
}

// The stored summaries, with the tails merged in (what requests and
// sessions print), against the same computed from the chunks.
void check_summaries(Store& store, MemoryRows& computed, const std::vector<Parts>& tails,
                     CheckReport& report) {
  for (const Parts& t : tails) t.for_each([&](const Sum& part) { apply(computed, part); });
  SummaryView stored(store);
  auto compare = [&](const char* kind, std::unordered_map<std::string, Sum>& want, const Sum& got,
                     const std::string& key) {
    ++report.summaries;
    const auto it = want.find(key);
    if (it == want.end()) {
      if (++report.summaries_wrong <= 10)
        report.summary.push_back(fmt::format("{} {}: a summary, and no entry in the chunks", kind, key));
      return;
    }
    if (!same(it->second, got, kind[0] == 's') && ++report.summaries_wrong <= 10)
      report.summary.push_back(fmt::format("{} {}: the summary says {}; the chunks hold {}", kind, key,
                                           describe(got), describe(it->second)));
    want.erase(it);
  };
  stored.for_each_request([&](const Sum& s) { compare("request", computed.requests, s, s.request); });
  stored.for_each_session([&](const Sum& s) { compare("session", computed.sessions, s, s.session); });
  for (const auto* left : {&computed.requests, &computed.sessions}) {
    for (const auto& [key, s] : *left) {
      if (++report.summaries_wrong <= 10)
        report.summary.push_back(fmt::format("{} {}: in the chunks, and no summary",
                                             left == &computed.requests ? "request" : "session", key));
    }
  }
}

}  // namespace

CheckReport check(Store& store) {
  CheckReport report;
  {
    db::Statement s(store.database(), "PRAGMA integrity_check(100)");
    while (s.step()) {
      const std::string_view finding = s.text(0);
      if (finding != "ok") report.sqlite.emplace_back(finding);
    }
  }
  const std::vector<FileRow> files = store.files();
  report.files = static_cast<std::int64_t>(files.size());
  std::map<std::int64_t, std::string> paths;
  for (const FileRow& f : files) paths[f.id] = f.path;
  const auto named = [&](const ChunkRow& row) {
    const auto p = paths.find(row.file);
    return DamagedChunk{row.id, p == paths.end() ? "?" : p->second, row.line};
  };
  std::map<std::pair<Kind, std::string>, std::vector<std::int64_t>> held;  // id -> its chunks, ascending
  Unpacker unpacker;
  std::string raw;
  // Where each chunk lies in its file: its bytes, and whether its last entry
  // may have been cut at the entry limit (then its stored bytes are fewer
  // than the file's, and the next chunk starts further on).
  struct Span {
    std::int64_t file, offset, end, id, line;
    bool may_be_cut;
  };
  std::vector<Span> spans;
  // The summaries again, from the chunks, as ingest builds them: each
  // closed chunk's parts merged into the rows in turn (a Parts holds one
  // file's entries), each file's tail merged in after, as a query sees it.
  std::set<std::int64_t> tails;
  for (const FileRow& f : files)
    if (f.tail) tails.insert(*f.tail);
  MemoryRows computed(nullptr);
  Parts closed;
  std::vector<Parts> tail_parts;
  store.for_each_chunk(nullptr, [&](const ChunkRow& row, std::string_view packed) {
    ++report.chunks;
    try {
      unpacker.unpack(packed, row.raw_size, raw);
    } catch (const db::Error&) {
      report.damaged.push_back(named(row));
      return;
    }
    std::int64_t entries = 0;
    std::size_t last_start = 0;
    const bool tail = tails.count(row.id) != 0;
    if (tail) tail_parts.emplace_back();
    Parts& parts = tail ? tail_parts.back() : closed;
    for_each_entry_header(raw, [&](const Header& h, std::size_t at) {
      ++entries;
      last_start = at;
      parts.add(h, row.file, row.offset + static_cast<std::int64_t>(at));
      for (const auto& [kind, id] :
           {std::pair{Kind::kSession, h.session}, std::pair{Kind::kRequest, h.req}}) {
        if (id.empty()) continue;
        auto& chunks = held[{kind, std::string(id)}];
        if (chunks.empty() || chunks.back() != row.id) chunks.push_back(row.id);
      }
    });
    if (entries != row.entries) report.miscount.push_back(named(row));
    if (!tail) {
      apply(computed, closed);
      closed.clear();
    }
    spans.push_back({row.file, row.offset, row.offset + static_cast<std::int64_t>(raw.size()), row.id,
                     row.line, raw.size() - last_start > kMinMaxEntry});
  });
  if (store.has_summaries()) check_summaries(store, computed, tail_parts, report);
  // A file's chunks follow one another: a gap is entries lost, an overlap
  // entries held twice (a chunk lost and its id given to the next one would
  // pass every other check).
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return std::tie(a.file, a.offset) < std::tie(b.file, b.offset);
  });
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const Span& c = spans[i];
    const Span* before = i > 0 && spans[i - 1].file == c.file ? &spans[i - 1] : nullptr;
    const std::int64_t expected = before ? before->end : 0;
    const bool gap = c.offset > expected && !(before && before->may_be_cut);
    if (gap || c.offset < expected) {
      const auto p = paths.find(c.file);
      const std::string_view path = p == paths.end() ? std::string_view("?") : std::string_view(p->second);
      report.coverage.push_back(
          gap ? fmt::format("{}: bytes {}-{} are in no chunk (entries lost) before chunk {} (from line {})",
                            path, expected, c.offset, c.id, c.line)
              : fmt::format(
                    "{}: chunk {} (from line {}) holds bytes {}-{} that the chunk before it holds too "
                    "(entries doubled)",
                    path, c.id, c.line, c.offset, expected));
    }
  }
  // Every id a chunk holds leads to that chunk.
  std::vector<std::int64_t> found;
  for (const auto& [key, chunks] : held) {
    ++report.ids;
    found.clear();
    store.chunks_for(key.first, key.second, false, found);
    std::sort(found.begin(), found.end());
    for (const std::int64_t c : chunks) {
      if (std::binary_search(found.begin(), found.end(), c)) continue;
      if (++report.postings_missing <= 10)
        report.postings.push_back(std::string(key.first == Kind::kSession ? "session " : "request ") +
                                  key.second + ": chunk " + std::to_string(c) +
                                  " holds it, its postings do not say so");
    }
  }
  return report;
}

}  // namespace tracegrep::index
