// search/: the index as a source: the chunks its postings select, through
// the same assembler, filter and printers as a scan.
#include "index/query.hpp"
#include "search/source.hpp"

namespace tracegrep {
namespace {

class IndexSource final : public Source {
 public:
  IndexSource(index::Store& store, index::QueryIds ids, std::function<bool()> stopped)
      : store_(store), ids_(std::move(ids)), stopped_(std::move(stopped)) {}
  InputName name() const override { return {"(index)", "(index)"}; }
  bool announces_inputs() const override { return true; }  // the query switches files
  SourceOutcome search(Assembler& assembler, EntrySink& sink, const Notice&) override {
    index::query(store_, ids_, assembler, sink, stopped_);  // throws db::Error on a damaged index
    return {};
  }

 private:
  index::Store& store_;
  index::QueryIds ids_;
  std::function<bool()> stopped_;
};

}  // namespace

std::unique_ptr<Source> index_source(index::Store& store, std::vector<std::string> sessions,
                                     std::vector<std::string> requests, std::function<bool()> stopped) {
  return std::make_unique<IndexSource>(store, index::QueryIds{std::move(sessions), std::move(requests)},
                                       std::move(stopped));
}

}  // namespace tracegrep
