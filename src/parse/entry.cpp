// Message assembly shared by the regex filter and the JSON printer.
#include "parse/entry.hpp"

namespace tracegrep {

void build_message(const Header& header, std::string_view text, std::string& out) {
  out.clear();
  decode_message(header, out);
  if (!header.detail.empty()) {
    out += '\n';
    decode_detail(header, out);
  }
  const auto first_nl = text.find('\n');
  if (first_nl == std::string_view::npos) return;
  std::string_view rest = text.substr(first_nl + 1);
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    out += '\n';
    out += chomp(rest.substr(0, nl == std::string_view::npos ? rest.size() : nl + 1));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
}

}  // namespace tracegrep
