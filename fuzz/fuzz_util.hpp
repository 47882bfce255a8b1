// What the fuzz targets share: a ByteStream over memory that hands out its
// bytes in pieces of the fuzzer's choosing, a recording EntrySink, and the
// checks of the printers' output. A broken property aborts (libFuzzer
// keeps the input that did it).
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "parse/entry.hpp"
#include "print/escape.hpp"
#include "source/stream.hpp"

namespace tracegrep::fuzz {

[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "property broken: %s\n", what);
  std::abort();
}
inline void check(bool ok, const char* what) {
  if (!ok) fail(what);
}

/// Reads bytes off the front of the fuzzer's input.
class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
  std::uint8_t byte() { return p_ < end_ ? *p_++ : 0; }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | byte();
    return v;
  }
  std::string_view take(std::size_t n) {
    n = std::min<std::size_t>(n, static_cast<std::size_t>(end_ - p_));
    std::string_view s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return s;
  }
  std::string_view rest() { return take(static_cast<std::size_t>(end_ - p_)); }
  bool empty() const { return p_ == end_; }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

/// Piece sizes from a seed (a small LCG): 1 to `most` bytes, so a read may
/// end anywhere: inside a line, a UTF-8 sequence, a CRLF, a gzip header.
class Pieces {
 public:
  Pieces(std::uint32_t seed, std::size_t most) : state_(seed | 1), most_(std::max<std::size_t>(most, 1)) {}
  std::size_t next() {
    state_ = state_ * 1664525u + 1013904223u;
    return 1 + (state_ >> 8) % most_;
  }

 private:
  std::uint32_t state_;
  std::size_t most_;
};

/// A stream over `bytes`, in pieces (or whole, with `pieces` null).
class MemoryStream final : public ByteStream {
 public:
  MemoryStream(std::string_view bytes, Pieces* pieces) : bytes_(bytes), pieces_(pieces) {}
  ReadStatus read(char* buf, std::size_t cap, std::size_t& n, int /*timeout_ms*/) override {
    n = std::min(cap, bytes_.size());
    if (pieces_) n = std::min(n, pieces_->next());
    if (n == 0) return ReadStatus::kEof;
    std::copy_n(bytes_.data(), n, buf);
    bytes_.remove_prefix(n);
    return ReadStatus::kData;
  }
  bool live() const override { return false; }

 private:
  std::string_view bytes_;
  Pieces* pieces_;
};

struct Recorded {
  std::string text, req, session;
  std::uint64_t line = 0;
  bool cut = false, has_ts = false;
  bool operator==(const Recorded&) const = default;
};

class Recorder final : public EntrySink {
 public:
  Flow entry(const Entry& e) override {
    entries.push_back({std::string(e.text), std::string(e.header->req), std::string(e.header->session),
                       e.line, e.cut, e.header->has_ts});
    return Flow::kContinue;
  }
  std::vector<Recorded> entries;
};

/// Valid UTF-8 throughout.
inline bool valid_utf8(std::string_view s) {
  while (!s.empty()) {
    char32_t cp = 0;
    const std::size_t n = utf8_sequence(s, cp);
    if (n == 0) return false;
    s.remove_prefix(n);
  }
  return true;
}

/// A code point a terminal shows as it is: no control character but '\n'
/// and '\t', no DEL, no C1 control (U+0080-U+009F), no bidirectional
/// embedding, override, isolate or mark (U+202A-U+202E, U+2066-U+2069: the
/// "Trojan Source" characters; U+200E, U+200F), no line or paragraph
/// separator (U+2028, U+2029), no byte order mark (U+FEFF).
inline bool shown_as_is(char32_t cp) {
  return (cp >= 0x20 || cp == '\n' || cp == '\t') && cp != 0x7f && !(cp >= 0x80 && cp <= 0x9f) &&
         !(cp >= 0x202a && cp <= 0x202e) && !(cp >= 0x2066 && cp <= 0x2069) && cp != 0x200e && cp != 0x200f &&
         cp != 0x2028 && cp != 0x2029 && cp != 0xfeff;
}

/// Valid UTF-8 of code points shown as they are.
inline void check_terminal_safe(std::string_view text, const char* what) {
  std::string_view s = text;
  while (!s.empty()) {
    char32_t cp = 0;
    const std::size_t n = utf8_sequence(s, cp);
    const bool ok = n > 0 && shown_as_is(cp);
    if (!ok) {
      std::fprintf(stderr, "at byte %zu of:\n%.*s\n", text.size() - s.size(), static_cast<int>(text.size()),
                   text.data());
      fail(what);
    }
    s.remove_prefix(n);
  }
}

/// Each line of `text` is a JSON document that simdjson accepts (which
/// includes valid UTF-8) and holds no raw control byte.
inline void check_json_lines(std::string_view text, const char* what) {
  static simdjson::dom::parser parser;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    check(nl != std::string_view::npos, what);  // every document ends its line
    const std::string_view doc = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    simdjson::dom::element e;
    const auto err = parser.parse(simdjson::padded_string(doc)).get(e);
    bool ok = err == simdjson::SUCCESS;
    if (!ok) std::fprintf(stderr, "%s\n", simdjson::error_message(err));
    for (const char c : doc) ok = ok && static_cast<unsigned char>(c) >= 0x20;
    if (!ok) {
      std::fprintf(stderr, "%.*s\n", static_cast<int>(doc.size()), doc.data());
      fail(what);
    }
  }
}

/// `text` is one JSON document (it may span lines).
inline void check_json_document(std::string_view text, const char* what) {
  static simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parser.parse(simdjson::padded_string(text)).get(e) != simdjson::SUCCESS) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(text.size()), text.data());
    fail(what);
  }
}

}  // namespace tracegrep::fuzz
