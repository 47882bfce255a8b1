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
    for_each_entry_header(raw, [&](const Header&, std::size_t) { ++entries; });
    if (entries != row.entries) report.miscount.push_back(named(row));
  });
  return report;
}

}  // namespace tracegrep::index
