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

/// Runs the query. `stopped` tells whether the output is gone (stop all).
/// Throws db::Error on a damaged index.
void query(Store& store, const QueryIds& ids, Assembler& assembler, EntrySink& sink,
           const std::function<bool()>& stopped);

/// The chunk ids that may hold entries of these ids; all chunks when none is given (nullopt).
std::optional<std::vector<std::int64_t>> candidate_chunks(Store& store, const QueryIds& ids);

}  // namespace tracegrep::index
