#include "index/chunk.hpp"

#include <zstd.h>

#include "index/db.hpp"

namespace tracegrep::index {
namespace {
constexpr int kZstdLevel = 1;
}  // namespace

Compressor::Compressor() : cctx_(ZSTD_createCCtx()) {}
Compressor::~Compressor() { ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(cctx_)); }

void Compressor::pack(std::string_view raw, std::string& out) {
  // Into a scratch buffer of the worst case, then copied at its size: a
  // chunk keeps about a sixth of its text, not the bound.
  scratch_.resize(ZSTD_compressBound(raw.size()));
  const std::size_t n = ZSTD_compressCCtx(static_cast<ZSTD_CCtx*>(cctx_), scratch_.data(), scratch_.size(),
                                          raw.data(), raw.size(), kZstdLevel);
  if (ZSTD_isError(n)) throw db::Error::failed(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.assign(scratch_.data(), n);
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
