// search/: the one search loop. A Source is one input of entries (a file,
// standard input, a followed file, the index); the Searcher runs sources
// into one printer, one after another, several at once with their output
// kept in argument order, or side by side as they arrive (followed files),
// and computes the exit status in one place. A new kind of input is one
// new Source.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "parse/assembler.hpp"
#include "parse/entry.hpp"
#include "report/error.hpp"
#include "source/input.hpp"

namespace tracegrep::index {
class Store;
}

namespace tracegrep {

class WakeGroup;

struct SourceOutcome {
  Flow flow = Flow::kContinue;
  Error error;  ///< set when the input failed (the entries before it were given)
};

/// Receives what a source has to say that is not an entry (a followed file
/// was rotated): `what`, without the input's name.
using Notice = std::function<void(const std::string& what)>;

/// What one step of a live search came to.
struct SourceStep {
  bool done = false;  ///< the input ended (see outcome); else it is stepped again
  SourceOutcome outcome;
  int due_in_ms = -1;  ///< step again within this long even when not marked (< 0: only when marked)
};

/// A live input searched by one event loop with many others: each step
/// reads what is there without waiting. The input marks its id in the
/// loop's WakeGroup when it has more.
class LiveSearch {
 public:
  virtual ~LiveSearch() = default;
  virtual SourceStep step() = 0;
};

class Source {
 public:
  virtual ~Source() = default;
  /// How the input is named in text output, messages and JSON.
  virtual InputName name() const = 0;
  /// Pushes the input's entries into `sink` through `assembler` (the source
  /// resets it for its input).
  virtual SourceOutcome search(Assembler& assembler, EntrySink& sink, const Notice& notice) = 0;
  /// The search() of a live input (a followed file) as steps for one event
  /// loop, marking `id` in `group` when it has more; null when the source
  /// cannot be stepped (standard input: then it needs a thread).
  virtual std::unique_ptr<LiveSearch> start_live(Assembler& /*assembler*/, EntrySink& /*sink*/,
                                                 const Notice& /*notice*/, WakeGroup& /*group*/,
                                                 std::size_t /*id*/) {
    return nullptr;
  }
  /// True when the source may run on a worker thread with its output held
  /// back until the inputs before it are written: a regular file (plain or
  /// gzip), not a pipe, a followed file or the index.
  virtual bool runs_apart() const { return false; }
  /// The input's first bytes (up to `max`), to say why it gave no entry;
  /// empty where they cannot be read again (pipes, followed files, gzip).
  virtual std::string head(std::size_t /*max*/) const { return {}; }
  /// True when the source itself tells the sink where each of its inputs
  /// begins and ends (the index, whose entries come from many files).
  virtual bool announces_inputs() const { return false; }
};

/// A path ("-": standard input): a regular file is mapped, or read when it
/// is small; gzip is found by its magic bytes; pipes and terminals are read
/// live; with options.follow, the file is followed as tail -F does.
std::unique_ptr<Source> file_source(std::string path, const InputOptions& options);

namespace detail {
/// Counts, for tests: mapped files searched in two halves at once, and
/// those whose second half found too much to keep (the first went on alone).
extern std::atomic<std::uint64_t> g_split_scans, g_split_fallbacks;
}  // namespace detail

/// The entries of an open index (at path `db`) that may hold these ids
/// (all, when none).
std::unique_ptr<Source> index_source(index::Store& store, std::string db, std::vector<std::string> sessions,
                                     std::vector<std::string> requests, std::function<bool()> stopped);

}  // namespace tracegrep
