// Ids: a process-wide counter through a bijective mix is unique without a
// lock; a random key at start makes ids differ between processes.
#include "tracegrep/ids.hpp"

#include <atomic>
#include <cctype>
#include <random>

#include "tracegrep/context.hpp"
#include "tracegrep/format.hpp"
#include "util/hash.hpp"

namespace tracegrep {
namespace {

std::uint64_t process_key() {
  static const std::uint64_t key = [] {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }();
  return key;
}

std::atomic<std::uint64_t> g_counter{0};

// Both mixes are bijections: distinct inputs give distinct outputs.
std::uint32_t mix32(std::uint32_t v) {
  v ^= v >> 16;
  v *= 0x7feb352dU;
  v ^= v >> 15;
  v *= 0x846ca68bU;
  v ^= v >> 16;
  return v;
}

std::uint64_t mix64(std::uint64_t v) {
  v ^= v >> 30;
  v *= 0xbf58476d1ce4e5b9ULL;
  v ^= v >> 27;
  v *= 0x94d049bb133111ebULL;
  v ^= v >> 31;
  return v;
}

void append_hex(std::string& out, std::uint64_t v, int digits) {
  for (int i = digits - 1; i >= 0; --i) out += kHexDigits[(v >> (4 * i)) & 15];
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  if (!query.empty() && query.front() == '?') query.remove_prefix(1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (url_decode(pair.substr(0, eq)) == name) {
      return url_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::string safe(std::string_view id) { return format::is_safe_id(id) ? std::string(id) : derived_id(id); }

}  // namespace

std::string new_request_id(std::size_t length) {
  length = std::clamp<std::size_t>(length, 8, 32);
  const std::uint64_t n = g_counter.fetch_add(1, std::memory_order_relaxed);
  std::string out;
  out.reserve(length);
  if (length == 8) {
    append_hex(out, mix32(static_cast<std::uint32_t>(n) ^ static_cast<std::uint32_t>(process_key())), 8);
    return out;
  }
  // A bijection of the counter first (unique), then keyed randomness.
  const std::uint64_t unique = mix64(n ^ process_key());
  append_hex(out, unique >> (64 - 4 * std::min<std::size_t>(length, 16)),
             static_cast<int>(std::min<std::size_t>(length, 16)));
  if (length > 16) append_hex(out, mix64(unique + process_key()), static_cast<int>(length - 16));
  return out;
}

std::string derived_id(std::string_view unsafe) {
  std::string out;
  append_hex(out, mix64(fnv1a(unsafe)), 16);
  return out;
}

std::string session_id_from(const HeaderLookup& header, std::string_view query_string) {
  for (const char* name : {"X-Session-ID", "X-Correlation-ID"}) {
    if (const auto v = header(name); v && !v->empty()) return safe(*v);
  }
  if (const auto v = query_param(query_string, "session_id"); v && !v->empty()) return safe(*v);
  if (const auto auth = header("Authorization")) {
    std::string_view a = *auth;
    if (a.size() > 7 && (a.substr(0, 7) == "Bearer " || a.substr(0, 7) == "bearer ")) {
      a.remove_prefix(7);
      while (!a.empty() && a.front() == ' ') a.remove_prefix(1);
      // A credential: only a hash of it is ever written.
      if (!a.empty()) return derived_id(a);
    }
  }
  return new_request_id(32);
}

std::string request_id_header() {
  const Context c = Context::current();
  return c.empty() || c.request_id() == format::kNoneValue ? std::string() : std::string(c.request_id());
}

}  // namespace tracegrep
