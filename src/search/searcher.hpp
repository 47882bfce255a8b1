// search/: the Searcher runs sources into a printer (or any sink): every
// scan, query, follow and timeline goes through it, so the per-input
// counting (--max-count), the assembler set-up, the error messages and the
// exit status are written once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "match/filter.hpp"
#include "parse/assembler.hpp"
#include "print/output.hpp"
#include "report/reporter.hpp"
#include "search/context.hpp"
#include "search/source.hpp"

namespace tracegrep {

struct SearchOptions {
  const Filter* filter = nullptr;
  std::size_t max_entry = kDefaultMaxEntry;
  LineNumbers numbers = LineNumbers::kOff;
  std::uint64_t max_count = 0;  ///< per input; 0: no limit
  /// parallel(): worker threads (0: one per core) and the bytes of output
  /// an input may hold back per worker before its turn comes.
  std::size_t workers = 0;
  std::size_t held_back = std::size_t{16} << 20;
  /// -s or -r was given: an input with no tag at all is worth a notice.
  bool ids_asked = false;
  /// merged(): the bytes of entries held for the merge, in all.
  std::size_t merge_budget = std::size_t{64} << 20;
  /// -A/-B/-C: entries around each match (then parallel() runs in order,
  /// so that "--" falls between groups as in one output).
  ContextLines context{};
};

/// Makes a printer writing to `out` (one per input searched on a worker).
using PrinterFactory = std::function<std::unique_ptr<EntrySink>(Output& out)>;

class Searcher {
 public:
  /// Errors go to `reporter`; `out` is the output the printers write to
  /// (checked for a closed pipe and write errors).
  Searcher(SearchOptions options, Reporter& reporter, Output& out);

  /// One source after another into `sink`. Returns whether any entry matched.
  bool in_order(const std::vector<std::unique_ptr<Source>>& sources, EntrySink& sink);

  /// Printing many inputs: those that run apart are searched on worker
  /// threads (both cores), each into a printer of its own; the output is
  /// written in argument order, as if searched one after another, holding
  /// back at most options.held_back bytes per worker (a worker whose turn
  /// has not come waits beyond that). Falls back to in_order when a source
  /// cannot run apart or there is one input.
  bool parallel(const std::vector<std::unique_ptr<Source>>& sources, const PrinterFactory& make_printer);

  /// The worker threads the last parallel() ran (1: it ran in order).
  std::size_t workers_used() const { return workers_used_; }

  /// --merge: every source on a thread of its own, their entries
  /// interleaved by time into `sink` (search/merge.hpp), in bounded memory.
  bool merged(const std::vector<std::unique_ptr<Source>>& sources, EntrySink& sink);

  /// New inputs found since the last call (files created in a followed
  /// directory).
  using Discover = std::function<std::vector<std::unique_ptr<Source>>()>;
  /// How often side_by_side() asks for new inputs.
  static constexpr std::chrono::milliseconds kDiscoverEvery{250};

  /// Followed inputs, each on a thread of its own; entries reach `sink`
  /// whole, one at a time, each preceded by a switch of input when it
  /// comes from another one. With `discover`, the inputs it gives are
  /// followed too as they appear, until the output is closed.
  bool side_by_side(const std::vector<std::unique_ptr<Source>>& sources, EntrySink& sink,
                    const Discover& discover = {});

 private:
  // Searches one source into `sink` (a Tally), announcing its input.
  SourceOutcome search_one(Source& source, EntrySink& sink, const Notice& notice);
  // The assembler (and, with context, the context stage) between `source`
  // and `sink`.
  SourceOutcome run(Source& source, EntrySink& sink, const Notice& notice);
  // --max-count as the Tally counts it (with context the context stage does).
  std::uint64_t tally_max() const { return options_.context.any() ? 0 : options_.max_count; }
  void report(const Source& source, const SourceOutcome& outcome);
  // An input that gave no entry: says why when its layout is not one
  // tracegrep reads (never silent), as a notice; the exit status is unchanged.
  void explain_no_entries(const Source& source);
  // The output's own failure, once everything is written.
  void finish();

  SearchOptions options_;
  Reporter& reporter_;
  Output& out_;
  std::size_t workers_used_ = 1;
};

}  // namespace tracegrep
