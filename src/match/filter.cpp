#include "match/filter.hpp"

#include <re2/re2.h>

#include <algorithm>

namespace tracegrep {
namespace {

RE2::Options regex_options(Case letter_case) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_case_sensitive(letter_case == Case::kSensitive);
  return options;
}

}  // namespace

Filter::Filter(FilterSpec spec) : spec_(std::move(spec)) {}
Filter::~Filter() = default;

std::function<bool(std::string_view)> line_matcher(const std::string& pattern, std::string& error) {
  auto re = std::make_shared<RE2>(pattern, regex_options(Case::kSensitive));
  if (!re->ok()) {
    error = "bad pattern '" + pattern + "': " + re->error();
    return {};
  }
  return [re](std::string_view line) {
    return RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), *re);
  };
}

std::unique_ptr<re2::RE2> patterns_regex(const FilterSpec& spec, std::string& error) {
  const RE2::Options options = regex_options(spec.letter_case);
  std::string combined;
  for (const std::string& pattern : spec.patterns) {
    std::string source = spec.syntax == PatternSyntax::kFixed ? RE2::QuoteMeta(pattern) : pattern;
    // -w as grep has it: not preceded or followed by a word character
    // (RE2 has no lookaround; \b does the same at a word's edge).
    if (spec.whole_words) source = "\\b(?:" + source + ")\\b";
    // Compiled alone first, so an error names the pattern that caused it.
    const RE2 one(source, options);
    if (!one.ok()) {
      error = "bad pattern '" + pattern + "': " + one.error();
      return nullptr;
    }
    if (!combined.empty()) combined += '|';
    combined += "(?:" + source + ")";
  }
  auto re = std::make_unique<RE2>(combined, options);
  if (!re->ok()) {
    error = "patterns too large together: " + re->error();
    return nullptr;
  }
  return re;
}

std::unique_ptr<Filter> Filter::build(const FilterSpec& spec, std::string& error) {
  std::unique_ptr<Filter> filter(new Filter(spec));
  if (!spec.patterns.empty()) {
    filter->regex_ = patterns_regex(spec, error);
    if (!filter->regex_) return nullptr;
  }
  // Ids to look for (the other options only narrow further): an accepted
  // entry's first line holds one of the sessions' literals, and one of the
  // requests'. Search the literals of one kind; with more ids than the
  // finder takes at once, every line is parsed instead.
  auto needles_of = [](const std::vector<std::string>& ids, std::string (*needle)(std::string_view)) {
    std::vector<std::string> out;
    for (const auto& id : ids) out.push_back(needle(id));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  };
  std::vector<std::string> needles = needles_of(spec.sessions, format::session_needle);
  if (needles.empty() || needles.size() > LiteralFinder::kMaxNeedles)
    needles = needles_of(spec.requests, format::request_needle);
  // Without ids, the values asked of the first --field key: a value that
  // is plain text is written as it is in every layout.
  if (needles.empty() && !spec.fields.empty()) {
    bool plain = true;
    for (const auto& [key, value] : spec.fields) {
      if (key != spec.fields.front().first) continue;
      plain = plain && !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
                return format::is_safe_id_char(static_cast<unsigned char>(c)) || c == '/';
              });
      needles.push_back(value);
    }
    if (!plain) needles.clear();
    std::sort(needles.begin(), needles.end());
    needles.erase(std::unique(needles.begin(), needles.end()), needles.end());
  }
  if (!needles.empty() && needles.size() <= LiteralFinder::kMaxNeedles)
    filter->finder_ = std::make_unique<LiteralFinder>(needles);
  return filter;
}

bool Filter::accepts_header(const Header& h) const {
  if (!spec_.sessions.empty()) {
    if (h.session.empty()) return false;
    if (std::none_of(spec_.sessions.begin(), spec_.sessions.end(),
                     [&](const std::string& s) { return format::session_matches(h.session, s); })) {
      return false;
    }
  }
  if (!spec_.requests.empty()) {
    if (h.req.empty()) return false;
    if (std::find(spec_.requests.begin(), spec_.requests.end(), h.req) == spec_.requests.end()) {
      return false;
    }
  }
  if (spec_.min_level && format::level_rank(h.level) < format::level_rank(*spec_.min_level)) {
    return false;
  }
  if (spec_.since || spec_.until) {
    if (!h.has_ts) return false;
    if (spec_.since && h.ts < spec_.since->for_time(h.ts)) return false;
    if (spec_.until && !(h.ts < spec_.until->for_time(h.ts))) return false;
  }
  return spec_.fields.empty() || accepts_fields(h);
}

bool Filter::accepts_fields(const Header& h) const {
  // Each key asked must have one of the values asked for it.
  std::vector<bool> key_met(spec_.fields.size(), false);
  for_each_attr(h, [&](std::string_view key, std::string_view value, bool) {
    for (std::size_t i = 0; i < spec_.fields.size(); ++i)
      if (spec_.fields[i].first == key && spec_.fields[i].second == value) key_met[i] = true;
  });
  for (std::size_t i = 0; i < spec_.fields.size(); ++i) {
    bool met = false;
    for (std::size_t j = 0; j < spec_.fields.size(); ++j)
      met = met || (spec_.fields[j].first == spec_.fields[i].first && key_met[j]);
    if (!met) return false;
  }
  return true;
}

bool Filter::accepts_message(std::string_view message) const {
  if (!regex_) return true;
  const bool found = RE2::PartialMatch(re2::StringPiece(message.data(), message.size()), *regex_);
  return found == (spec_.polarity == Polarity::kMatching);
}

}  // namespace tracegrep
