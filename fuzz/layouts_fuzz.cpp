// libFuzzer: every line reader on untrusted bytes. Each input is read line
// by line by the built-in layouts (text, JSON, logfmt) and, when its first
// byte says so, by a --log-format layout; every entry's message, attributes
// and --json object are built, and the JSON must parse (simdjson: valid
// UTF-8 too) without raw control characters. Crashes, leaks, UB and
// overreads are what it finds too (run under ASan and UBSan).
//   fuzz/run.sh layouts
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_util.hpp"
#include "parse/boundary.hpp"
#include "parse/entry.hpp"
#include "parse/header.hpp"
#include "parse/log_format.hpp"
#include "print/entry_json.hpp"

namespace {

const tracegrep::log_format::Spec kFormats[] = {
    {"%(asctime)s.%(msecs)03d %(levelname)-8s %(name)s %(request_id)s %(session_id)s %(message)s",
     "%d/%b/%Y:%H:%M:%S", tracegrep::log_format::Style::kPercent},
    {"{created} [{levelname:^9}] {module}:{lineno} req={request_id} | {message}", "",
     tracegrep::log_format::Style::kBrace},
    {"${asctime} $levelno $message", "%a %d %B %Y %I:%M:%S %p %z", tracegrep::log_format::Style::kDollar},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string error;
  const std::size_t which = size > 0 ? data[0] % 4 : 0;
  tracegrep::log_format::configure(which < 3 ? kFormats[which] : tracegrep::log_format::Spec{}, error);
  tracegrep::EntryBoundary boundary;
  std::string message, attrs, json;
  while (!input.empty()) {
    const std::size_t nl = input.find('\n');
    const std::string_view line = input.substr(0, nl == std::string_view::npos ? input.size() : nl + 1);
    input.remove_prefix(line.size());
    (void)boundary.begins(line);
    tracegrep::Header h;
    if (!tracegrep::parse_header(line, h)) continue;
    if (h.open_quote) boundary.open_quote();
    tracegrep::build_message(h, line, message);
    attrs.clear();
    tracegrep::append_attrs(attrs, h);
    json.clear();
    tracegrep::append_entry_json(json, {h.has_ts, h.ts, tracegrep::shown_level(h), h.req, h.session, message,
                                        "fuzz", 1, attrs, false});
    json += "}\n";
    tracegrep::fuzz::check_json_lines(json, "an entry's --json object");
  }
  return 0;
}
