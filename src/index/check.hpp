// index/: `tracegrep index --check`: the whole index verified, read-only.
// SQLite's integrity_check over every page and index, then every chunk
// decompressed (zstd checks its checksum) and its entries counted against
// its row.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "index/query.hpp"
#include "index/store.hpp"

namespace tracegrep::index {

struct CheckReport {
  std::vector<std::string> sqlite;     ///< integrity_check's findings (empty: none)
  std::vector<DamagedChunk> damaged;   ///< chunks that do not decompress or fail their checksum
  std::vector<DamagedChunk> miscount;  ///< chunks whose entries are not as many as their row says
  std::int64_t chunks = 0, files = 0;
  bool ok() const { return sqlite.empty() && damaged.empty() && miscount.empty(); }
};

/// Checks the index. Throws db::Error when SQLite cannot read it at all.
CheckReport check(Store& store);

}  // namespace tracegrep::index
