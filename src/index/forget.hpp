// index/: retention. Forgets old entries (whole closed chunks whose every
// timed entry is before a time) or everything of one file, with their
// postings and summaries, in one transaction, then gives the space back.
#pragma once

#include <cstdint>
#include <functional>

#include "index/store.hpp"
#include "tracegrep/format.hpp"

namespace tracegrep::index {

struct Forgotten {
  std::int64_t chunks = 0, entries = 0, raw_bytes = 0, files = 0;
};

/// Removes the closed chunks all of whose timed entries are `before` the
/// time asked (the CLI compares as --since does: by each time's clock); chunks without a time, and
/// each file's tail, stay. Files keep their rows, so that indexing them
/// again adds nothing old.
Forgotten forget_before(Store& store, const std::function<bool(const format::Timestamp&)>& before);

/// Removes every chunk of file `id` and the file's row: indexing it again
/// adds it anew.
Forgotten forget_file(Store& store, std::int64_t id);

}  // namespace tracegrep::index
