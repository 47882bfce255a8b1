// Request context for C++ services, with Python contextvars' semantics: set
// once per request by an RAII scope, seen by every log call on that thread,
// restored when the scope ends, and carried into tasks, threads and
// coroutines as a snapshot whose changes never leak back.
//
//   tracegrep::ContextScope scope({.session_id = sid, .request_id = tracegrep::new_request_id()});
//   tracegrep::info("Processing payment for user {}", user);
//   auto f = std::async(std::launch::async, tracegrep::wrap([] { tracegrep::info("in a task"); }));
//
// Nothing here throws into the caller; misuse (a scope ended out of order)
// goes to the error handler of log.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>

namespace tracegrep {

/// What a request carries, as in the article's RequestMetadata.
struct RequestMetadata {
  std::string session_id;  ///< empty: none
  std::string request_id;  ///< empty: none
  std::string method;
  std::string path;
  std::string transport_type;
  std::chrono::system_clock::time_point start_time = std::chrono::system_clock::now();
  /// W3C Trace Context (trace.hpp): the caller's span, written in the tag as
  /// `parent=` when set; flags and tracestate are passed downstream.
  std::string parent_span_id;
  std::uint8_t trace_flags = 0;
  std::string tracestate;
};

class Context;
class ContextScope;
namespace detail {
struct ContextData;
const ContextData* raw(const Context& c);

/// What a thread runs under: the installed context and the innermost scope
/// open on it. A Task's frame keeps a chain of its own, so the scopes opened
/// in a coroutine body travel with the frame from thread to thread and never
/// link to the scopes of whichever thread resumes it.
struct Chain {
  const ContextData* current = nullptr;
  ContextScope* top = nullptr;
  bool in_task = false;  ///< the chain of a Task's frame
};
}  // namespace detail

/// An immutable snapshot of a request's context; cheap to copy. The ids it
/// writes are made safe when it is built (see format.hpp's is_safe_id).
class Context {
 public:
  Context() = default;  ///< the empty context: req=none|session=none
  explicit Context(RequestMetadata metadata);

  /// The context of the calling thread (empty outside any scope).
  static Context current();

  bool empty() const { return data_ == nullptr; }
  const RequestMetadata& metadata() const;
  /// The session id as written (cut to the session length of log.hpp's options).
  std::string_view session_id() const;
  std::string_view request_id() const;
  /// The rendered tag, "[req=R|session=S]".
  std::string_view tag() const;

  /// A copy with other ids, the rest kept (for a sub-request).
  Context with_request(std::string request_id) const;

 private:
  friend class ContextScope;
  friend const detail::ContextData* detail::raw(const Context& c);
  explicit Context(std::shared_ptr<const detail::ContextData> data) : data_(std::move(data)) {}
  std::shared_ptr<const detail::ContextData> data_;
};

/// Installs a context on this thread until the end of the scope; scopes nest.
/// A scope restores exactly the context it replaced, checked by identity:
/// one ended while scopes opened inside it are still open (heap-allocated
/// scopes ended out of order) is reported to the error handler, restores the
/// context before it and takes the inner ones with it (they restore nothing
/// when they end, so nothing ever restores a context that is gone).
///
/// In a tracegrep::Task (task.hpp) a scope holds across co_await, whichever
/// thread resumes the task and whichever thread ends the scope. Coroutine
/// types of other libraries do not tell us when they suspend: there, do not
/// keep a scope open across a suspension point that can change threads
/// (wrap the work with wrap() instead). A scope that ends on a thread that
/// did not open it outside a Task is reported and changes nothing.
///
/// Given a Context by name, the scope borrows it, as std::lock_guard borrows
/// its mutex: the Context must outlive the scope (entering and leaving is
/// then a pointer swap). Given a temporary or RequestMetadata, it owns it.
class ContextScope {
 public:
  explicit ContextScope(const Context& context);
  explicit ContextScope(Context&& context);
  explicit ContextScope(RequestMetadata metadata) : ContextScope(Context(std::move(metadata))) {}
  ~ContextScope();
  ContextScope(const ContextScope&) = delete;
  ContextScope& operator=(const ContextScope&) = delete;

 private:
  void open(const detail::ContextData* data);

  Context owned_;  // empty when borrowing
  const detail::ContextData* previous_ = nullptr;
  ContextScope* outer_ = nullptr;  // the innermost scope open when this one opened
  bool in_task_ = false;
  bool orphaned_ = false;  // ended with an outer scope that ended first
};

/// Wraps a callable to run later, anywhere, under the context current now.
template <typename F>
auto wrap(F&& f) {
  return [context = Context::current(), f = std::forward<F>(f)](auto&&... args) mutable -> decltype(auto) {
    ContextScope scope(context);
    return f(std::forward<decltype(args)>(args)...);
  };
}

/// std::thread, but the thread starts under the caller's context.
template <typename F, typename... Args>
std::thread thread(F&& f, Args&&... args) {
  return std::thread(wrap(std::forward<F>(f)), std::forward<Args>(args)...);
}

/// std::async, but the task runs under the caller's context.
template <typename F, typename... Args>
auto async(std::launch policy, F&& f, Args&&... args) {
  return std::async(policy, wrap(std::forward<F>(f)), std::forward<Args>(args)...);
}

/// Adapts any executor with `post(callable)` (a thread pool, an asio
/// executor): each task is captured at submit, runs under that context, and
/// the worker's own context is restored after.
template <typename Executor>
class ContextExecutor {
 public:
  explicit ContextExecutor(Executor& inner) : inner_(inner) {}
  template <typename F>
  void post(F&& f) {
    inner_.post(wrap(std::forward<F>(f)));
  }
  Executor& inner() { return inner_; }

 private:
  Executor& inner_;
};

namespace detail {
/// The calling thread's context, for the logger: never null.
const ContextData& current_data();
std::string_view tag_of(const ContextData& data);
/// Installs `chain` on this thread; returns the one it replaces. For
/// coroutine resumption and suspension, which have no scope to tie them to.
Chain exchange_chain(Chain chain);
const ContextData* raw(const Context& c);
}  // namespace detail

}  // namespace tracegrep
