// emit/: the emitter library. The context lives in a thread_local pointer to
// an immutable, shared snapshot: installing one is a pointer swap, and the
// tag is rendered once per context, not per log call.
#include "tracegrep/context.hpp"

#include <atomic>

#include "tracegrep/format.hpp"
#include "tracegrep/ids.hpp"
#include "tracegrep/log.hpp"

namespace tracegrep {
namespace detail {

// Shared by every Context that copies it; current() turns the thread's raw
// pointer back into a shared one.
struct ContextData : std::enable_shared_from_this<ContextData> {
  RequestMetadata metadata;
  std::string session;  // as written: safe, cut
  std::string request;
  std::string tag;
};

namespace {

std::atomic<std::size_t> g_session_length{format::kSessionCut};

thread_local const ContextData* t_current = nullptr;
// Scopes are numbered by nesting depth. A scope that ends while scopes
// opened inside it are still alive takes them with it: they are orphaned and
// restore nothing when they end, so no scope ever restores a context that
// is gone.
thread_local std::size_t t_depth = 0;

const ContextData& empty_data() {
  static const ContextData kEmpty = [] {
    ContextData d;
    d.tag = "[req=none|session=none]";
    return d;
  }();
  return kEmpty;
}

std::string written_id(std::string_view id) {
  if (id.empty()) return std::string(format::kNoneValue);
  return format::is_safe_id(id) ? std::string(id) : derived_id(id);
}

std::shared_ptr<const ContextData> make_data(RequestMetadata metadata) {
  auto d = std::make_shared<ContextData>();
  d->session = written_id(metadata.session_id);
  if (!metadata.session_id.empty()) d->session.resize(std::min(d->session.size(), g_session_length.load()));
  d->request = written_id(metadata.request_id);
  d->tag = "[req=" + d->request + "|session=" + d->session + "]";
  d->metadata = std::move(metadata);
  return d;
}

}  // namespace

const ContextData& current_data() { return t_current ? *t_current : empty_data(); }
std::string_view tag_of(const ContextData& data) { return data.tag; }
const ContextData* exchange_current(const ContextData* data) { return std::exchange(t_current, data); }
const ContextData* raw(const Context& c) { return c.data_.get(); }

}  // namespace detail

void set_session_length(std::size_t length) { detail::g_session_length = std::max<std::size_t>(length, 1); }

Context::Context(RequestMetadata metadata) : data_(detail::make_data(std::move(metadata))) {}

Context Context::current() {
  // The thread holds a raw pointer (installing is then a pointer swap); the
  // scope or task that installed it owns the snapshot and outlives this call.
  const detail::ContextData* d = detail::t_current;
  if (!d) return Context();
  return Context(d->shared_from_this());
}

const RequestMetadata& Context::metadata() const { return (data_ ? *data_ : detail::empty_data()).metadata; }
std::string_view Context::session_id() const {
  return data_ ? std::string_view(data_->session) : std::string_view();
}
std::string_view Context::request_id() const {
  return data_ ? std::string_view(data_->request) : std::string_view();
}
std::string_view Context::tag() const { return (data_ ? *data_ : detail::empty_data()).tag; }

Context Context::with_request(std::string request_id) const {
  RequestMetadata m = metadata();
  m.request_id = std::move(request_id);
  return Context(std::move(m));
}

ContextScope::ContextScope(const Context& context) : previous_(detail::t_current), depth_(++detail::t_depth) {
  detail::t_current = context.data_.get();
}

ContextScope::ContextScope(Context&& context)
    : owned_(std::move(context)), previous_(detail::t_current), depth_(++detail::t_depth) {
  detail::t_current = owned_.data_.get();
}

ContextScope::~ContextScope() {
  if (depth_ > detail::t_depth) return;  // orphaned by an outer scope that ended first
  if (depth_ < detail::t_depth) {
    report_error("a ContextScope ended before one opened inside it; the context before it is restored");
  }
  detail::t_current = previous_;
  detail::t_depth = depth_ - 1;
}

}  // namespace tracegrep
