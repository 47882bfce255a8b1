#include "index/chunk.hpp"

#include <zstd.h>

#include "index/db.hpp"
#include "parse/boundary.hpp"
#include "parse/header.hpp"

namespace tracegrep::index {
namespace {
constexpr int kZstdLevel = 1;
}  // namespace

Compressor::Compressor() : cctx_(ZSTD_createCCtx()) {
  // Each chunk carries zstd's checksum of its text (4 bytes), checked by
  // every decompression: a damaged chunk is found, never read as text.
  auto* cctx = static_cast<ZSTD_CCtx*>(cctx_);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, kZstdLevel);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
}
Compressor::~Compressor() { ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(cctx_)); }

void Compressor::pack(std::string_view raw, std::string& out) {
  // Into a scratch buffer of the worst case, then copied at its size: a
  // chunk keeps about a sixth of its text, not the bound.
  scratch_.resize(ZSTD_compressBound(raw.size()));
  const std::size_t n = ZSTD_compress2(static_cast<ZSTD_CCtx*>(cctx_), scratch_.data(), scratch_.size(),
                                       raw.data(), raw.size());
  if (ZSTD_isError(n)) throw db::Error::failed(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.assign(scratch_.data(), n);
}

Unpacker::Unpacker() : dctx_(ZSTD_createDCtx()) {}
Unpacker::~Unpacker() { ZSTD_freeDCtx(static_cast<ZSTD_DCtx*>(dctx_)); }

void Unpacker::unpack(std::string_view packed, std::int64_t raw_size, std::string& out) {
  out.resize(static_cast<std::size_t>(raw_size));
  const std::size_t n = ZSTD_decompressDCtx(static_cast<ZSTD_DCtx*>(dctx_), out.data(), out.size(),
                                            packed.data(), packed.size());
  if (ZSTD_isError(n) || n != out.size()) throw db::Error::damaged("a chunk does not decompress");
}

void for_each_entry_header(std::string_view raw, const std::function<void(const Header&, std::size_t)>& fn) {
  EntryBoundary boundary;
  std::size_t at = 0;
  while (at < raw.size()) {
    const auto nl = raw.find('\n', at);
    const std::size_t end = nl == std::string_view::npos ? raw.size() : nl + 1;
    const std::string_view line = raw.substr(at, end - at);
    if (boundary.begins(line)) {
      Header h;
      parse_header(line, h);
      if (h.open_quote) boundary.open_quote();  // a logfmt value left open goes on
      fn(h, at);
    }
    at = end;
  }
}

void Chunk::rehash(std::size_t size) {
  slots.assign(size, 0);
  for (std::size_t n = 0; n < keys.size(); ++n) {
    for (std::size_t i = keys[n].hash & (size - 1);; i = (i + 1) & (size - 1)) {
      if (slots[i] == 0) {
        slots[i] = static_cast<std::uint32_t>(n + 1);
        break;
      }
    }
  }
}

}  // namespace tracegrep::index
