#include "parse/log_format.hpp"

#include <fmt/format.h>

#include <array>
#include <vector>

#include "parse/fields.hpp"

namespace tracegrep::log_format {
namespace {

enum class Kind : std::uint8_t {
  kLiteral,
  kAsctime,   // by the datefmt, or Python's default
  kTimeText,  // another time field (a filter's "timestamp"): ISO 8601 or epoch
  kMsecs,
  kCreated,
  kLevelName,
  kLevelNo,
  kMessage,
  kRequest,
  kSession,
  kAttr,
};

struct Token {
  Kind kind = Kind::kLiteral;
  std::string text;     // the literal, or the field's name
  bool padded = false;  // a width was given: blanks may stand before the value
  // A field's value ends where `stop` is next found (the following literal's
  // first word), at the first blank when that literal is only blanks, or
  // at the end of the line when nothing follows. Worked out once.
  std::string stop;
  bool to_blank = false;
  bool to_end = false;
};

struct Compiled {
  std::vector<Token> tokens;
  std::string datefmt;
};

Compiled g_layout;
bool g_configured = false;

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_blank(char c) { return c == ' ' || c == '\t'; }

Kind kind_of(std::string_view name) {
  if (name == "asctime") return Kind::kAsctime;
  if (name == "msecs") return Kind::kMsecs;
  if (name == "created") return Kind::kCreated;
  if (name == "levelname") return Kind::kLevelName;
  if (name == "levelno") return Kind::kLevelNo;
  if (name == "message") return Kind::kMessage;
  switch (fields::meaning_of(name).role) {
    case fields::Role::kRequest:
      return Kind::kRequest;
    case fields::Role::kSession:
      return Kind::kSession;
    case fields::Role::kTime:
      return Kind::kTimeText;
    case fields::Role::kLevel:
      return Kind::kLevelName;
    case fields::Role::kMessage:
      return Kind::kMessage;
    default:
      return Kind::kAttr;
  }
}

void add_literal(std::vector<Token>& tokens, std::string_view text) {
  if (text.empty()) return;
  if (!tokens.empty() && tokens.back().kind == Kind::kLiteral) {
    tokens.back().text += text;
    return;
  }
  Token t;
  t.text = std::string(text);
  tokens.push_back(std::move(t));
}

void add_field(std::vector<Token>& tokens, std::string_view name, bool padded) {
  Token t;
  t.kind = kind_of(name);
  t.text = std::string(name);
  t.padded = padded;
  tokens.push_back(std::move(t));
}

// %(name)[flags][width][.precision]type, and %%.
bool compile_percent(std::string_view f, std::vector<Token>& tokens, std::string& error) {
  std::size_t i = 0;
  while (i < f.size()) {
    if (f[i] != '%') {
      const std::size_t next = f.find('%', i);
      add_literal(tokens, f.substr(i, next == std::string_view::npos ? f.size() - i : next - i));
      i = next == std::string_view::npos ? f.size() : next;
      continue;
    }
    if (i + 1 < f.size() && f[i + 1] == '%') {
      add_literal(tokens, "%");
      i += 2;
      continue;
    }
    if (i + 1 >= f.size() || f[i + 1] != '(') {
      error = fmt::format("at {}: '%' must begin %(name)s or be written %%", i + 1);
      return false;
    }
    const std::size_t close = f.find(')', i + 2);
    if (close == std::string_view::npos) {
      error = fmt::format("at {}: %( without )", i + 1);
      return false;
    }
    const std::string_view name = f.substr(i + 2, close - i - 2);
    std::size_t p = close + 1;
    while (p < f.size() && (f[p] == '-' || f[p] == '#' || f[p] == '0' || f[p] == ' ' || f[p] == '+')) ++p;
    const std::size_t width_at = p;
    while (p < f.size() && is_digit(f[p])) ++p;
    const bool padded = p > width_at;
    if (p < f.size() && f[p] == '.') {
      ++p;
      while (p < f.size() && is_digit(f[p])) ++p;
    }
    if (p >= f.size() || std::string_view("sdiouxXeEfFgGcra").find(f[p]) == std::string_view::npos) {
      error = fmt::format("at {}: %({}) needs a conversion such as s or d", i + 1, name);
      return false;
    }
    add_field(tokens, name, padded);
    i = p + 1;
  }
  return true;
}

// {name[!conv][:spec]}, {{ and }}.
bool compile_brace(std::string_view f, std::vector<Token>& tokens, std::string& error) {
  std::size_t i = 0;
  while (i < f.size()) {
    const char c = f[i];
    if ((c == '{' || c == '}') && i + 1 < f.size() && f[i + 1] == c) {
      add_literal(tokens, std::string_view(&f[i], 1));
      i += 2;
      continue;
    }
    if (c == '}') {
      error = fmt::format("at {}: a lone '}}' (write '}}}}')", i + 1);
      return false;
    }
    if (c != '{') {
      add_literal(tokens, f.substr(i, 1));
      ++i;
      continue;
    }
    const std::size_t close = f.find('}', i);
    if (close == std::string_view::npos) {
      error = fmt::format("at {}: '{{' without '}}'", i + 1);
      return false;
    }
    std::string_view inside = f.substr(i + 1, close - i - 1);
    std::size_t name_end = 0;
    while (name_end < inside.size() && is_name_char(inside[name_end])) ++name_end;
    const std::string_view name = inside.substr(0, name_end);
    const std::string_view rest = inside.substr(name_end);
    if (name.empty() || !(rest.empty() || rest[0] == ':' || rest[0] == '!')) {
      error = fmt::format("at {}: {{{}}} is not a field", i + 1, inside);
      return false;
    }
    const auto colon = rest.find(':');
    bool padded = false;
    if (colon != std::string_view::npos)
      for (const char s : rest.substr(colon + 1)) padded = padded || (is_digit(s) && s != '0');
    add_field(tokens, name, padded);
    i = close + 1;
  }
  return true;
}

// $name, ${name} and $$.
bool compile_dollar(std::string_view f, std::vector<Token>& tokens, std::string& error) {
  std::size_t i = 0;
  while (i < f.size()) {
    if (f[i] != '$') {
      add_literal(tokens, f.substr(i, 1));
      ++i;
      continue;
    }
    if (i + 1 < f.size() && f[i + 1] == '$') {
      add_literal(tokens, "$");
      i += 2;
      continue;
    }
    std::size_t start = i + 1, end;
    const bool braced = start < f.size() && f[start] == '{';
    if (braced) ++start;
    end = start;
    while (end < f.size() && is_name_char(f[end])) ++end;
    if (end == start || (braced && (end >= f.size() || f[end] != '}'))) {
      error = fmt::format("at {}: '$' must begin $name or ${{name}}, or be written $$", i + 1);
      return false;
    }
    add_field(tokens, f.substr(start, end - start), false);
    i = end + (braced ? 1 : 0);
  }
  return true;
}

// A field's value must end where something known follows it.
bool check_tokens(const std::vector<Token>& tokens, std::string& error) {
  bool any_field = false;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].kind == Kind::kLiteral) continue;
    any_field = true;
    const bool self_delimited = tokens[i].kind == Kind::kAsctime || tokens[i].kind == Kind::kMsecs ||
                                tokens[i].kind == Kind::kCreated;
    if (!self_delimited && i + 1 < tokens.size() && tokens[i + 1].kind != Kind::kLiteral) {
      error = fmt::format("nothing stands between {} and {}: where one ends cannot be told", tokens[i].text,
                          tokens[i + 1].text);
      return false;
    }
  }
  if (!any_field) {
    error = "it names no field";
    return false;
  }
  return true;
}

void work_out_stops(std::vector<Token>& tokens) {
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    Token& t = tokens[i];
    if (t.kind == Kind::kLiteral) continue;
    if (i + 1 == tokens.size()) {
      t.to_end = true;
      continue;
    }
    std::string_view next = tokens[i + 1].text;
    while (!next.empty() && is_blank(next.front())) next.remove_prefix(1);
    std::size_t word = 0;
    while (word < next.size() && !is_blank(next[word])) ++word;
    t.stop = std::string(next.substr(0, word));
    t.to_blank = t.stop.empty();
  }
}

// ---- Matching ----------------------------------------------------------------

// Matches a literal; each blank in it matches any run of blanks (padding).
bool match_literal(std::string_view line, std::size_t& pos, std::string_view lit) {
  for (const char c : lit) {
    if (is_blank(c)) {
      while (pos < line.size() && is_blank(line[pos])) ++pos;
    } else {
      if (pos >= line.size() || line[pos] != c) return false;
      ++pos;
    }
  }
  return true;
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

struct Attr {
  std::string_view name, value;
};

// Reads `line` with the layout; attributes go to `attrs` when given.
bool match(std::string_view line, Header& out, std::vector<Attr>* attrs) {
  const std::vector<Token>& tokens = g_layout.tokens;
  Header h;
  h.layout = Layout::kFormat;
  std::size_t pos = 0;
  std::int64_t msecs_nanos = -1;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind == Kind::kLiteral) {
      if (!match_literal(line, pos, t.text)) return false;
      continue;
    }
    if (t.padded)
      while (pos < line.size() && is_blank(line[pos])) ++pos;
    const std::string_view rest = line.substr(pos);
    if (t.kind == Kind::kAsctime) {
      const std::size_t n = g_layout.datefmt.empty() ? format::parse_timestamp(rest, h.ts)
                                                     : parse_strftime(g_layout.datefmt, rest, h.ts);
      if (n == 0) return false;
      h.has_ts = true;
      pos += n;
      continue;
    }
    if (t.kind == Kind::kMsecs || t.kind == Kind::kCreated) {
      std::size_t n = 0;
      while (n < rest.size() && (is_digit(rest[n]) || rest[n] == '.')) ++n;
      if (n == 0) return false;
      const std::string_view number = rest.substr(0, n);
      pos += n;
      if (t.kind == Kind::kCreated) {
        if (!format::parse_epoch(number, h.ts)) return false;
        h.has_ts = true;
      } else {
        format::Timestamp ms;  // milliseconds, maybe with a fraction: read as seconds, then scaled
        if (!format::parse_epoch(number, ms) || ms.seconds > 999) return false;
        msecs_nanos = ms.seconds * 1'000'000 + ms.nanos / 1000;
      }
      continue;
    }
    std::size_t end = line.size();
    if (t.to_blank) {
      end = pos;
      while (end < line.size() && !is_blank(line[end])) ++end;
    } else if (!t.to_end) {
      end = line.find(t.stop, pos);
      if (end == std::string_view::npos) return false;
    }
    const std::string_view value = trim_right(line.substr(pos, end - pos));
    pos = end;
    switch (t.kind) {
      case Kind::kTimeText:
        if (format::parse_timestamp(value, h.ts) == value.size() || format::parse_epoch(value, h.ts))
          h.has_ts = true;
        else
          return false;
        break;
      case Kind::kLevelName:
        if (const auto level = format::parse_level(value)) {
          h.level = *level;
          h.level_text = value;
        }
        break;
      case Kind::kLevelNo:
        h.level = fields::numeric_level(fields::Role::kLevelPython, value);
        if (h.level != format::Level::kNone) h.level_text = value;
        break;
      case Kind::kMessage:
        h.message = value;
        break;
      case Kind::kRequest:
      case Kind::kSession:
        h.has_tag = true;
        if (!format::is_unset_id(value)) (t.kind == Kind::kRequest ? h.req : h.session) = value;
        break;
      default:
        if (attrs) attrs->push_back({t.text, value});
        break;
    }
  }
  while (pos < line.size() && is_blank(line[pos])) ++pos;
  if (pos != line.size()) return false;
  if (msecs_nanos >= 0 && h.has_ts) {
    h.ts.nanos = static_cast<std::int32_t>(msecs_nanos);
    h.ts.frac_digits = 3;
  }
  out = h;
  return true;
}

// ---- strftime ------------------------------------------------------------------

constexpr std::array<std::string_view, 12> kMonths{"jan", "feb", "mar", "apr", "may", "jun",
                                                   "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDays{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr std::array<std::string_view, 12> kMonthNames{"january",   "february", "march",    "april",
                                                       "may",       "june",     "july",     "august",
                                                       "september", "october",  "november", "december"};
constexpr std::array<std::string_view, 7> kDayNames{"monday", "tuesday",  "wednesday", "thursday",
                                                    "friday", "saturday", "sunday"};

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool starts_with_nocase(std::string_view text, std::string_view word) {
  if (text.size() < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (lower(text[i]) != word[i]) return false;
  return true;
}

// Reads 1..max digits (exactly max when `exact`).
bool read_number(std::string_view text, std::size_t& pos, std::size_t max, bool exact, unsigned& out) {
  std::size_t n = 0;
  out = 0;
  while (n < max && pos + n < text.size() && is_digit(text[pos + n]))
    out = out * 10 + (text[pos + n++] - '0');
  if (n == 0 || (exact && n != max)) return false;
  pos += n;
  return true;
}

template <std::size_t N>
int read_name(std::string_view text, std::size_t& pos, const std::array<std::string_view, N>& names) {
  for (std::size_t i = 0; i < N; ++i)
    if (starts_with_nocase(text.substr(pos), names[i])) {
      pos += names[i].size();
      return static_cast<int>(i);
    }
  return -1;
}

}  // namespace

std::size_t parse_strftime(std::string_view f, std::string_view text, format::Timestamp& out) {
  unsigned year = 1900, month = 1, day = 1, hour = 0, minute = 0, second = 0, yday = 0;
  std::int32_t nanos = 0;
  std::uint8_t frac = 0;
  bool pm = false, twelve = false, utc = false;
  int offset = 0;
  std::size_t pos = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') {
      if (is_blank(f[i])) {
        while (pos < text.size() && is_blank(text[pos])) ++pos;
      } else if (pos >= text.size() || text[pos++] != f[i]) {
        return 0;
      }
      continue;
    }
    if (++i >= f.size()) return 0;
    unsigned v = 0;
    switch (f[i]) {
      case 'Y':
        if (!read_number(text, pos, 4, true, year)) return 0;
        break;
      case 'y':
        if (!read_number(text, pos, 2, true, v)) return 0;
        year = v < 69 ? 2000 + v : 1900 + v;  // POSIX's pivot, as Python's
        break;
      case 'm':
        if (!read_number(text, pos, 2, false, month) || month < 1 || month > 12) return 0;
        break;
      case 'e':
        while (pos < text.size() && text[pos] == ' ') ++pos;
        [[fallthrough]];
      case 'd':
        if (!read_number(text, pos, 2, false, day) || day < 1 || day > 31) return 0;
        break;
      case 'H':
        if (!read_number(text, pos, 2, false, hour) || hour > 23) return 0;
        break;
      case 'I':
        twelve = true;
        if (!read_number(text, pos, 2, false, hour) || hour < 1 || hour > 12) return 0;
        break;
      case 'M':
        if (!read_number(text, pos, 2, false, minute) || minute > 59) return 0;
        break;
      case 'S':
        if (!read_number(text, pos, 2, false, second) || second > 60) return 0;
        break;
      case 'f': {
        std::size_t n = 0;
        while (n < 9 && pos + n < text.size() && is_digit(text[pos + n])) ++n;
        if (n == 0) return 0;
        for (std::size_t k = 0; k < 9; ++k) nanos = nanos * 10 + (k < n ? text[pos + k] - '0' : 0);
        frac = static_cast<std::uint8_t>(n);
        pos += n;
        break;
      }
      case 'p':
        if (starts_with_nocase(text.substr(pos), "pm"))
          pm = true;
        else if (!starts_with_nocase(text.substr(pos), "am"))
          return 0;
        pos += 2;
        break;
      case 'b':
      case 'h': {
        const int m = read_name(text, pos, kMonths);
        if (m < 0) return 0;
        month = static_cast<unsigned>(m) + 1;
        break;
      }
      case 'B': {
        const int m = read_name(text, pos, kMonthNames);
        if (m < 0) return 0;
        month = static_cast<unsigned>(m) + 1;
        break;
      }
      case 'a':
        if (read_name(text, pos, kDays) < 0) return 0;
        break;
      case 'A':
        if (read_name(text, pos, kDayNames) < 0) return 0;
        break;
      case 'j':
        if (!read_number(text, pos, 3, false, yday) || yday < 1 || yday > 366) return 0;
        break;
      case 'z': {
        if (pos < text.size() && text[pos] == 'Z') {
          ++pos;
          utc = true;
          break;
        }
        if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return 0;
        const int sign = text[pos++] == '-' ? -1 : 1;
        unsigned hh = 0, mm = 0;
        if (!read_number(text, pos, 2, true, hh)) return 0;
        if (pos < text.size() && text[pos] == ':') ++pos;
        if (!read_number(text, pos, 2, true, mm)) return 0;
        offset = sign * static_cast<int>(hh * 3600 + mm * 60);
        utc = true;
        break;
      }
      case 'Z': {  // a zone name: only UTC and GMT say where the time is
        const std::size_t start = pos;
        while (pos < text.size() &&
               ((text[pos] >= 'A' && text[pos] <= 'Z') || (text[pos] >= 'a' && text[pos] <= 'z')))
          ++pos;
        if (pos == start) return 0;
        const std::string_view zone = text.substr(start, pos - start);
        utc = utc || zone == "UTC" || zone == "GMT";
        break;
      }
      case 'T':
        if (!read_number(text, pos, 2, false, hour) || hour > 23 || pos >= text.size() ||
            text[pos++] != ':' || !read_number(text, pos, 2, false, minute) || minute > 59 ||
            pos >= text.size() || text[pos++] != ':' || !read_number(text, pos, 2, false, second) ||
            second > 60)
          return 0;
        break;
      case 'F':
        if (!read_number(text, pos, 4, true, year) || pos >= text.size() || text[pos++] != '-' ||
            !read_number(text, pos, 2, true, month) || pos >= text.size() || text[pos++] != '-' ||
            !read_number(text, pos, 2, true, day) || month < 1 || month > 12 || day < 1 || day > 31)
          return 0;
        break;
      case '%':
        if (pos >= text.size() || text[pos++] != '%') return 0;
        break;
      default:
        return 0;  // a directive we cannot read back
    }
  }
  if (twelve) hour = hour % 12 + (pm ? 12 : 0);
  std::int64_t days = format::days_from_civil(year, month, day);
  if (yday) days = format::days_from_civil(year, 1, 1) + (yday - 1);
  out.seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset;
  out.nanos = nanos;
  out.frac_digits = frac;
  out.utc = utc;
  return pos;
}

bool configure(const Spec& spec, std::string& error) {
  g_configured = false;
  g_layout = {};
  if (spec.format.empty()) return true;
  std::vector<Token> tokens;
  const bool ok = spec.style == Style::kBrace    ? compile_brace(spec.format, tokens, error)
                  : spec.style == Style::kDollar ? compile_dollar(spec.format, tokens, error)
                                                 : compile_percent(spec.format, tokens, error);
  if (!ok || !check_tokens(tokens, error)) return false;
  work_out_stops(tokens);
  if (!spec.datefmt.empty()) {
    for (std::size_t i = 0; i < spec.datefmt.size(); ++i) {
      if (spec.datefmt[i] != '%') continue;
      if (i + 1 >= spec.datefmt.size() ||
          std::string_view("YymdeHIMSfpbhBaAjzZTF%").find(spec.datefmt[i + 1]) == std::string_view::npos) {
        error = fmt::format("the date format's %{} cannot be read back",
                            i + 1 < spec.datefmt.size() ? std::string(1, spec.datefmt[i + 1]) : "");
        return false;
      }
      ++i;
    }
  }
  g_layout.tokens = std::move(tokens);
  g_layout.datefmt = spec.datefmt;
  g_configured = true;
  return true;
}

bool configured() { return g_configured; }

bool parse(std::string_view line, Header& out) { return g_configured && match(line, out, nullptr); }

void for_each_attr(std::string_view line, const structured::AttrFn& fn) {
  std::vector<Attr> attrs;
  Header h;
  if (!g_configured || !match(line, h, &attrs)) return;
  for (const Attr& a : attrs) fn(a.name, a.value, false);
}

}  // namespace tracegrep::log_format
