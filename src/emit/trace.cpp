// emit/: W3C Trace Context (trace.hpp). Parsing follows the Trace Context
// level 1 rules for traceparent: lowercase hex only, all-zero ids and
// version ff invalid, version 00 exactly 55 characters, later versions
// read by their first 55 characters when a '-' or the end follows.
#include "tracegrep/trace.hpp"

#include <cstdio>

#include "tracegrep/format.hpp"

namespace tracegrep {
namespace {

bool lower_hex(std::string_view s) {
  for (const char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool all_zero(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

bool is_trace_id(std::string_view s) { return s.size() == 32 && lower_hex(s) && !all_zero(s); }

std::optional<std::string_view> lookup(const HeaderLookup& header, std::string_view name) {
  if (!header) return std::nullopt;
  return header(name);
}

}  // namespace

std::optional<TraceParent> parse_traceparent(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v.size() < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-') return std::nullopt;
  const std::string_view version = v.substr(0, 2), trace = v.substr(3, 32), parent = v.substr(36, 16),
                         flags = v.substr(53, 2);
  if (!lower_hex(version) || version == "ff") return std::nullopt;
  if (version == "00" ? v.size() != 55 : (v.size() > 55 && v[55] != '-')) return std::nullopt;
  if (!lower_hex(trace) || all_zero(trace) || !lower_hex(parent) || all_zero(parent) || !lower_hex(flags))
    return std::nullopt;
  TraceParent tp;
  tp.trace_id = std::string(trace);
  tp.parent_id = std::string(parent);
  tp.flags = static_cast<std::uint8_t>(std::stoi(std::string(flags), nullptr, 16));
  return tp;
}

std::string format_traceparent(std::string_view trace_id, std::string_view span_id, std::uint8_t flags) {
  char f[3];
  std::snprintf(f, sizeof f, "%02x", flags);
  std::string out = "00-";
  out += trace_id;
  out += '-';
  out += span_id;
  out += '-';
  out += f;
  return out;
}

bool is_valid_tracestate(std::string_view v) {
  if (v.empty() || v.size() > 512) return false;
  std::size_t members = 1;
  for (const char c : v) {
    if (c < 0x20 || c > 0x7e) return false;
    if (c == ',') ++members;
  }
  return members <= 32;
}

namespace {
std::string nonzero(std::string id) {  // all zero means "invalid" to a receiver
  if (all_zero(id)) id.back() = '1';
  return id;
}
}  // namespace

std::string new_trace_id() { return nonzero(new_request_id(32)); }  // unique within the process
std::string new_span_id() { return nonzero(new_request_id(16)); }

RequestMetadata request_from(const HeaderLookup& header, std::string_view query_string) {
  RequestMetadata m;
  m.session_id = session_id_from(header, query_string);
  if (const auto tp = lookup(header, "traceparent")) {
    if (auto parsed = parse_traceparent(*tp)) {
      m.request_id = std::move(parsed->trace_id);
      m.parent_span_id = std::move(parsed->parent_id);
      m.trace_flags = parsed->flags;
      if (const auto ts = lookup(header, "tracestate"); ts && is_valid_tracestate(*ts))
        m.tracestate = std::string(*ts);
    }
  }
  if (m.request_id.empty()) {
    if (const auto rid = lookup(header, "X-Request-ID"); rid && format::is_safe_id(*rid))
      m.request_id = std::string(*rid);
    else
      m.request_id = new_trace_id();
  }
  return m;
}

std::vector<std::pair<std::string, std::string>> outgoing_headers() {
  std::vector<std::pair<std::string, std::string>> out;
  const Context c = Context::current();
  if (c.empty()) return out;
  const RequestMetadata& m = c.metadata();
  const std::string_view request = c.request_id();
  std::string trace;
  if (is_trace_id(request))
    trace = std::string(request);
  else if (request == format::kNoneValue)
    trace = new_trace_id();
  else  // the same request id gives the same trace id on every call
    trace = nonzero(derived_id(request) + derived_id(std::string(request) + "/trace"));
  out.emplace_back("traceparent", format_traceparent(trace, new_span_id(), m.trace_flags));
  if (!m.tracestate.empty()) out.emplace_back("tracestate", m.tracestate);
  if (format::is_safe_id(m.session_id)) out.emplace_back("X-Session-ID", m.session_id);
  if (request != format::kNoneValue) out.emplace_back("X-Request-ID", std::string(request));
  return out;
}

}  // namespace tracegrep
