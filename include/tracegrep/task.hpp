// C++20 coroutines with the request context: a Task<T> captures the context
// current when it is created and installs it whenever it runs, whichever
// thread resumes it; between resumptions the thread gets its own back.
// Scopes opened in the body are the frame's: they hold across co_await and
// end correctly on whichever thread runs their destructor.
//
//   tracegrep::Task<int> handle() {
//     tracegrep::info("before");          // the caller's context
//     tracegrep::ContextScope scope({.session_id = sid, .request_id = rid});
//     co_await some_io();                 // resumed on another thread...
//     tracegrep::info("after");           // ...still this scope's context
//     co_return 42;
//   }
//
// Every co_await inside a Task goes through its promise's await_transform,
// which installs the Task's context on resumption and restores the thread's
// at suspension. A Task starts lazily: co_await it, or call start().
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

#include "tracegrep/context.hpp"

namespace tracegrep {

template <typename T = void>
class Task;

namespace detail {

// Each coroutine frame has a chain of its own (context.hpp): it starts as the
// context captured when the task is created with no scope open, is
// installed whenever the frame resumes and taken back, with whatever scopes
// the body opened, whenever it suspends; the resuming thread gets its own
// chain back. The saved chain is per frame, so tasks awaiting tasks hand
// the thread's chain down and back unchanged.
struct PromiseBase {
  Context context = Context::current();    // captured when the task is created
  Chain own{raw(context), nullptr, true};  // the body's, while suspended
  Chain saved;                             // the resuming thread's, while we run
  std::exception_ptr error;
  std::coroutine_handle<> continuation;

  void resumed() { saved = exchange_chain(own); }
  void suspending() { own = exchange_chain(saved); }

  struct Initial {
    PromiseBase* promise;
    bool await_ready() noexcept { return false; }
    void await_suspend(std::coroutine_handle<>) noexcept {}
    void await_resume() noexcept { promise->resumed(); }
  };
  struct Final {
    bool await_ready() noexcept { return false; }
    template <typename P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      auto next = h.promise().continuation;
      return next ? next : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };

  Initial initial_suspend() noexcept { return Initial{this}; }
  Final final_suspend() noexcept {
    suspending();
    return {};
  }
  void unhandled_exception() { error = std::current_exception(); }

  // Awaitables must be awaiters themselves (await_ready/suspend/resume).
  template <typename Awaitable>
  struct Awaiter {
    Awaitable inner;
    PromiseBase* promise;
    bool suspended = false;
    bool await_ready() { return inner.await_ready(); }
    template <typename P>
    auto await_suspend(std::coroutine_handle<P> h) {
      suspended = true;
      promise->suspending();
      return inner.await_suspend(h);
    }
    decltype(auto) await_resume() {
      if (suspended) promise->resumed();
      return inner.await_resume();
    }
  };
  template <typename Awaitable>
  Awaiter<Awaitable> await_transform(Awaitable&& a) {
    return Awaiter<Awaitable>{std::forward<Awaitable>(a), this};
  }
};

}  // namespace detail

// What Task<T> and Task<void> share: the frame's handle, and being awaited.
template <typename Promise>
class TaskBase {
 public:
  TaskBase(TaskBase&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  ~TaskBase() {
    if (h_) h_.destroy();
  }
  TaskBase& operator=(TaskBase&&) = delete;

  bool await_ready() const { return h_.done(); }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) {
    h_.promise().continuation = awaiting;
    return h_;
  }
  /// Runs the task on this thread until its first suspension.
  void start() { h_.resume(); }
  bool done() const { return h_.done(); }

 protected:
  explicit TaskBase(std::coroutine_handle<Promise> h) : h_(h) {}
  void rethrow() const {
    if (h_.promise().error) std::rethrow_exception(h_.promise().error);
  }
  std::coroutine_handle<Promise> h_;
};

template <typename T>
struct TaskPromise : detail::PromiseBase {
  std::optional<T> value;
  Task<T> get_return_object() { return Task<T>(std::coroutine_handle<TaskPromise>::from_promise(*this)); }
  void return_value(T v) { value = std::move(v); }
};

template <>
struct TaskPromise<void> : detail::PromiseBase {
  Task<void> get_return_object();
  void return_void() {}
};

template <typename T>
class Task : public TaskBase<TaskPromise<T>> {
 public:
  using promise_type = TaskPromise<T>;
  T await_resume() {
    this->rethrow();
    return std::move(*this->h_.promise().value);
  }
  /// The result of a finished task (rethrows its exception).
  T get() { return await_resume(); }

 private:
  friend struct TaskPromise<T>;
  explicit Task(std::coroutine_handle<promise_type> h) : TaskBase<promise_type>(h) {}
};

template <>
class Task<void> : public TaskBase<TaskPromise<void>> {
 public:
  using promise_type = TaskPromise<void>;
  void await_resume() { rethrow(); }
  void get() { await_resume(); }

 private:
  friend struct TaskPromise<void>;
  explicit Task(std::coroutine_handle<promise_type> h) : TaskBase<promise_type>(h) {}
};

inline Task<void> TaskPromise<void>::get_return_object() {
  return Task<void>(std::coroutine_handle<TaskPromise>::from_promise(*this));
}

}  // namespace tracegrep
