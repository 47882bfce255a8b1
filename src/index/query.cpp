#include "index/query.hpp"

#include <zstd.h>

#include <algorithm>
#include <memory>

#include "source/input.hpp"
#include "tracegrep/format.hpp"

namespace tracegrep::index {

std::optional<std::vector<std::int64_t>> candidate_chunks(Store& store, const QueryIds& ids) {
  std::vector<std::int64_t> out;
  if (!ids.sessions.empty()) {
    // The -s rule: sessions that start with the id, and the id's prefixes of
    // at least kMinCutSession characters (a log keeps a cut id).
    for (const std::string& s : ids.sessions) {
      store.chunks_for(Kind::kSession, s, true, out);
      for (std::size_t n = format::kMinCutSession; n < s.size(); ++n) {
        store.chunks_for(Kind::kSession, std::string_view(s).substr(0, n), false, out);
      }
    }
  } else if (!ids.requests.empty()) {
    for (const std::string& r : ids.requests) store.chunks_for(Kind::kRequest, r, false, out);
  } else {
    return std::nullopt;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void query(Store& store, const QueryIds& ids, Assembler& assembler, EntrySink& sink,
           const std::function<bool()>& stopped) {
  const auto candidates = candidate_chunks(store, ids);
  const std::vector<FileRow> files = store.files();
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  std::string raw;
  std::size_t next_file = 0;  // files before it have been begun and ended
  bool in_file = false;
  bool skip_file = false;  // the sink stopped this file (--max-count)
  std::int64_t current = -1;
  // Every file is begun and ended, in order, even without chunks, so that
  // -c prints a count for each as a scan would.
  auto advance_to = [&](std::int64_t file_id) {
    while (next_file < files.size() && files[next_file].id <= file_id) {
      if (in_file) sink.end_input();
      sink.begin_input(input_name(files[next_file].path));
      in_file = true;
      current = files[next_file].id;
      skip_file = false;
      ++next_file;
    }
  };
  store.for_each_chunk(candidates ? &*candidates : nullptr, [&](const ChunkRow& row, std::string_view data) {
    if (stopped()) return;
    if (row.file != current) advance_to(row.file);
    if (skip_file) return;
    raw.resize(static_cast<std::size_t>(row.raw_size));
    const std::size_t n = ZSTD_decompressDCtx(dctx.get(), raw.data(), raw.size(), data.data(), data.size());
    if (ZSTD_isError(n) || n != raw.size()) throw db::Error(11, "a chunk does not decompress");
    assembler.reset(static_cast<std::uint64_t>(row.line));
    if (assembler.feed(raw) == Flow::kStop || assembler.flush() == Flow::kStop) skip_file = true;
  });
  if (!stopped()) advance_to(files.empty() ? 0 : files.back().id);
  if (in_file) sink.end_input();
}

}  // namespace tracegrep::index
