// Byte sources: gzip members, corrupt data, and the bounded line feeder.
#include "source/stream.hpp"

#include <zlib.h>

#include <catch2/catch.hpp>
#include <memory>

#include "match/filter.hpp"
#include "parse/assembler.hpp"
#include "recorder.hpp"
#include "source/feeder.hpp"

using namespace tracegrep;

namespace {

// A stream over a string, handing out at most `step` bytes a read.
class StringStream : public ByteStream {
 public:
  StringStream(std::string data, std::size_t step) : data_(std::move(data)), step_(step) {}
  ReadStatus read(char* buf, std::size_t cap, std::size_t& n, int) override {
    n = std::min({cap, step_, data_.size() - pos_});
    if (n == 0) return ReadStatus::kEof;
    std::copy_n(data_.data() + pos_, n, buf);
    pos_ += n;
    return ReadStatus::kData;
  }
  bool live() const override { return false; }

 private:
  std::string data_;
  std::size_t step_;
  std::size_t pos_ = 0;
};

std::string gzip(const std::string& text) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(compressBound(static_cast<uLong>(text.size())) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string drain(ByteStream& s, ReadStatus& last) {
  std::string out;
  char buf[100];
  std::size_t n = 0;
  while ((last = s.read(buf, sizeof buf, n, -1)) == ReadStatus::kData) out.append(buf, n);
  return out;
}

}  // namespace

TEST_CASE("gzip: concatenated members decode as one text", "[source]") {
  const std::string a = "first member\n", b = "second member\n";
  for (std::size_t step : {1u, 3u, 4096u}) {
    GzipStream z(std::make_unique<StringStream>(gzip(a) + gzip(b), step));
    ReadStatus last;
    CHECK(drain(z, last) == a + b);
    CHECK(last == ReadStatus::kEof);
  }
}

TEST_CASE("gzip: truncated or corrupt data is an error after what decoded", "[source]") {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "line " + std::to_string(i) + "\n";
  const std::string gz = gzip(text);
  {
    GzipStream z(std::make_unique<StringStream>(gz.substr(0, gz.size() / 2), 512));
    ReadStatus last;
    const std::string got = drain(z, last);
    CHECK(last == ReadStatus::kError);
    CHECK(z.error().message() == "unexpected end of gzip data (truncated file?)");
    CHECK(text.compare(0, got.size(), got) == 0);
  }
  {
    std::string bad = gz;
    for (std::size_t i = 20; i < 60; ++i) bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    GzipStream z(std::make_unique<StringStream>(bad, 512));
    ReadStatus last;
    drain(z, last);
    CHECK(last == ReadStatus::kError);
    CHECK(z.error().message().rfind("corrupt gzip data", 0) == 0);
  }
}

TEST_CASE("the feeder cuts lines longer than the limit and keeps memory bounded", "[source]") {
  std::string error;
  auto filter = Filter::build({}, error);
  test::Recorder rec;
  Assembler a(*filter, rec, 4096, LineNumbers::kCount);
  const std::string log = "2024-01-15 10:30:15 - INFO - [req=r|session=s] - " + std::string(100000, 'x') +
                          "\n2024-01-15 10:30:16 - INFO - [req=r2|session=s] - after\n";
  for (std::size_t step : {1000u, 65536u}) {
    rec.entries.clear();
    a.reset();
    LineFeeder feeder(a, rec, 4096);
    StringStream s(log, step);
    const auto outcome = feeder.run(s);
    CHECK_FALSE(outcome.error);
    REQUIRE(rec.entries.size() == 2);
    CHECK(rec.entries[0].cut);
    CHECK(rec.entries[0].text == log.substr(0, 4096));
    CHECK(rec.entries[1].req == "r2");
    CHECK(rec.entries[1].line == 2);
  }
}
