// libFuzzer: the first-line and timestamp parsers, and the emitter's side of
// the format. For any bytes:
// - parse_timestamp's fields are in range, and what format_iso writes of
//   the time reads back as the same time; parse_epoch's too;
// - parse_header's views lie inside the line it was given;
// - an id the emitter derives from them is safe, and a message it writes
//   stays on one line that reads back as one entry with the emitter's ids:
//   log content cannot forge an entry or change its tag (CWE-117).
//   fuzz/run.sh header
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.hpp"
#include "parse/header.hpp"
#include "tracegrep/format.hpp"
#include "tracegrep/ids.hpp"
#include "tracegrep/log.hpp"

using namespace tracegrep;
using fuzz::check;

namespace {

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void check_time(const format::Timestamp& ts, const char* what) {
  check(ts.nanos >= 0 && ts.nanos <= 999'999'999 && ts.frac_digits <= 9, what);
}

void timestamps(std::string_view text) {
  format::Timestamp ts;
  const std::size_t n = format::parse_timestamp(text, ts);
  check(n <= text.size(), "parse_timestamp consumed more than it was given");
  if (n > 0) {
    check_time(ts, "parse_timestamp: a field out of range");
    const std::string iso = format::format_iso(ts);
    format::Timestamp again;
    check(format::parse_timestamp(iso, again) == iso.size(), "format_iso wrote what parse_timestamp refuses");
    check(again == ts && again.utc == ts.utc, "format_iso then parse_timestamp changed the time");
  }
  format::Timestamp epoch;
  if (format::parse_epoch(text.substr(0, std::min<std::size_t>(text.size(), 40)), epoch))
    check_time(epoch, "parse_epoch: a field out of range");
}

void header(std::string_view line) {
  Header h;
  (void)parse_header(line, h);
  for (const std::string_view part : {h.level_text, h.tag, h.req, h.session, h.message, h.detail, h.line})
    check(inside(part, line), "parse_header: a view outside its line");
  check(h.field_count <= h.fields.size(), "parse_header: too many fields");
  for (std::size_t i = 0; i < h.field_count; ++i)
    check(inside(h.fields[i], line), "parse_header: a field outside");
  if (h.has_ts) check_time(h.ts, "parse_header: a time out of range");
}

// The emitter: ids derived from untrusted text, and a message of it.
void emitter(std::string_view text) {
  const std::string req = derived_id(text.substr(0, text.size() / 2));
  check(format::is_safe_id(req), "derived_id gave an unsafe id");
  const std::string tag = "[req=" + req + "|session=abcd1234]";
  std::string line;
  render_line(line, Level::kError, tag, text, Clock::kUtc);
  check(line.find('\n') == line.size() - 1, "a message made the emitter write more than one line");
  check(line.find('\r') == std::string::npos, "a message made the emitter write a carriage return");
  Header h;
  check(parse_header(line, h), "the emitter wrote a line the reader does not take for an entry");
  check(h.req == req && h.session == "abcd1234", "a message changed the ids the reader sees");
  check(h.level == format::Level::kError, "a message changed the level the reader sees");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  timestamps(input);
  std::string_view rest = input;
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl == std::string_view::npos ? rest.size() : nl + 1);
    rest.remove_prefix(line.size());
    header(line);
  }
  emitter(input);
  return 0;
}
