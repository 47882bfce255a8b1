#include "cli/completion.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <vector>

namespace tracegrep {
namespace {

// What an option's value is, by the name its help gives it.
enum class Value { kNone, kFile, kWords, kFree };

struct Opt {
  std::vector<std::string> names;  // "-s", "--session"
  Value value = Value::kNone;
  std::string words;  // kWords: the choices, space-separated
  std::string help;
  bool repeats = false;
};

struct Command {
  std::string name;  // "" for the scan
  std::vector<Opt> options;
  bool files = false;  // takes FILE arguments
};

Value value_of(const CLI::Option& o, std::string& words) {
  if (o.get_items_expected_max() == 0) return Value::kNone;  // a flag
  std::string type = o.get_type_name();
  type = type.substr(0, type.find(':'));  // without a check's description
  if (type == "WHEN") words = "auto always never";
  if (type == "LEVEL") words = "TRACE DEBUG INFO WARNING ERROR CRITICAL";
  if (type == "FORMAT") words = "text json chrome";
  if (type == "STYLE") words = "% { $";
  if (type == "SHELL") words = "bash zsh fish";
  if (!words.empty()) return Value::kWords;
  if (type == "FILE" || type == "PATH") return Value::kFile;
  return Value::kFree;
}

Command command_of(const CLI::App& app, std::string name) {
  Command c;
  c.name = std::move(name);
  for (const CLI::Option* o : app.get_options()) {
    if (!o->nonpositional()) {
      c.files = true;
      continue;
    }
    Opt opt;
    for (const auto& s : o->get_snames()) opt.names.push_back("-" + s);
    for (const auto& l : o->get_lnames()) opt.names.push_back("--" + l);
    opt.value = value_of(*o, opt.words);
    opt.help = o->get_description();
    opt.repeats =
        o->get_expected_max() > 1 || o->get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
    c.options.push_back(std::move(opt));
  }
  return c;
}

std::vector<Command> commands_of(const CLI::App& app) {
  std::vector<Command> out{command_of(app, "")};
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    out.push_back(command_of(*sub, sub->get_name()));
  return out;
}

// Text safe inside single quotes, without the characters zsh's specs and
// fish's descriptions read (brackets, colons).
std::string quiet_text(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == '\'')
      out += "\u2019";
    else if (c == '[' || c == ']')
      out += c == '[' ? '(' : ')';
    else if (c == ':')
      out += " -";
    else if (c == '\\')
      continue;
    else
      out += c;
  }
  return out;
}

void add_word(std::string& list, const std::string& word, char separator) {
  if (!list.empty()) list += separator;
  list += word;
}

// Words for a shell that reads them again (zsh's and fish's lists): each
// character that is not a letter or a digit behind a backslash.
std::string escaped_words(std::string_view words) {
  std::string out;
  for (const char c : words) {
    if (c != ' ' && !std::isalnum(static_cast<unsigned char>(c))) out += '\\';
    out += c;
  }
  return out;
}

std::string subcommand_names(const std::vector<Command>& cmds) {
  std::string out;
  for (const auto& c : cmds)
    if (!c.name.empty()) add_word(out, c.name, ' ');
  return out;
}

// "a b c" as a case pattern: "a|b|c".
std::string alternatives(std::string words) {
  std::replace(words.begin(), words.end(), ' ', '|');
  return words;
}

std::string bash(const std::vector<Command>& cmds) {
  const std::string subs = subcommand_names(cmds);
  std::string out = fmt::format(
      "# bash completion for tracegrep (tracegrep --generate-completion bash)\n"
      "_tracegrep() {{\n"
      "  local cur prev words cword\n"
      "  _init_completion || return\n"
      "  local cmd=scan i\n"
      "  for ((i = 1; i < cword; i++)); do\n"
      "    case ${{words[i]}} in\n"
      "      {}) cmd=${{words[i]}}; break ;;\n"
      "    esac\n"
      "  done\n"
      "  case \"$cmd $prev\" in\n",
      alternatives(subs));
  for (const auto& c : cmds) {
    const std::string cmd = c.name.empty() ? "scan" : c.name;
    for (const auto& o : c.options) {
      if (o.value == Value::kNone) continue;
      std::string pattern;
      for (const auto& n : o.names) add_word(pattern, fmt::format("\"{} {}\"", cmd, n), '|');
      std::string action;
      if (o.value == Value::kWords)
        action = fmt::format("COMPREPLY=($(compgen -W '{}' -- \"$cur\"))", o.words);
      else if (o.value == Value::kFile)
        action = "_filedir";
      else
        action = "COMPREPLY=()";
      out += fmt::format("    {}) {}; return ;;\n", pattern, action);
    }
  }
  out += "  esac\n  if [[ $cur == -* ]]; then\n    case $cmd in\n";
  for (const auto& c : cmds) {
    std::string names;
    for (const auto& o : c.options)
      for (const auto& n : o.names) add_word(names, n, ' ');
    out += fmt::format("      {}) COMPREPLY=($(compgen -W '{}' -- \"$cur\")) ;;\n",
                       c.name.empty() ? "scan" : c.name, names);
  }
  out += fmt::format(
      "    esac\n"
      "    return\n"
      "  fi\n"
      "  [[ $cmd == scan ]] && COMPREPLY=($(compgen -W '{}' -- \"$cur\"))\n"
      "  _filedir  # adds the paths to COMPREPLY\n"
      "}}\n"
      "complete -F _tracegrep tracegrep\n",
      subs);
  return out;
}

std::string zsh(const std::vector<Command>& cmds) {
  const std::string subs = subcommand_names(cmds);
  std::string out = fmt::format(
      "#compdef tracegrep\n"
      "# zsh completion for tracegrep (tracegrep --generate-completion zsh)\n"
      "_tracegrep_inputs() {{\n"
      "  (( CURRENT == 2 )) && compadd -- {}\n"
      "  _files\n"
      "}}\n"
      "_tracegrep() {{\n"
      "  local cmd=scan w\n"
      "  for w in ${{words[2,CURRENT-1]}}; do\n"
      "    case $w in\n"
      "      {}) cmd=$w; break ;;\n"
      "    esac\n"
      "  done\n"
      "  case $cmd in\n",
      subs, alternatives(subs));
  for (const auto& c : cmds) {
    out += fmt::format("    {})\n      _arguments -s \\\n", c.name.empty() ? "scan" : c.name);
    for (const auto& o : c.options) {
      std::string action;
      if (o.value == Value::kWords)
        action = fmt::format(":value:({})", escaped_words(o.words));
      else if (o.value == Value::kFile)
        action = ":file:_files";
      else if (o.value == Value::kFree)
        action = ":value: ";
      for (const auto& n : o.names)
        out += fmt::format("        '{}{}[{}]{}' \\\n", o.repeats ? "*" : "", n, quiet_text(o.help), action);
    }
    if (c.files)
      out += c.name.empty() ? "        '*:input:_tracegrep_inputs'\n" : "        '*:file:_files'\n";
    else
      out += "        \n";
    out += "      ;;\n";
  }
  out += "  esac\n}\n_tracegrep \"$@\"\n";
  return out;
}

std::string fish(const std::vector<Command>& cmds) {
  const std::string subs = subcommand_names(cmds);
  std::string out = fmt::format(
      "# fish completion for tracegrep (tracegrep --generate-completion fish)\n"
      "complete -c tracegrep -f -n 'not __fish_seen_subcommand_from {0}' -a '{0}'\n"
      "complete -c tracegrep -F -n 'not __fish_seen_subcommand_from {0}'\n",
      subs);
  for (const auto& c : cmds) {
    const std::string when = c.name.empty() ? fmt::format("not __fish_seen_subcommand_from {}", subs)
                                            : "__fish_seen_subcommand_from " + c.name;
    if (!c.name.empty() && c.files) out += fmt::format("complete -c tracegrep -F -n '{}'\n", when);
    for (const auto& o : c.options) {
      std::string names;
      for (const auto& n : o.names) {
        if (n.size() == 2)
          names += " -s " + n.substr(1);
        else
          names += " -l " + n.substr(2);
      }
      std::string value;
      if (o.value == Value::kWords)
        value = fmt::format(" -x -a '{}'", escaped_words(o.words));
      else if (o.value == Value::kFile)
        value = " -r -F";
      else if (o.value == Value::kFree)
        value = " -x";
      out +=
          fmt::format("complete -c tracegrep -n '{}'{}{} -d '{}'\n", when, names, value, quiet_text(o.help));
    }
  }
  return out;
}

}  // namespace

std::string completion_script(const CLI::App& app, std::string_view shell) {
  const auto cmds = commands_of(app);
  if (shell == "bash") return bash(cmds);
  if (shell == "zsh") return zsh(cmds);
  if (shell == "fish") return fish(cmds);
  return {};
}

}  // namespace tracegrep
