// libFuzzer: the gzip reader (source/stream's GzipStream), read in pieces
// of the fuzzer's choosing. For any bytes:
// - as a gzip file: reading ends, in end of data or an error, never a hang
//   or a crash, and never more than the deflate format's bound of output;
// - the rest of the input compressed by zlib as one or more members reads
//   back exactly; cut short anywhere it is an error, never a quiet end.
//   fuzz/run.sh gzip
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.hpp"
#include "source/stream.hpp"

using namespace tracegrep;
using fuzz::check;

namespace {

struct Result {
  ReadStatus end;
  std::string bytes;
};

Result read_all(std::string_view gz, std::uint32_t seed, std::size_t limit) {
  fuzz::Pieces pieces(seed, 1 + seed % 200);
  fuzz::Pieces caps(seed >> 8, 1 + (seed >> 16) % 5000);
  GzipStream stream(std::make_unique<fuzz::MemoryStream>(gz, &pieces));
  Result r;
  std::vector<char> buf(8192);
  for (;;) {
    std::size_t n = 0;
    const ReadStatus s = stream.read(buf.data(), std::min(buf.size(), caps.next()), n, -1);
    if (s != ReadStatus::kData) {
      check(n == 0, "bytes with an end or an error");
      check(s == ReadStatus::kEof || s == ReadStatus::kError, "a file stream went idle");
      r.end = s;
      return r;
    }
    check(n > 0, "data of no bytes: a reader would spin");
    r.bytes.append(buf.data(), n);
    check(r.bytes.size() <= limit, "more output than deflate can encode in the input");
  }
}

struct Member {
  std::size_t gz_end, text_end;
};

// `text` as gzip members, cut where `cuts` says (at most 16 members; the
// last holds the rest); where each member ends.
std::string compress(std::string_view text, fuzz::Bytes& cuts, std::vector<Member>& members) {
  std::string out;
  std::size_t done = 0;
  do {
    const std::size_t n =
        cuts.empty() ? text.size() : std::min<std::size_t>(text.size(), cuts.byte() * 37 + 1);
    z_stream z{};
    check(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK, "deflateInit2");
    std::vector<unsigned char> buf(deflateBound(&z, static_cast<uLong>(n)) + 32);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(n);
    z.next_out = buf.data();
    z.avail_out = static_cast<uInt>(buf.size());
    check(deflate(&z, Z_FINISH) == Z_STREAM_END, "deflate");
    out.append(reinterpret_cast<const char*>(buf.data()), buf.size() - z.avail_out);
    deflateEnd(&z);
    text.remove_prefix(n);
    done += n;
    members.push_back({out.size(), done});
  } while (!text.empty());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Bytes in(data, size);
  const auto seed = static_cast<std::uint32_t>(in.u64());
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  // Deflate expands at most 1032:1; with gzip's headers, members and tar
  // padding, 1100 bytes out per byte in is well beyond what is valid.
  (void)read_all(raw, seed, (size + 1) * 1100);

  const std::uint8_t cuts_len = in.byte();
  fuzz::Bytes cuts(data + 9, std::min<std::size_t>(cuts_len % 16, size > 9 ? size - 9 : 0));
  (void)in.take(cuts_len % 16);
  const std::string_view text = in.rest();
  std::vector<Member> members;
  const std::string gz = compress(text, cuts, members);
  const Result whole = read_all(gz, seed, gz.size() * 1100);
  check(whole.end == ReadStatus::kEof && whole.bytes == text, "gzip members did not read back as their text");
  const std::size_t keep = seed % gz.size();
  const Result cut = read_all(std::string_view(gz).substr(0, keep), seed, gz.size() * 1100);
  check(text.starts_with(cut.bytes), "a cut gzip file read as other text");
  // A cut at a member's end is a whole, shorter file; a cut inside one must fail.
  bool at_member_end = false;
  for (const Member& m : members)
    if (m.gz_end == keep) at_member_end = cut.bytes.size() == m.text_end;
  check(at_member_end == (cut.end == ReadStatus::kEof), "a gzip file cut inside a member read as complete");
  return 0;
}
