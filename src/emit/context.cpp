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

// The running chain: a Task swaps in its frame's chain when it resumes and
// swaps it out when it suspends. Every scope reachable from `top` through
// `outer_` is alive: a scope leaves the chain when it ends, and takes the
// scopes opened inside it along if it ends first.
thread_local Chain t_chain;

// "[req=R|session=S]", with "|parent=P" when a parent span is given: the
// tag as format.hpp defines it.
std::string render_tag(std::string_view request, std::string_view session, std::string_view parent) {
  using namespace format;
  std::string tag;
  tag.reserve(40 + request.size() + session.size() + parent.size());
  tag += kTagOpen;
  ((tag += kRequestKey) += kKeyValueSeparator) += request;
  ((tag += kPairSeparator) += kSessionKey) += kKeyValueSeparator;
  tag += session;
  if (!parent.empty()) {
    ((tag += kPairSeparator) += kParentKey) += kKeyValueSeparator;
    tag += parent;
  }
  tag += kTagClose;
  return tag;
}

const ContextData& empty_data() {
  static const ContextData kEmpty = [] {
    ContextData d;
    d.tag = render_tag(format::kNoneValue, format::kNoneValue, {});
    return d;
  }();
  return kEmpty;
}

std::string written_id(std::string_view id) {
  if (format::is_unset_id(id)) return std::string(format::kNoneValue);  // "None", "-": unset, as read
  return format::is_safe_id(id) ? std::string(id) : derived_id(id);
}

std::shared_ptr<const ContextData> make_data(RequestMetadata metadata) {
  auto d = std::make_shared<ContextData>();
  d->session = written_id(metadata.session_id);
  if (!metadata.session_id.empty()) d->session.resize(std::min(d->session.size(), g_session_length.load()));
  d->request = written_id(metadata.request_id);
  // The parent span only when it is a safe id.
  d->tag = render_tag(d->request, d->session,
                      format::is_safe_id(metadata.parent_span_id) ? std::string_view(metadata.parent_span_id)
                                                                  : std::string_view());
  d->metadata = std::move(metadata);
  return d;
}

}  // namespace

const ContextData& current_data() { return t_chain.current ? *t_chain.current : empty_data(); }
std::string_view tag_of(const ContextData& data) { return data.tag; }
Chain exchange_chain(Chain chain) { return std::exchange(t_chain, chain); }
const ContextData* raw(const Context& c) { return c.data_.get(); }

}  // namespace detail

void set_session_length(std::size_t length) { detail::g_session_length = std::max<std::size_t>(length, 1); }

Context::Context(RequestMetadata metadata) : data_(detail::make_data(std::move(metadata))) {}

Context Context::current() {
  // The thread holds a raw pointer (installing is then a pointer swap); the
  // scope or task that installed it owns the snapshot and outlives this call.
  const detail::ContextData* d = detail::t_chain.current;
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

ContextScope::ContextScope(const Context& context) { open(context.data_.get()); }

ContextScope::ContextScope(Context&& context) : owned_(std::move(context)) { open(owned_.data_.get()); }

void ContextScope::open(const detail::ContextData* data) {
  detail::Chain& chain = detail::t_chain;
  previous_ = chain.current;
  outer_ = chain.top;
  in_task_ = chain.in_task;
  chain.current = data;
  chain.top = this;
}

ContextScope::~ContextScope() {
  detail::Chain& chain = detail::t_chain;
  if (chain.top == this) {  // the usual case: the innermost scope ends
    chain.current = previous_;
    chain.top = outer_;
    return;
  }
  if (orphaned_) return;  // ended with an outer scope; what it replaced is restored already
  for (ContextScope* s = chain.top; s; s = s->outer_) {
    if (s != this) continue;
    for (ContextScope* inner = chain.top; inner != this; inner = inner->outer_) inner->orphaned_ = true;
    report_error("a ContextScope ended before one opened inside it; the context before it is restored");
    chain.current = previous_;
    chain.top = outer_;
    return;
  }
  // Not on the running chain. In a Task that is a frame destroyed while
  // suspended: its chain goes with it and the thread's is not touched.
  if (!in_task_) {
    report_error(
        "a ContextScope ended on a thread that did not open it (a coroutine other than "
        "tracegrep::Task resumed elsewhere?); the context is left as it is");
  }
}

}  // namespace tracegrep
