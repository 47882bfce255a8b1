// libFuzzer: the reader and the assembler (source/feeder -> parse/assembler)
// on arbitrary bytes read in arbitrary pieces. For any input:
// - the entries are the same whatever the pieces (reads that end inside a
//   line, a CRLF or a UTF-8 sequence);
// - the entries' bytes, concatenated, are the input, but for what an entry
//   cut at the limit drops;
// - the literal skip (lines without an id jumped over unparsed) gives what a
//   full parse with the same filter gives: the baseline is the same filter
//   behind a wrapper that offers no skipper, so it really parses every line;
// - line numbers count the input's lines.
// The first input bytes choose the pieces, the entry limit and the filter.
//   fuzz/run.sh assembler
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.hpp"
#include "match/filter.hpp"
#include "parse/assembler.hpp"
#include "source/feeder.hpp"

using namespace tracegrep;
using fuzz::check;

namespace {

// The same filter without its skipper: every line is parsed.
class FullParse final : public EntryFilter {
 public:
  explicit FullParse(const EntryFilter& f) : f_(f) {}
  bool accepts_header(const Header& h) const override { return f_.accepts_header(h); }
  bool wants_message() const override { return f_.wants_message(); }
  bool accepts_message(std::string_view m) const override { return f_.accepts_message(m); }
  const LineSkipper* skipper() const override { return nullptr; }

 private:
  const EntryFilter& f_;
};

std::vector<fuzz::Recorded> scan(std::string_view log, const EntryFilter& filter, std::size_t max_entry,
                                 fuzz::Pieces* pieces) {
  fuzz::Recorder rec;
  Assembler assembler(filter, rec, max_entry, LineNumbers::kCount);
  assembler.reset();
  LineFeeder feeder(assembler, rec, max_entry);
  fuzz::MemoryStream stream(log, pieces);
  const FeedOutcome outcome = feeder.run(stream);
  check(outcome.flow == Flow::kContinue && !outcome.error, "a memory stream failed");
  return rec.entries;
}

std::unique_ptr<Filter> build(const FilterSpec& spec) {
  std::string error;
  auto f = Filter::build(spec, error);
  check(f != nullptr, "a filter of safe ids did not build");
  return f;
}

// An id written in the log after "key=" (so that some entries match), or one
// of the log's own bytes when there is none.
std::string id_in(std::string_view log, std::string_view key, std::size_t at) {
  std::size_t pos = log.find(key, at % (log.size() + 1));
  if (pos == std::string_view::npos) pos = log.find(key);
  if (pos == std::string_view::npos) return "a1b2c3d4";
  std::string id;
  for (std::size_t i = pos + key.size(); i < log.size() && id.size() < 12; ++i) {
    if (!format::is_safe_id_char(static_cast<unsigned char>(log[i]))) break;
    id += log[i];
  }
  return format::is_safe_id(id) ? id : "a1b2c3d4";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Bytes in(data, size);
  const std::uint32_t seed = static_cast<std::uint32_t>(in.u64());
  const std::uint8_t mode = in.byte();
  const std::string_view log = in.rest();
  // The smallest limit the CLI takes: lines longer than it are cut.
  const std::size_t max_entry = kMinMaxEntry;

  auto all = build({});
  const auto whole = scan(log, *all, max_entry, nullptr);
  fuzz::Pieces pieces(seed, 1 + (mode >> 4) * 97);
  check(scan(log, *all, max_entry, &pieces) == whole, "entries depend on where reads end");

  // Each entry's bytes are the input's from where the last one ended; after
  // a cut entry, from a later line start (the rest of the cut one is
  // dropped). Its line number counts the input's lines before it.
  std::size_t pos = 0;
  std::uint64_t line = 1;
  bool after_cut = false;
  for (const auto& e : whole) {
    std::size_t at = pos;
    if (after_cut) {
      at = log.find(e.text, pos);
      while (at != std::string_view::npos && at > 0 && log[at - 1] != '\n') at = log.find(e.text, at + 1);
      check(at != std::string_view::npos, "an entry after a cut one is not in the input");
    }
    check(log.compare(at, e.text.size(), e.text) == 0, "the entries' bytes are not the input");
    for (std::size_t i = pos; i < at; ++i) line += log[i] == '\n';
    check(e.line == line, "an entry's line number is not where it starts");
    for (const char c : e.text) line += c == '\n';
    pos = at + e.text.size();
    after_cut = e.cut;
  }
  if (!after_cut) check(pos == log.size(), "the entries' bytes are not the input");

  FilterSpec spec;
  if (mode & 2)
    spec.requests.push_back(id_in(log, "req=", seed));
  else
    spec.sessions.push_back(id_in(log, "session=", seed));
  if (mode & 4) spec.patterns.push_back(id_in(log, " - ", seed >> 8));
  spec.syntax = PatternSyntax::kFixed;
  auto some = build(spec);
  check(some->skipper() != nullptr, "an id filter without its literal skip: the comparison would be void");
  const FullParse baseline(*some);
  fuzz::Pieces again(seed ^ 0x5bd1e995u, 1 + (mode >> 4) * 97);
  check(scan(log, *some, max_entry, &again) == scan(log, baseline, max_entry, nullptr),
        "the literal skip and a full parse disagree");
  return 0;
}
