// search/: the index as a source: the chunks its postings select, through
// the same assembler, filter and printers as a scan.
#include "index/query.hpp"
#include "search/source.hpp"

namespace tracegrep {
namespace {

class IndexSource final : public Source {
 public:
  IndexSource(index::Store& store, std::string db, index::QueryIds ids, std::function<bool()> stopped)
      : store_(store), db_(std::move(db)), ids_(std::move(ids)), stopped_(std::move(stopped)) {}
  /// Its path names it in messages (its entries are named by their files).
  InputName name() const override { return {db_, "(index)"}; }
  bool announces_inputs() const override { return true; }  // the query switches files
  SourceOutcome search(Assembler& assembler, EntrySink& sink, const Notice&) override {
    // Throws db::Error when SQLite finds the index damaged; a damaged chunk
    // is left out, and said, and the rest answers.
    const auto damaged = index::query(store_, ids_, assembler, sink, stopped_);
    if (damaged.empty()) return {};
    return {Flow::kContinue, Error::condition(index::damage_message(damaged, db_))};
  }

 private:
  index::Store& store_;
  std::string db_;
  index::QueryIds ids_;
  std::function<bool()> stopped_;
};

}  // namespace

std::unique_ptr<Source> index_source(index::Store& store, std::string db, std::vector<std::string> sessions,
                                     std::vector<std::string> requests, std::function<bool()> stopped) {
  return std::make_unique<IndexSource>(
      store, std::move(db), index::QueryIds{std::move(sessions), std::move(requests)}, std::move(stopped));
}

}  // namespace tracegrep
