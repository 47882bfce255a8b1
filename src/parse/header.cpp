// The layouts accepted after the timestamp, since services configure their
// formatters differently (no option needed for any of these):
//   ts - LEVEL - [tag] - message                 (Python's reference layout)
//   ts LEVEL [tag] message                       (plain spaces)
//   ts [LEVEL] [tag] message                     (bracketed level)
//   ts - payments.gateway - LEVEL - [tag] - msg  (%(name)s before the level)
//   ts | LEVEL | app.py:42 | [tag] msg           (" | " between fields)
//   ts [LEVEL] payments: [tag] msg               (a logger name with a colon)
//   ts LEVEL msg [tag]                           (the tag at the end of the line)
// Level and tag are each optional and may come in either order; up to
// kMaxFields fields may stand before and between them: a logger name,
// module:line, a process id, a thread in brackets. Such a field is a token
// followed by a strong separator (" - ", " | ", a colon), or one that does not
// read as a word (it has '.', '_', ':' or only digits, or is bracketed), so
// that "ts - Connection ERROR from db" keeps its message whole. An unknown
// word is message text, and so is a broken tag (no ']', neither req nor
// session). Unset ids (none, None, null, -, empty, all zeros) are no ids.
#include "parse/header.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "parse/log_format.hpp"
#include "parse/structured.hpp"

namespace tracegrep {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

constexpr int kMaxFields = 4;

// Skips a field separator: blanks, optionally "-" or "|" and more blanks.
// Returns the position after it; `pos` itself when there is none. `strong`
// tells whether a "-" or "|" was in it. Inlined: it runs several times on
// every line of a full parse.
[[gnu::always_inline]] inline std::size_t skip_separator(std::string_view s, std::size_t pos, bool& strong) {
  std::size_t p = pos;
  while (p < s.size() && is_space(s[p])) ++p;
  strong = false;
  if (p < s.size() && (s[p] == '-' || s[p] == '|') && (p + 1 == s.size() || is_space(s[p + 1]))) {
    ++p;
    strong = true;
    while (p < s.size() && is_space(s[p])) ++p;
  }
  return p;
}

[[gnu::always_inline]] inline std::size_t skip_separator(std::string_view s, std::size_t pos) {
  bool strong;
  return skip_separator(s, pos, strong);
}

bool is_word_char(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_token_char(char c) {
  return is_word_char(c) || is_digit(c) || c == '.' || c == '_' || c == ':' || c == '/' || c == '-' ||
         c == '<' || c == '>';
}

// A field ends at a blank or at the end of the line.
bool field_ends(std::string_view s, std::size_t pos) { return pos == s.size() || is_space(s[pos]); }

// Tries a level at s[pos]: "LEVEL" or "[LEVEL]". Returns bytes used or 0.
std::size_t parse_level_field(std::string_view s, std::size_t pos, Header& out) {
  const bool bracket = pos < s.size() && s[pos] == '[';
  std::size_t start = pos + (bracket ? 1 : 0);
  std::size_t end = start;
  while (end < s.size() && end - start <= 8 &&
         ((s[end] >= 'A' && s[end] <= 'Z') || (s[end] >= 'a' && s[end] <= 'z'))) {
    ++end;
  }
  const auto level = format::parse_level(s.substr(start, end - start));
  if (!level) return 0;
  std::size_t after = end;
  if (bracket) {
    if (after >= s.size() || s[after] != ']') return 0;
    ++after;
  }
  if (!field_ends(s, after)) return 0;
  out.level = *level;
  out.level_text = s.substr(start, end - start);
  return after - pos;
}

// Reads "key=value" at s[p] (a tag's pair; an empty value is an unset id),
// leaving `p` after the value; false when there is none, or nothing after it.
[[gnu::always_inline]] inline bool read_pair(std::string_view s, std::size_t& p, std::string_view& key,
                                             std::string_view& value) {
  const std::size_t key_start = p;
  while (p < s.size() && format::is_key_char(static_cast<unsigned char>(s[p]))) ++p;
  if (p == key_start || p >= s.size() || s[p] != format::kKeyValueSeparator) return false;
  key = s.substr(key_start, p - key_start);
  const std::size_t value_start = ++p;
  while (p < s.size() && format::is_value_char(static_cast<unsigned char>(s[p]))) ++p;
  value = s.substr(value_start, p - value_start);
  return p < s.size();
}

// Tries a tag at s[pos]. Returns bytes used or 0 (then it is message text).
// Inlined into parse_header (measured: called out of line it cost 10% of a full parse).
[[gnu::always_inline]] inline std::size_t parse_tag_field(std::string_view s, std::size_t pos, Header& out) {
  if (pos >= s.size() || s[pos] != format::kTagOpen) return 0;
  std::size_t p = pos + 1;
  std::string_view req, session;
  bool have_req = false, have_session = false;
  for (;;) {
    std::string_view key, value;
    if (!read_pair(s, p, key, value)) return 0;
    if (key == format::kRequestKey) {
      if (have_req) return 0;  // two ids in one tag would make the entry ambiguous
      have_req = true;
      req = value;
    } else if (key == format::kSessionKey) {
      if (have_session) return 0;
      have_session = true;
      session = value;
    }
    if (s[p] == format::kTagClose) break;
    if (s[p] != format::kPairSeparator) return 0;
    ++p;
  }
  ++p;  // past ']'
  if (!(have_req || have_session) || !field_ends(s, p)) return 0;
  out.has_tag = true;
  out.tag = s.substr(pos, p - pos);
  out.req = format::is_unset_id(req) ? std::string_view{} : req;
  out.session = format::is_unset_id(session) ? std::string_view{} : session;
  return p - pos;
}

// Tries OpenTelemetry's tag at s[pos], as Python's LoggingInstrumentor
// writes it: "[trace_id=T span_id=P resource.service.name=N trace_sampled=B]".
// The trace id is the request (unset when all zeros, as "0" for no span); a
// session_id pair, if any, the session; the rest are attributes.
std::size_t parse_otel_field(std::string_view s, std::size_t pos, Header& out) {
  if (pos >= s.size() || s[pos] != format::kTagOpen) return 0;
  std::size_t p = pos + 1;
  std::string_view trace, session;
  bool have_trace = false;
  for (;;) {
    std::string_view key, value;
    if (!read_pair(s, p, key, value)) return 0;
    if (key == "trace_id" || key == "otelTraceID") {
      if (have_trace) return 0;
      have_trace = true;
      trace = value;
    } else if (key == "session_id") {
      session = value;
    }
    if (s[p] == format::kTagClose) break;
    if (s[p] != ' ') return 0;
    ++p;
  }
  ++p;
  if (!have_trace || !field_ends(s, p)) return 0;
  const bool zeros = trace.find_first_not_of('0') == std::string_view::npos;
  out.has_tag = true;
  out.tag = s.substr(pos, p - pos);
  out.req = zeros || format::is_unset_id(trace) ? std::string_view{} : trace;
  out.session = format::is_unset_id(session) ? std::string_view{} : session;
  return p - pos;
}

// Tries a field that is neither level nor tag at s[pos] (a logger name,
// module:line, a pid, [thread]). Returns bytes used, separator included, or 0.
std::size_t parse_other_field(std::string_view s, std::size_t pos, std::size_t& token_len) {
  if (pos >= s.size()) return 0;
  std::size_t end = pos;
  bool id_like = false;
  if (s[pos] == '[' || s[pos] == '(') {
    const char close = s[pos] == '[' ? ']' : ')';
    end = pos + 1;
    while (end < s.size() && end - pos < 80 && s[end] != close && !is_space(s[end])) ++end;
    if (end >= s.size() || s[end] != close || end == pos + 1) return 0;
    ++end;
    if (end < s.size() && s[end] == ':') ++end;
    id_like = true;
  } else {
    bool only_digits = true;
    while (end < s.size() && end - pos < 120 && is_token_char(s[end])) {
      if (s[end] == '.' || s[end] == '_' || s[end] == ':' || s[end] == '/' || s[end] == '<') id_like = true;
      only_digits = only_digits && is_digit(s[end]);
      ++end;
    }
    if (end == pos || s[end - 1] == '-') return 0;
    id_like = id_like || only_digits;
  }
  if (!field_ends(s, end)) return 0;
  token_len = end - pos;
  bool strong = false;
  const std::size_t next = skip_separator(s, end, strong);
  if (next == s.size()) return 0;  // a field is followed by more of the header
  if (!(strong || id_like || s[end - 1] == ':')) return 0;
  return next - pos;
}

// Python's %(created)f first: epoch seconds of 10 digits (2001 to 2286)
// with a fraction, "1705314615.123456". Returns its length, or 0.
std::size_t epoch_prefix(std::string_view line, format::Timestamp& ts) {
  if (line.size() < 12 || line[10] != '.' || !is_digit(line[0])) return 0;
  for (std::size_t i = 1; i < 10; ++i)
    if (!is_digit(line[i])) return 0;
  std::size_t end = 11;
  while (end < line.size() && end < 20 && is_digit(line[end])) ++end;
  if (end == 11 || !field_ends(line, end) || !format::parse_epoch(line.substr(0, end), ts)) return 0;
  return end;
}

// The value of `key=` standing as a word of `text`, or empty.
std::string_view bare_value(std::string_view text, std::string_view key) {
  for (std::size_t at = text.find(key); at != std::string_view::npos; at = text.find(key, at + 1)) {
    if (at > 0 && !is_space(text[at - 1]) && text[at - 1] != '[' && text[at - 1] != ',') continue;
    std::size_t end = at + key.size();
    while (end < text.size() && format::is_value_char(static_cast<unsigned char>(text[end])) &&
           text[end] != ',')
      ++end;
    return text.substr(at + key.size(), end - at - key.size());
  }
  return {};
}

// OpenTelemetry's ids written as pairs in the message rather than in a tag
// ("... trace_id=4bf9... span_id=00f0..."), or a W3C traceparent pair: the
// trace id is the request. Only looked for on lines without a tag.
void bare_trace_pairs(std::string_view message, Header& out) {
  if (message.find('=') == std::string_view::npos) return;
  std::string_view trace = bare_value(message, "trace_id=");
  if (trace.empty()) {
    const std::string_view parent = bare_value(message, "traceparent=");
    if (parent.size() == 55 && parent[2] == '-' && parent[35] == '-' && parent[52] == '-')
      trace = parent.substr(3, 32);
  }
  const bool zeros = !trace.empty() && trace.find_first_not_of('0') == std::string_view::npos;
  if (trace.empty() || zeros || format::is_unset_id(trace)) return;
  out.has_tag = true;
  out.req = trace;
  const std::string_view session = bare_value(message, "session_id=");
  if (!format::is_unset_id(session)) out.session = session;
}

// The tag at the very end of the line ("%(message)s [req=...]"): where it
// starts, or npos. Only the end: a tag quoted inside a message is text.
std::size_t trailing_tag(std::string_view line, Header& out) {
  std::size_t end = line.size();
  while (end > 0 && is_space(line[end - 1])) --end;
  if (end == 0 || line[end - 1] != format::kTagClose) return std::string_view::npos;
  const std::size_t open = line.rfind(format::kTagOpen, end - 1);
  if (open == std::string_view::npos || (open > 0 && !is_space(line[open - 1])))
    return std::string_view::npos;
  Header h;
  if (parse_tag_field(line.substr(0, end), open, h) != end - open) return std::string_view::npos;
  out.has_tag = true;
  out.tag = h.tag;
  out.req = h.req;
  out.session = h.session;
  return open;
}

}  // namespace

std::string_view layout_name(Layout layout) {
  switch (layout) {
    case Layout::kJson:
      return "json";
    case Layout::kLogfmt:
      return "logfmt";
    case Layout::kFormat:
      return "format";
    case Layout::kText:
      break;
  }
  return "text";
}

void decode_message(const Header& header, std::string& out) {
  if (header.layout == Layout::kText || header.layout == Layout::kFormat)
    out += header.message;
  else
    structured::append_decoded(header.layout, header.message, out);
}

void decode_detail(const Header& header, std::string& out) {
  if (!header.detail.empty()) structured::append_decoded(header.layout, header.detail, out);
}

namespace {

bool parse_line(std::string_view line, Header& out) {
  if (log_format::configured() && log_format::parse(line, out)) return true;
  out = Header{};
  std::size_t ts_len = format::parse_timestamp(line, out.ts);
  if (ts_len == 0) ts_len = epoch_prefix(line, out.ts);
  if (ts_len == 0 || !field_ends(line, ts_len)) {
    if (begins_structured(line) ? structured::parse_json(line, out) : structured::parse_logfmt(line, out))
      return true;
    out = Header{};
    out.message = line;
    // An untimed entry may still say its level before a colon, as uvicorn's
    // and gunicorn's lines do: "INFO:     127.0.0.1:51234 - \"GET / HTTP/1.1\" 200".
    std::size_t end = 0;
    while (end < line.size() && end < 9 && is_word_char(line[end])) ++end;
    if (end > 0 && end < line.size() && line[end] == ':') {
      if (const auto level = format::parse_level(line.substr(0, end))) {
        out.level = *level;
        out.level_text = line.substr(0, end);
      }
    }
    return false;
  }
  out.has_ts = true;
  // Fields up to the last level or tag found; the message follows it.
  std::size_t pos = skip_separator(line, ts_len);
  std::size_t message_at = pos;
  int others = 0;
  std::array<std::string_view, kMaxFields> fields{};
  while (pos < line.size() && !(out.level != format::Level::kNone && out.has_tag)) {
    std::size_t n = 0;
    if (out.level == format::Level::kNone && (n = parse_level_field(line, pos, out)) != 0) {
      pos = message_at = skip_separator(line, pos + n);
    } else if (!out.has_tag &&
               ((n = parse_tag_field(line, pos, out)) != 0 || (n = parse_otel_field(line, pos, out)) != 0)) {
      pos = message_at = skip_separator(line, pos + n);
    } else if (std::size_t token = 0; others < kMaxFields && (n = parse_other_field(line, pos, token)) != 0) {
      fields[others] = line.substr(pos, token);
      pos += n;
      ++others;
    } else {
      break;
    }
  }
  // The fields before the message are the header's; any after the last
  // level or tag were message words after all.
  for (int i = 0; i < others; ++i)
    if (fields[i].data() < line.data() + message_at) out.fields[out.field_count++] = fields[i];
  std::string_view message = line.substr(message_at);
  if (!out.has_tag) {
    const std::size_t at = trailing_tag(message, out);
    if (at != std::string_view::npos) {
      message = message.substr(0, at);
      while (!message.empty() && is_space(message.back())) message.remove_suffix(1);
    }
  }
  if (!out.has_tag) bare_trace_pairs(message, out);
  out.message = message;
  return true;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_digit(c); });
}

// A text layout's other fields, named by their shape, as Python's layouts
// write them: "[MainThread]" thread, "4242" process, "app.py:42" module and
// lineno, anything else (a logger name, "payments:") name; a second field
// of a shape already named is field<N>, N its place.
void text_field_attrs(const Header& h, const AttrFn& fn) {
  bool named[4] = {false, false, false, false};  // thread, process, module, name
  for (std::size_t i = 0; i < h.field_count; ++i) {
    std::string_view f = h.fields[i];
    if (!f.empty() && f.back() == ':') f.remove_suffix(1);
    std::string_view key, value = f, key2, value2;
    int shape = 3;
    const auto colon = f.rfind(':');
    if (!f.empty() && (f.front() == '[' || f.front() == '(')) {
      shape = 0, key = "thread", value = f.substr(1, f.size() - 2);
    } else if (all_digits(f)) {
      shape = 1, key = "process";
    } else if (colon != std::string_view::npos && colon > 0 && all_digits(f.substr(colon + 1))) {
      shape = 2, key = "module", value = f.substr(0, colon), key2 = "lineno", value2 = f.substr(colon + 1);
    } else {
      key = "name";
    }
    if (named[shape]) {
      const std::string place = "field" + std::to_string(i + 1);
      fn(place, f, false);
      continue;
    }
    named[shape] = true;
    fn(key, value, false);
    if (!key2.empty()) fn(key2, value2, false);
  }
}

}  // namespace

bool parse_header(std::string_view line, Header& out) {
  line = chomp(line);
  const bool begins = parse_line(line, out);
  out.line = line;
  return begins;
}

void for_each_attr(const Header& h, const structured::AttrFn& fn) {
  if (h.layout == Layout::kFormat) {
    log_format::for_each_attr(h.line, fn);
  } else if (h.layout != Layout::kText) {
    structured::for_each_attr(h.layout, h.line, fn);
  } else {
    text_field_attrs(h, fn);
    for_each_tag_pair(h.tag, [&](std::string_view key, std::string_view value) {
      if (key == format::kRequestKey || key == format::kSessionKey || key == "trace_id" ||
          key == "otelTraceID" || key == "session_id")
        return;  // the ids themselves
      if (format::is_unset_id(value))
        fn(key, "null", true);
      else
        fn(key, value, false);
    });
  }
}

}  // namespace tracegrep
