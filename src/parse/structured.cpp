#include "parse/structured.hpp"

#include <simdjson.h>

#include <vector>

#include "parse/fields.hpp"

namespace tracegrep::structured {
namespace {

namespace od = simdjson::ondemand;
using fields::Role;

enum class Kind : std::uint8_t { kString, kNumber, kLiteral, kRaw };

// A field of a line: its dotted key and its value as written, in the line.
// A string's contents are without quotes; `escaped` when they hold a '\'.
struct Leaf {
  std::string path;
  Kind kind = Kind::kString;
  std::string_view raw;
  bool escaped = false;
  bool quoted = false;  // a number (or an array holding one) wider than 64 bits: --json writes it as a string
};

// The meanings of the keys of recent lines, by position: lines of one
// input name the same keys in the same order, so a key is looked up in the
// tables once, not on every line (it was a third of a JSON parse).
class MeaningCache {
 public:
  fields::Meaning get(std::size_t i, std::string_view path) {
    if (generation_ != fields::generation()) {
      slots_.clear();
      generation_ = fields::generation();
    }
    if (i >= kSlots) return fields::meaning_of(path);
    if (i >= slots_.size()) slots_.resize(i + 1);
    Slot& s = slots_[i];
    if (!s.valid || s.path != path) {
      s.path.assign(path);
      s.meaning = fields::meaning_of(path);
      s.valid = true;
    }
    return s.meaning;
  }

 private:
  static constexpr std::size_t kSlots = 64;
  struct Slot {
    std::string path;
    fields::Meaning meaning;
    bool valid = false;
  };
  std::vector<Slot> slots_;
  std::uint32_t generation_ = 0;
};

fields::Meaning meaning_at(std::size_t i, std::string_view path) {
  thread_local MeaningCache cache;
  return cache.get(i, path);
}

// The fields of the line being read. Reused from line to line, so that
// steady state allocates nothing.
struct Leaves {
  std::vector<Leaf> all;
  std::size_t count = 0;
  bool loguru_exception = false;  // "record.exception" is an object
  bool open_quote = false;        // logfmt: the last value's quote closes on a later line
  Leaf& add(std::string_view path, Kind kind, std::string_view raw) {
    if (count == all.size()) all.emplace_back();
    Leaf& l = all[count++];
    l.path.assign(path);
    l.kind = kind;
    l.raw = raw;
    l.escaped = kind == Kind::kString && raw.find('\\') != std::string_view::npos;
    l.quoted = false;
    return l;
  }
  void clear() {
    count = 0;
    loguru_exception = false;
    open_quote = false;
  }
};

bool plain_text(std::string_view v) {
  for (const char c : v)
    if (static_cast<unsigned char>(c) < 0x20 || c == '\\' || c == '"') return false;
  return true;
}

// Raw JSON (an array) that may be copied into output as it is: no escapes to
// trust and no control characters.
bool safe_json(std::string_view v) {
  for (const char c : v)
    if (static_cast<unsigned char>(c) < 0x20 || c == '\\') return false;
  return true;
}

// ---- JSON ------------------------------------------------------------------

struct JsonState {
  od::parser parser;
  od::parser nested;  // reads in full what the walk keeps as written
  std::string nested_buffer;
  std::string buffer;  // the line, then simdjson's padding
  std::string path;
  Leaves leaves;
};

JsonState& json_state() {
  thread_local JsonState state;
  return state;
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

constexpr int kMaxDepth = 4;
constexpr int kMaxNesting = 256;  // in a value kept as written; deeper is not read as JSON

// An integer beyond 64 bits (a float is read as a double by everyone).
bool too_wide(std::string_view token) {
  if (token.find_first_of(".eE") != std::string_view::npos) return false;
  std::size_t digits = token.size() - (!token.empty() && token[0] == '-');
  if (digits < 19) return false;
  if (digits > 20) return true;
  // 19 or 20 digits: what int64 or uint64 holds.
  const std::string_view d = token.substr(token.size() - digits);
  if (token[0] == '-') return digits == 20 || d > "9223372036854775808";
  return digits == 20 && d > "18446744073709551615";
}

class JsonWalker {
 public:
  JsonWalker(JsonState& st, std::string_view line) : st_(st), line_(line) {}

  bool walk_object(od::object object, int depth) {
    for (auto field : object) {
      std::string_view key;
      if (field.unescaped_key().get(key)) return false;
      const std::size_t mark = st_.path.size();
      if (mark) st_.path += '.';
      st_.path += key;
      od::value value;
      if (field.value().get(value) || !walk_value(value, depth)) return false;
      st_.path.resize(mark);
    }
    return true;
  }

 private:
  // Maps a view into the padded copy back into the line.
  std::string_view in_line(std::string_view v) const {
    return line_.substr(static_cast<std::size_t>(v.data() - st_.buffer.data()), v.size());
  }

  bool walk_value(od::value value, int depth) {
    od::json_type type;
    if (value.type().get(type)) return false;
    switch (type) {
      case od::json_type::object: {
        if (st_.path == "record.exception") st_.leaves.loguru_exception = true;
        od::object inner;
        if (value.get_object().get(inner)) return false;
        if (depth + 1 < kMaxDepth) return walk_object(inner, depth + 1);
        std::string_view raw;
        return !inner.raw_json().get(raw) && add_raw(trim_right(raw));
      }
      case od::json_type::array: {
        od::array array;
        std::string_view raw;
        return !value.get_array().get(array) && !array.raw_json().get(raw) && add_raw(trim_right(raw));
      }
      case od::json_type::string: {
        const std::string_view token = trim_right(value.raw_json_token());
        if (token.size() < 2 || token.front() != '"' || token.back() != '"') return false;
        std::string_view decoded;  // escapes are checked; a string without any needs no decoding
        if (token.find('\\') != std::string_view::npos && value.get_string().get(decoded)) return false;
        st_.leaves.add(st_.path, Kind::kString, in_line(token.substr(1, token.size() - 2)));
        return true;
      }
      case od::json_type::number: {
        const std::string_view token = trim_right(value.raw_json_token());
        double number;
        if (value.get_double().get(number)) return false;  // "12abc" is no number
        st_.leaves.add(st_.path, Kind::kNumber, in_line(token)).quoted = too_wide(token);
        return true;
      }
      case od::json_type::boolean:
      case od::json_type::null: {
        const std::string_view token = trim_right(value.raw_json_token());
        if (token != "true" && token != "false" && token != "null") return false;
        st_.leaves.add(st_.path, Kind::kLiteral, in_line(token));
        return true;
      }
    }
    return false;
  }

  // An array or a deep object is kept as written, to be copied into --json
  // output; on-demand parsing only matched its brackets, so it is read in
  // full here, by the rules the walk applies to a field.
  bool add_raw(std::string_view raw) {
    st_.nested_buffer.assign(raw);
    st_.nested_buffer.append(simdjson::SIMDJSON_PADDING, '\0');
    od::document doc;
    od::value root;
    bool wide = false;
    if (st_.nested.iterate(st_.nested_buffer.data(), raw.size(), st_.nested_buffer.size()).get(doc) ||
        doc.get_value().get(root) || !valid(root, 0, wide) ||
        doc.current_location().error() != simdjson::OUT_OF_BOUNDS)
      return false;
    st_.leaves.add(st_.path, Kind::kRaw, in_line(raw)).quoted = wide;
    return true;
  }

  // Every value inside, as the walk would take it; `wide`: a number that
  // does not fit 64 bits (valid JSON that strict readers refuse or round).
  static bool valid(od::value value, int depth, bool& wide) {
    if (depth > kMaxNesting) return false;
    od::json_type type;
    if (value.type().get(type)) return false;
    switch (type) {
      case od::json_type::object: {
        od::object object;
        if (value.get_object().get(object)) return false;
        for (auto field : object) {
          std::string_view key;
          od::value inner;
          if (field.unescaped_key().get(key) || field.value().get(inner) || !valid(inner, depth + 1, wide))
            return false;
        }
        return true;
      }
      case od::json_type::array: {
        od::array array;
        if (value.get_array().get(array)) return false;
        for (auto element : array) {
          od::value inner;
          if (element.get(inner) || !valid(inner, depth + 1, wide)) return false;
        }
        return true;
      }
      case od::json_type::string: {
        std::string_view s;
        return !value.get_string().get(s);
      }
      case od::json_type::number: {
        const std::string_view token = trim_right(value.raw_json_token());
        double number;
        if (value.get_double().get(number)) return false;
        wide = wide || too_wide(token);
        return true;
      }
      case od::json_type::boolean:
      case od::json_type::null: {
        const std::string_view token = trim_right(value.raw_json_token());
        return token == "true" || token == "false" || token == "null";
      }
    }
    return false;
  }

  JsonState& st_;
  std::string_view line_;
};

// Reads a JSON object line into the state's leaves.
bool collect_json(std::string_view line, JsonState& st) {
  st.leaves.clear();
  st.path.clear();
  if (line.size() > kMaxJsonLine || line.empty() || line[0] != '{') return false;
  st.buffer.assign(line);
  st.buffer.append(simdjson::SIMDJSON_PADDING, '\0');
  od::document doc;
  if (st.parser.iterate(st.buffer.data(), line.size(), st.buffer.size()).get(doc)) return false;
  od::object object;
  if (doc.get_object().get(object)) return false;
  JsonWalker walker(st, line);
  if (!walker.walk_object(object, 0)) return false;
  // Nothing may follow the object: the iterator is at the end of the input.
  return doc.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

// ---- logfmt ----------------------------------------------------------------

bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool is_logfmt_key_char(char c) {
  return static_cast<unsigned char>(c) > 0x20 && c != '=' && c != '"' && c != 0x7f;
}

bool collect_logfmt(std::string_view line, Leaves& leaves) {
  leaves.clear();
  std::size_t p = 0;
  while (p < line.size()) {
    while (p < line.size() && is_blank(line[p])) ++p;
    if (p == line.size()) break;
    const std::size_t key_start = p;
    while (p < line.size() && is_logfmt_key_char(line[p])) ++p;
    const std::string_view key = line.substr(key_start, p - key_start);
    if (key.empty()) return false;
    if (p == line.size() || is_blank(line[p])) {  // a bare key: a flag
      if (leaves.count == 0) return false;        // a line starts with a pair
      leaves.add(key, Kind::kLiteral, "true");
      continue;
    }
    if (line[p] != '=') return false;
    ++p;
    if (p < line.size() && line[p] == '"') {
      const std::size_t start = ++p;
      while (p < line.size() && line[p] != '"') p += line[p] == '\\' ? 2 : 1;
      if (p >= line.size()) {  // the value goes on over the next lines (structlog writes '\n' raw)
        leaves.add(key, Kind::kString, line.substr(start));
        leaves.open_quote = true;
        return true;
      }
      leaves.add(key, Kind::kString, line.substr(start, p - start));
      ++p;
      if (p < line.size() && !is_blank(line[p])) return false;
    } else {
      const std::size_t start = p;
      while (p < line.size() && !is_blank(line[p])) {
        if (line[p] == '"') return false;
        ++p;
      }
      leaves.add(key, Kind::kString, line.substr(start, p - start));
    }
  }
  return leaves.count >= 2 || leaves.open_quote;
}

// ---- Fields -> header --------------------------------------------------------

constexpr std::uint8_t kUnchosen = 255;

struct Choice {
  std::size_t leaf = 0;
  std::uint8_t rank = kUnchosen;
  bool chosen() const { return rank != kUnchosen; }
  bool better(std::uint8_t r) const { return r < rank; }
  void take(std::size_t i, std::uint8_t r) { leaf = i, rank = r; }
};

struct Choices {
  Choice time, level, message, exception, request, session;
  bool id_key = false;  // a request or session key was there, set or not
};

// A W3C traceparent "00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>"
// stands for its trace id.
std::string_view trace_of_traceparent(std::string_view v) {
  if (v.size() == 55 && v[2] == '-' && v[35] == '-' && v[52] == '-') return v.substr(3, 32);
  return v;
}

bool read_time(const Leaf& l, format::Timestamp& ts) {
  if (l.escaped || (l.kind != Kind::kString && l.kind != Kind::kNumber)) return false;
  if (l.kind == Kind::kString) {
    format::Timestamp t;
    if (format::parse_timestamp(l.raw, t) == l.raw.size()) {
      ts = t;
      return true;
    }
  }
  return format::parse_epoch(l.raw, ts);
}

format::Level read_level(Role role, const Leaf& l) {
  if (l.escaped || (l.kind != Kind::kString && l.kind != Kind::kNumber)) return format::Level::kNone;
  if (!l.raw.empty() && l.raw[0] >= '0' && l.raw[0] <= '9') return fields::numeric_level(role, l.raw);
  if (role != Role::kLevel) return format::Level::kNone;
  return format::parse_level(l.raw).value_or(format::Level::kNone);
}

// The levels' keys in one order: names first, then OpenTelemetry's and
// Python's numbers.
std::uint8_t level_rank(Role role, std::uint8_t rank) {
  return static_cast<std::uint8_t>(rank + (role == Role::kLevel ? 0 : role == Role::kLevelOtel ? 64 : 128));
}

// Decides which leaf gives which field and fills `out` from them. A
// field's leaf that cannot be read as that field (a time that is no time)
// is left to the attributes.
Choices choose(const Leaves& leaves, Header& out) {
  Choices c;
  format::Timestamp ts;
  for (std::size_t i = 0; i < leaves.count; ++i) {
    const Leaf& l = leaves.all[i];
    const fields::Meaning m = meaning_at(i, l.path);
    switch (m.role) {
      case Role::kNone:
        break;
      case Role::kTime:
        if (c.time.better(m.rank) && read_time(l, ts)) {
          c.time.take(i, m.rank);
          out.has_ts = true;
          out.ts = ts;
        }
        break;
      case Role::kLevel:
      case Role::kLevelOtel:
      case Role::kLevelPython: {
        const std::uint8_t r = level_rank(m.role, m.rank);
        if (!c.level.better(r)) break;
        const format::Level level = read_level(m.role, l);
        if (level == format::Level::kNone) break;
        c.level.take(i, r);
        out.level = level;
        out.level_text = l.raw;
        break;
      }
      case Role::kMessage:
        if (l.kind == Kind::kString && c.message.better(m.rank)) c.message.take(i, m.rank);
        break;
      case Role::kException:
        if (l.kind == Kind::kString && c.exception.better(m.rank)) c.exception.take(i, m.rank);
        break;
      case Role::kRequest:
      case Role::kSession: {
        c.id_key = true;
        Choice& choice = m.role == Role::kRequest ? c.request : c.session;
        if ((l.kind != Kind::kString && l.kind != Kind::kNumber) || !choice.better(m.rank)) break;
        const std::string_view id = m.role == Role::kRequest ? trace_of_traceparent(l.raw) : l.raw;
        if (format::is_unset_id(id) || !plain_text(id)) break;
        choice.take(i, m.rank);
        (m.role == Role::kRequest ? out.req : out.session) = id;
        break;
      }
    }
  }
  if (c.message.chosen()) {
    const Leaf& l = leaves.all[c.message.leaf];
    out.message = l.raw;
    out.escaped = l.escaped;
  }
  if (c.exception.chosen()) {
    const Leaf& l = leaves.all[c.exception.leaf];
    out.detail = l.raw;
    out.escaped = out.escaped || l.escaped;
  }
  return c;
}

// loguru's traceback: the lines of "text" after its first.
void loguru_traceback(const Leaves& leaves, Header& out) {
  if (!leaves.loguru_exception || !out.detail.empty()) return;
  for (std::size_t i = 0; i < leaves.count; ++i) {
    const Leaf& l = leaves.all[i];
    if (l.path != "text" || l.kind != Kind::kString) continue;
    const auto nl = l.raw.find("\\n");
    if (nl == std::string_view::npos) return;
    std::string_view rest = l.raw.substr(nl + 2);
    while (rest.ends_with("\\n")) rest.remove_suffix(2);
    out.detail = rest;
    out.escaped = true;
    return;
  }
}

void fill(Layout layout, const Leaves& leaves, Header& out) {
  out = Header{};
  out.layout = layout;
  out.has_tag = choose(leaves, out).id_key;
  if (layout == Layout::kJson) loguru_traceback(leaves, out);
}

bool decode_json_string(std::string_view raw, std::string& out) {
  JsonState& st = json_state();
  thread_local std::string buffer;
  buffer.clear();
  buffer += '"';
  buffer += raw;
  buffer += '"';
  const std::size_t len = buffer.size();
  buffer.append(simdjson::SIMDJSON_PADDING, '\0');
  od::document doc;
  std::string_view text;
  if (st.parser.iterate(buffer.data(), len, buffer.size()).get(doc) || doc.get_string().get(text))
    return false;
  out += text;
  return true;
}

void decode_logfmt(std::string_view raw, std::string& out) {
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\' || i + 1 == raw.size()) {
      out += raw[i];
      continue;
    }
    switch (raw[++i]) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case '"':
      case '\\':
        out += raw[i];
        break;
      default:
        out += '\\';
        out += raw[i];
    }
  }
}

}  // namespace

bool parse_json(std::string_view line, Header& out) {
  JsonState& st = json_state();
  if (!collect_json(line, st)) return false;
  fill(Layout::kJson, st.leaves, out);
  return true;
}

bool parse_logfmt(std::string_view line, Header& out) {
  thread_local Leaves leaves;
  if (line.empty() || !is_logfmt_key_char(line[0]) || !collect_logfmt(line, leaves)) return false;
  Header h;
  fill(Layout::kLogfmt, leaves, h);
  if (!(h.has_ts || h.level != format::Level::kNone || !h.message.empty())) return false;
  h.open_quote = leaves.open_quote;
  out = h;
  return true;
}

void append_decoded(Layout layout, std::string_view raw, std::string& out) {
  if (raw.find('\\') == std::string_view::npos) {
    out += raw;
  } else if (layout == Layout::kLogfmt) {
    decode_logfmt(raw, out);
  } else if (!decode_json_string(raw, out)) {
    out += raw;
  }
}

void for_each_attr(Layout layout, std::string_view line, const AttrFn& fn) {
  Leaves local;
  if (layout == Layout::kJson) {
    JsonState& st = json_state();
    if (!collect_json(line, st)) return;
    local = st.leaves;  // decoding below reuses the parser
  } else if (layout == Layout::kLogfmt) {
    if (!collect_logfmt(line, local)) return;
  } else {
    return;
  }
  Header h;
  const Choices c = choose(local, h);
  std::string text;
  for (std::size_t i = 0; i < local.count; ++i) {
    const Choice* used[] = {&c.time, &c.level, &c.message, &c.exception, &c.request, &c.session};
    bool taken = false;
    for (const Choice* u : used) taken = taken || (u->chosen() && u->leaf == i);
    const Leaf& l = local.all[i];
    const Role role = meaning_at(i, l.path).role;
    if (taken || ((role == Role::kRequest || role == Role::kSession) && format::is_unset_id(l.raw))) continue;
    if (layout == Layout::kJson && local.loguru_exception && l.path == "text") continue;  // the traceback
    if (l.kind == Kind::kString) {
      text.clear();
      append_decoded(layout, l.raw, text);
      fn(l.path, text, false);
    } else if (layout == Layout::kLogfmt || l.quoted || !safe_json(l.raw)) {
      fn(l.path, l.raw, false);
    } else {
      fn(l.path, l.raw, true);
    }
  }
}

}  // namespace tracegrep::structured
