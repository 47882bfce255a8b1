// The filters of one run, compiled once: ids, level, time window (checked on
// an entry's first line) and patterns (checked on its whole message).
// Different options combine with AND, repeats of one option with OR.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "match/literal.hpp"
#include "match/time_bound.hpp"
#include "parse/entry_filter.hpp"
#include "parse/header.hpp"

namespace re2 {
class RE2;
}

namespace tracegrep {

enum class PatternSyntax { kRegex, kFixed };
enum class Case { kSensitive, kInsensitive };
enum class Polarity { kMatching, kInverted };

struct FilterSpec {
  std::vector<std::string> sessions;
  std::vector<std::string> requests;
  std::optional<format::Level> min_level;
  std::optional<TimeBound> since;  ///< inclusive
  std::optional<TimeBound> until;  ///< exclusive
  /// --field KEY=VALUE: an attribute (parse/header.hpp's for_each_attr)
  /// equal to VALUE. Values of one key are alternatives; keys combine with AND.
  std::vector<std::pair<std::string, std::string>> fields;
  std::vector<std::string> patterns;
  PatternSyntax syntax = PatternSyntax::kRegex;
  Case letter_case = Case::kSensitive;
  Polarity polarity = Polarity::kMatching;
  bool whole_words = false;  ///< -w: a match must stand between non-word characters
};

/// A test of whole lines by an RE2 pattern (--continuation), or an empty
/// function with `error` set when the pattern is bad.
std::function<bool(std::string_view)> line_matcher(const std::string& pattern, std::string& error);

/// The -e patterns of `spec` as one RE2 (with -F, -i, -w), or nullptr
/// with `error` naming the pattern that is bad.
std::unique_ptr<re2::RE2> patterns_regex(const FilterSpec& spec, std::string& error);

class Filter final : public EntryFilter {
 public:
  /// Compiles the spec. On a bad pattern returns nullptr and sets `error`
  /// to name the pattern and say what is wrong with it.
  static std::unique_ptr<Filter> build(const FilterSpec& spec, std::string& error);
  ~Filter() override;

  bool accepts_header(const Header& header) const override;
  bool wants_message() const override { return regex_ != nullptr; }
  bool accepts_message(std::string_view message) const override;
  const LineSkipper* skipper() const override { return finder_.get(); }

  /// The literal that every accepted entry's first line contains, when there
  /// is one worth searching for; nullptr otherwise.
  const LiteralFinder* finder() const { return finder_.get(); }

 private:
  explicit Filter(FilterSpec spec);
  bool accepts_fields(const Header& h) const;
  FilterSpec spec_;
  std::unique_ptr<re2::RE2> regex_;
  std::unique_ptr<LiteralFinder> finder_;
};

}  // namespace tracegrep
