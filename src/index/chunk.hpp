// index/: a chunk of whole entries as the ingest builds it: its text, and
// the distinct session and request ids in it (an open-addressing set over
// views into the text, so an id costs no allocation), from which the
// postings are made.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "index/store.hpp"
#include "index/summary.hpp"
#include "util/hash.hpp"

namespace tracegrep {
struct Header;
}

namespace tracegrep::index {

/// Written chunks kept for reuse with their buffers, on each side of the
/// batch writer (about 300 KiB each): a fresh buffer per chunk comes from
/// mmap, and the kernel's zeroing of its pages was a quarter of indexing.
inline constexpr std::size_t kSpareChunks = 48;

/// An id in a chunk: where it is in the chunk's text.
struct KeyRef {
  std::uint64_t hash;  // sorts postings by integer; the text decides only on a tie
  std::uint32_t at;
  std::uint32_t len;
  Kind kind;
};

/// The hash an id is kept under (its kind mixed in).
inline std::uint64_t hash_id(std::string_view id, Kind kind) {
  return fnv1a(id, kFnvOffset ^ static_cast<std::uint64_t>(kind));
}

/// Equal ids (short: compared without a call to memcmp).
inline bool same_text(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {  // ids are short: no call to memcmp
    if (a[i] != b[i]) return false;
  }
  return true;
}

/// zstd at the index's level, with a context kept for every chunk.
class Compressor {
 public:
  Compressor();
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;
  /// The frame of `raw` in `out` (its buffer reused); throws db::Error.
  /// Keeps `out` at the frame's size.
  void pack(std::string_view raw, std::string& out);

 private:
  void* cctx_;  // ZSTD_CCtx
  std::string scratch_;
};

/// zstd's decompression, with a context kept for every chunk.
class Unpacker {
 public:
  Unpacker();
  ~Unpacker();
  Unpacker(const Unpacker&) = delete;
  Unpacker& operator=(const Unpacker&) = delete;
  /// The text of a chunk into `out`; throws db::Error (damaged) when the
  /// frame does not give `raw_size` bytes.
  void unpack(std::string_view packed, std::int64_t raw_size, std::string& out);

 private:
  void* dctx_;  // ZSTD_DCtx
};

/// Calls fn(header, offset in `raw`) for each entry's first line of a
/// chunk's text, where the chunker found entries to begin.
void for_each_entry_header(std::string_view raw, const std::function<void(const Header&, std::size_t)>& fn);

/// A chunk being built or written.
struct Chunk {
  ChunkRow row;
  std::string raw;
  std::vector<KeyRef> keys;          // the distinct ids of the chunk, in order of appearance
  std::size_t posted = 0;            // keys[0, posted) are in postings already (open chunk)
  std::vector<std::uint32_t> slots;  // open addressing over keys: index + 1, 0 = empty
  Parts parts;                       // what its entries come to, per (request, session)
  std::string packed;                // its zstd frame once closed (made by the chunker's thread)

  std::string_view key(const KeyRef& k) const { return std::string_view(raw).substr(k.at, k.len); }

  // Adds an id unless the chunk has it; `text` is where it will be in raw.
  void add(const KeyRef& ref, std::string_view text) {
    if (slots.size() < 2 * (keys.size() + 1)) rehash(slots.empty() ? 1024 : 2 * slots.size());
    std::size_t mask = slots.size() - 1;
    for (std::size_t i = ref.hash & mask;; i = (i + 1) & mask) {
      if (slots[i] == 0) {
        slots[i] = static_cast<std::uint32_t>(keys.size() + 1);
        keys.push_back(ref);
        return;
      }
      const KeyRef& k = keys[slots[i] - 1];
      if (k.hash == ref.hash && k.kind == ref.kind && same_text(key(k), text)) return;
    }
  }

 private:
  void rehash(std::size_t size);
};

}  // namespace tracegrep::index
