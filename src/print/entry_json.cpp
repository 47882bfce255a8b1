#include "print/entry_json.hpp"

#include <fmt/format.h>

#include "parse/header.hpp"
#include "print/escape.hpp"

namespace tracegrep {

void append_entry_json(std::string& out, const EntryFields& f) {
  out += "{\"ts\":";
  if (f.has_ts) {
    out += '"';
    out += format::format_iso(f.ts);
    out += '"';
  } else {
    out += "null";
  }
  out += ",\"level\":";
  if (f.level_text.empty()) {
    out += "null";
  } else {
    // Upper case, escaped: a level is a word as the parsers read it, but an
    // index (or a damaged one) may hold anything.
    std::string upper(f.level_text);
    for (char& c : upper) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
    append_json_string(out, upper);
  }
  auto id = [&out](std::string_view key, std::string_view value) {
    out += key;
    if (value.empty())
      out += "null";
    else
      append_json_string(out, value);
  };
  id(",\"req\":", f.req);
  id(",\"session\":", f.session);
  out += ",\"msg\":";
  append_json_string(out, f.message);
  out += ",\"file\":";
  append_json_string(out, f.file);
  out += ",\"line\":";
  out += fmt::format_int(f.line).str();
  if (!f.attrs.empty()) {
    out += ",\"attrs\":{";
    out += f.attrs;
    out += '}';
  }
  if (f.cut) out += ",\"cut\":true";
}

void append_attrs(std::string& out, const Header& header) {
  const std::size_t start = out.size();
  for_each_attr(header, [&out, start](std::string_view key, std::string_view value, bool json_text) {
    if (out.size() != start) out += ',';
    append_json_string(out, key);
    out += ':';
    if (json_text)
      out += value;
    else
      append_json_string(out, value);
  });
}

}  // namespace tracegrep
