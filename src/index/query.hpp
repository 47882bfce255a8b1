// Reading the index: the chunks that may hold the entries asked for, in scan
// order (file by file in the order first indexed, then by position), pushed
// through the same assembler, filter and printers as a scan. Postings may
// over-select; the filter decides, so index and scan print the same bytes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "index/store.hpp"
#include "parse/assembler.hpp"
#include "source/feeder.hpp"

namespace tracegrep::index {

struct QueryIds {
  std::vector<std::string> sessions;
  std::vector<std::string> requests;
};

/// A chunk whose bytes fail zstd's checks (its checksum): left out of an
/// answer, which the other chunks still give (each is checked on its own).
struct DamagedChunk {
  std::int64_t id = 0;
  std::string file;
  std::int64_t line = 0;  ///< its first line
};

/// Runs the query. `stopped` tells whether the output is gone (stop all).
/// Returns the chunks left out as damaged; throws db::Error when SQLite
/// finds the index damaged.
std::vector<DamagedChunk> query(Store& store, const QueryIds& ids, Assembler& assembler, EntrySink& sink,
                                const std::function<bool()>& stopped);

/// "chunk 12 (app.log, from line 4001) is damaged[ and N more]; run
/// 'tracegrep index --check --db DB'", or "" when none is.
std::string damage_message(const std::vector<DamagedChunk>& damaged, const std::string& db);

/// The chunk ids that may hold entries of these ids; all chunks when none is given (nullopt).
std::optional<std::vector<std::int64_t>> candidate_chunks(Store& store, const QueryIds& ids);

}  // namespace tracegrep::index
