// index/: `tracegrep index --check`: the whole index verified, read-only.
// SQLite's integrity_check over every page and index, then every chunk
// decompressed (zstd checks its checksum), its entries counted against its
// row, and every id it holds looked up in the postings (memory grows with
// the number of distinct ids).
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
  /// Ids a chunk holds that its postings do not lead to (a query would
  /// miss those entries): the first few, and how many in all.
  std::vector<std::string> postings;
  std::int64_t postings_missing = 0;
  /// Summaries that disagree with the entries in the chunks: the first few,
  /// how many in all, of how many.
  std::vector<std::string> summary;
  std::int64_t summaries_wrong = 0, summaries = 0;
  /// Bytes of a file in no chunk, or in two (entries lost or doubled).
  std::vector<std::string> coverage;
  std::int64_t chunks = 0, files = 0, ids = 0;
  bool ok() const {
    return sqlite.empty() && damaged.empty() && miscount.empty() && postings_missing == 0 &&
           coverage.empty() && summaries_wrong == 0;
  }
};

/// Checks the index. Throws db::Error when SQLite cannot read it at all.
CheckReport check(Store& store);

}  // namespace tracegrep::index
