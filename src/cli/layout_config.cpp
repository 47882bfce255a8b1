#include "cli/layout_config.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace tracegrep {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool parse_style(const std::string& s, log_format::Style& out) {
  if (s.empty() || s == "%")
    out = log_format::Style::kPercent;
  else if (s == "{")
    out = log_format::Style::kBrace;
  else if (s == "$")
    out = log_format::Style::kDollar;
  else
    return false;
  return true;
}

}  // namespace

std::string layouts_file_path() {
  if (const std::string p = env("TRACEGREP_LAYOUTS"); !p.empty()) return p;
  if (const std::string x = env("XDG_CONFIG_HOME"); !x.empty()) return x + "/tracegrep/layouts.ini";
  if (const std::string h = env("HOME"); !h.empty()) return h + "/.config/tracegrep/layouts.ini";
  return "";
}

bool read_named_layouts(std::vector<NamedLayout>& out, std::string& error) {
  const std::string path = layouts_file_path();
  if (path.empty()) return true;
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return true;
    error = fmt::format("{}: {}", path, std::strerror(errno));
    return false;
  }
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[' && t.back() == ']') {
      out.push_back({trim(t.substr(1, t.size() - 2)), {}});
      continue;
    }
    const auto eq = t.find('=');
    if (eq == std::string::npos || out.empty()) {
      error = fmt::format("{}:{}: expected [name] or key = value", path, n);
      return false;
    }
    const std::string key = trim(t.substr(0, eq)), value = trim(t.substr(eq + 1));
    log_format::Spec& spec = out.back().spec;
    if (key == "format") {
      spec.format = value;
    } else if (key == "datefmt") {
      spec.datefmt = value;
    } else if (key == "style") {
      if (!parse_style(value, spec.style)) {
        error = fmt::format("{}:{}: style is %, {{ or $", path, n);
        return false;
      }
    } else {
      error = fmt::format("{}:{}: unknown key '{}' (format, datefmt, style)", path, n, key);
      return false;
    }
  }
  return true;
}

bool resolve_layout(std::string format, std::string datefmt, std::string style, log_format::Spec& out,
                    std::string& error) {
  if (format.empty()) format = env("TRACEGREP_LOG_FORMAT");
  if (datefmt.empty()) datefmt = env("TRACEGREP_DATE_FORMAT");
  if (style.empty()) style = env("TRACEGREP_LOG_FORMAT_STYLE");
  out = {};
  if (format.starts_with('@')) {
    std::vector<NamedLayout> named;
    if (!read_named_layouts(named, error)) return false;
    const std::string name = format.substr(1);
    for (const auto& n : named)
      if (n.name == name) out = n.spec;
    if (out.format.empty()) {
      error = fmt::format("--log-format: no layout named '{}' in {}", name, layouts_file_path());
      return false;
    }
  } else {
    out.format = format;
  }
  if (!datefmt.empty()) out.datefmt = datefmt;
  if (!style.empty() && !parse_style(style, out.style)) {
    error = "--log-format-style: %, { or $";
    return false;
  }
  return true;
}

}  // namespace tracegrep
