#include "cli/plan.hpp"

#include <fmt/format.h>
#include <re2/re2.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "match/time_bound.hpp"

namespace tracegrep {
namespace {

bool use_color(const std::string& when, const Output& out) {
  if (when == "always") return true;
  if (when == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return out.is_terminal() && !(no_color && *no_color) && !(term && std::string(term) == "dumb");
}

WalkOptions& walk_settings() {
  static WalkOptions options;
  return options;
}

}  // namespace

void set_walk_options(WalkOptions options) { walk_settings() = std::move(options); }
const WalkOptions& walk_options() { return walk_settings(); }

std::string default_index_path() {
  const char* env = std::getenv("TRACEGREP_DB");
  if (env && *env) return env;
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg && *xdg) return std::string(xdg) + "/tracegrep/index.db";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/share/tracegrep/index.db";
}

std::unique_ptr<EntrySink> make_printer(const Plan& plan, Output& out) {
  switch (plan.printer) {
    case Plan::Printer::kJson:
      return std::make_unique<JsonPrinter>(out);
    case Plan::Printer::kCount:
      return std::make_unique<CountPrinter>(out, plan.style.with_filename);
    case Plan::Printer::kQuiet:
      return std::make_unique<QuietPrinter>(out);
    case Plan::Printer::kOnlyMatching:
      return std::make_unique<OnlyMatchingPrinter>(out, plan.style, plan.only_matching);
    case Plan::Printer::kFilesWith:
      return std::make_unique<FilesPrinter>(out, FilesPrinter::Want::kWithMatches, plan.style.safety);
    case Plan::Printer::kFilesWithout:
      return std::make_unique<FilesPrinter>(out, FilesPrinter::Want::kWithoutMatch, plan.style.safety);
    case Plan::Printer::kText:
      break;
  }
  return std::make_unique<TextPrinter>(out, plan.style);
}

SearchOptions search_options(const Plan& plan) {
  SearchOptions o{plan.filter.get(), plan.input_options.max_entry, plan.numbers, plan.max_count};
  o.ids_asked = !plan.sessions.empty() || !plan.requests.empty();
  o.context = plan.context;
  return o;
}

std::vector<std::unique_ptr<Source>> file_sources(const Plan& plan) {
  std::vector<std::unique_ptr<Source>> sources;
  for (const std::string& path : plan.inputs) sources.push_back(file_source(path, plan.input_options));
  return sources;
}

bool parse_size(const std::string& text, std::size_t& out) {
  if (text.empty()) return false;
  std::size_t i = 0;
  unsigned long long value = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    value = value * 10 + static_cast<unsigned>(text[i] - '0');
    if (value > (1ull << 40)) return false;
    ++i;
  }
  if (i == 0) return false;
  std::string suffix = text.substr(i);
  if (suffix == "K" || suffix == "k" || suffix == "KiB")
    value <<= 10;
  else if (suffix == "M" || suffix == "m" || suffix == "MiB")
    value <<= 20;
  else if (suffix == "G" || suffix == "g" || suffix == "GiB")
    value <<= 30;
  else if (!suffix.empty())
    return false;
  out = static_cast<std::size_t>(value);
  return true;
}

std::unique_ptr<Plan> make_plan(const ScanArgs& a, const Output& out, std::string& error) {
  auto plan = std::make_unique<Plan>();
  FilterSpec spec;
  spec.sessions = a.sessions;
  spec.requests = a.requests;
  for (const auto* ids : {&a.sessions, &a.requests}) {
    for (const std::string& id : *ids) {
      if (id.empty()) {
        error = "an empty id matches nothing; give -s/-r a value";
        return nullptr;
      }
    }
  }
  if (!a.level.empty()) {
    spec.min_level = format::parse_level(a.level);
    if (!spec.min_level) {
      error = messages::bad_level(a.level);
      return nullptr;
    }
  }
  if (!a.since.empty()) {
    spec.since = parse_time_bound(a.since, BoundKind::kSince, TimeContext::current(a.utc));
    if (!spec.since) {
      error = "--since '" + a.since + "': not a time; use " + std::string(kTimeForms);
      return nullptr;
    }
  }
  if (!a.until.empty()) {
    spec.until = parse_time_bound(a.until, BoundKind::kUntil, TimeContext::current(a.utc));
    if (!spec.until) {
      error = "--until '" + a.until + "': not a time; use " + std::string(kTimeForms);
      return nullptr;
    }
  }
  spec.patterns = a.patterns;
  for (const auto& f : a.fields) {
    const auto eq = f.find('=');
    if (eq == std::string::npos || eq == 0) {
      error = "--field takes KEY=VALUE (an attribute as --json shows it), not '" + f + "'";
      return nullptr;
    }
    spec.fields.emplace_back(f.substr(0, eq), f.substr(eq + 1));
  }
  spec.syntax = a.fixed_strings ? PatternSyntax::kFixed : PatternSyntax::kRegex;
  spec.letter_case = a.ignore_case ? Case::kInsensitive : Case::kSensitive;
  spec.whole_words = a.word_regexp;
  spec.polarity = a.invert ? Polarity::kInverted : Polarity::kMatching;
  if (a.invert && a.patterns.empty()) {
    error = "-v inverts the -e patterns, and none was given";
    return nullptr;
  }
  plan->filter = Filter::build(spec, error);
  if (!plan->filter) return nullptr;
  if (a.only_matching) {
    if (spec.patterns.empty() || spec.polarity == Polarity::kInverted) {
      error = "-o prints what -e PATTERN matches: give -e (and not -v)";
      return nullptr;
    }
    plan->only_matching = patterns_regex(spec, error);
  }

  if (!a.max_entry_size.empty()) {
    if (!parse_size(a.max_entry_size, plan->input_options.max_entry) ||
        plan->input_options.max_entry < kMinMaxEntry || plan->input_options.max_entry > kMaxMaxEntry) {
      error = messages::bad_max_entry_size(a.max_entry_size);
      return nullptr;
    }
  }
  if (!a.db.empty() && (!a.files.empty() || !a.follow.empty())) {
    error = "--db searches the index; give no FILE with it (add files with: tracegrep index FILE...)";
    return nullptr;
  }
  if (!a.db.empty()) {
    plan->dbs = a.db;
  } else if (a.files.empty() && a.follow.empty() && ::isatty(0)) {
    // Nothing to read on a terminal: the default index is what is meant.
    plan->dbs = {default_index_path()};
  }
  if (!a.follow.empty()) {
    if (!a.files.empty()) {
      error = "--follow reads only its own files: put every FILE after --follow";
      return nullptr;
    }
    if (a.quiet) {
      error = "-q stops at the first match, and --follow waits for more: use tracegrep -q FILE";
      return nullptr;
    }
    if (a.count) {
      error = "-c counts when an input ends, and --follow never ends: count with tracegrep -c FILE";
      return nullptr;
    }
    if (a.files_without_match) {
      error = "-L names a file when it ends without a match, and --follow never ends: use tracegrep -L FILE";
      return nullptr;
    }
    // A directory: the files in it now, and those created later.
    for (const std::string& f : a.follow) {
      if (!is_directory(f)) {
        plan->inputs.push_back(f);
        continue;
      }
      auto watch = std::make_shared<DirectoryWatch>(f, walk_options());
      for (std::string& path : watch->poll()) plan->inputs.push_back(std::move(path));
      plan->watches.push_back(std::move(watch));
    }
    plan->input_options.follow = FollowMode::kYes;
  } else if (a.files.empty()) {
    plan->inputs = {"-"};
  } else {
    bool dirs = false;
    plan->inputs = expand_directories(a.files, walk_options(), &dirs);
    plan->style.with_filename = dirs;  // as grep -r and rg: names, even for one file
  }
  if (const std::string bad = check_globs(walk_options().globs); !bad.empty()) {
    error = bad;
    return nullptr;
  }

  if (a.quiet)
    plan->printer = Plan::Printer::kQuiet;
  else if (a.only_matching)
    plan->printer = Plan::Printer::kOnlyMatching;
  else if (a.files_with_matches)
    plan->printer = Plan::Printer::kFilesWith;
  else if (a.files_without_match)
    plan->printer = Plan::Printer::kFilesWithout;
  else if (a.json)
    plan->printer = Plan::Printer::kJson;
  else if (a.count)
    plan->printer = Plan::Printer::kCount;
  plan->style.with_filename = plan->style.with_filename || !plan->watches.empty() || a.with_filename ||
                              (plan->inputs.size() > 1 && !a.no_filename);
  if (a.no_filename) plan->style.with_filename = false;
  plan->style.line_numbers = a.line_numbers;
  plan->style.binary_as_text = a.text;
  const bool color = use_color(a.color, out);
  plan->style.color = color ? Color::kOn : Color::kOff;
  plan->style.safety = (color || out.is_terminal()) ? Safety::kTerminal : Safety::kRaw;
  if (a.line_numbers || a.json) plan->numbers = LineNumbers::kCount;
  // -A and -B win over -C, as in grep; context is for what prints entries
  // (grep -c, -l, -L, -q ignore it too).
  const auto context_of = [&](std::int64_t n) {
    return static_cast<std::uint64_t>(n >= 0 ? n : std::max<std::int64_t>(a.context, 0));
  };
  if (plan->printer == Plan::Printer::kText || plan->printer == Plan::Printer::kJson)
    plan->context = {context_of(a.before), context_of(a.after),
                     a.before >= 0 || a.after >= 0 || a.context >= 0};
  if (a.merge) {
    const char* why = !a.follow.empty()
                          ? "--follow never ends an input, and the merge waits for each one's next entry"
                      : plan->context.any() ? "-A/-B/-C show entries around a match in its own file"
                      : plan->printer != Plan::Printer::kText && plan->printer != Plan::Printer::kJson
                          ? "-c, -l, -L, -o and -q print no entries to order"
                          : nullptr;
    if (why) {
      error = fmt::format("--merge interleaves entries by time, and {}: leave out one of them", why);
      return nullptr;
    }
    plan->merge = true;
  }
  if (plan->context.any() && !plan->dbs.empty()) {
    error =
        "-A/-B/-C need every entry around a match, and an index query reads only the chunks of the "
        "ids asked: search the files (tracegrep -C NUM -s ID FILE...)";
    return nullptr;
  }
  plan->max_count = a.max_count;
  plan->read_nothing = a.max_count_given && a.max_count == 0;
  plan->sessions = a.sessions;
  plan->requests = a.requests;
  plan->filename_chosen = a.with_filename || a.no_filename;
  return plan;
}

}  // namespace tracegrep
