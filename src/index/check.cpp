#include "index/check.hpp"

#include <algorithm>
#include <map>

#include "index/chunk.hpp"

namespace tracegrep::index {

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
  store.for_each_chunk(nullptr, [&](const ChunkRow& row, std::string_view packed) {
    ++report.chunks;
    try {
      unpacker.unpack(packed, row.raw_size, raw);
    } catch (const db::Error&) {
      report.damaged.push_back(named(row));
      return;
    }
    std::int64_t entries = 0;
    for_each_entry_header(raw, [&](const Header& h, std::size_t) {
      ++entries;
      for (const auto& [kind, id] :
           {std::pair{Kind::kSession, h.session}, std::pair{Kind::kRequest, h.req}}) {
        if (id.empty()) continue;
        auto& chunks = held[{kind, std::string(id)}];
        if (chunks.empty() || chunks.back() != row.id) chunks.push_back(row.id);
      }
    });
    if (entries != row.entries) report.miscount.push_back(named(row));
  });
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
