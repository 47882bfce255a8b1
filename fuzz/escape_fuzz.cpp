// libFuzzer: the escapers that stand between untrusted log bytes and the
// reader. For any bytes:
// - append_terminal_safe writes text a terminal shows as it is (valid
//   UTF-8, no control character but '\n' and '\t', no C1 control, no
//   bidirectional override, isolate or mark: fuzz_util.hpp's shown_as_is),
//   and changes nothing in text that is already so;
// - append_json_string writes one JSON string that simdjson parses, and
//   that reads back as the input whenever the input is valid UTF-8;
// - the emitter's append_escaped_message keeps a message on one line.
//   fuzz/run.sh escape
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.hpp"
#include "print/escape.hpp"
#include "tracegrep/format.hpp"

using namespace tracegrep;
using fuzz::check;

namespace {

bool already_safe(std::string_view s) {
  while (!s.empty()) {
    char32_t cp = 0;
    const std::size_t n = utf8_sequence(s, cp);
    if (n == 0 || !fuzz::shown_as_is(cp)) return false;
    s.remove_prefix(n);
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  std::string shown;
  append_terminal_safe(shown, input);
  fuzz::check_terminal_safe(shown, "append_terminal_safe let through what a terminal acts on");
  if (already_safe(input)) check(shown == input, "append_terminal_safe changed safe text");

  std::string json;
  append_json_string(json, input);
  static simdjson::dom::parser parser;
  std::string_view back;
  const simdjson::padded_string padded(json);
  check(parser.parse(padded).get(back) == simdjson::SUCCESS,
        "append_json_string wrote what is not a JSON string");
  for (const char c : json)
    check(static_cast<unsigned char>(c) >= 0x20, "a raw control byte in a JSON string");
  if (fuzz::valid_utf8(input)) check(back == input, "a JSON string does not read back as its text");

  std::string line;
  format::append_escaped_message(line, input);
  check(line.find_first_of("\r\n") == std::string::npos, "an escaped message spans lines");
  return 0;
}
