// pool/async_result.h: the handles a pool returns for work in progress.
//
//   AsyncResult<R>      apply_async()
//   MapResult<R>        map_async(), starmap_async(): an AsyncResult of
//                       std::vector<R> (of nothing, AsyncResult<void>, when
//                       the task returns void)
//   IMapIterator<R>     imap(), imap_unordered()
//
// They mirror Python's AsyncResult and IMapIterator. A task returning void
// has no result to hold, where Python's returns None: get() returns nothing
// (it still waits, and throws the task's error), a callback takes no
// argument, and IMapIterator<void>::next() says only whether one more task
// finished. A handle shares its
// state with the pool: copy it freely, keep it after the pool is gone. Every
// result resolves exactly once, with a value or an error; after terminate()
// the unfinished ones resolve with CancelledError, so get() never blocks
// forever (Python's would).
//
// A wait that could never end throws UsageError instead of blocking:
//   * in a callback of the pool that computes the result (callbacks run on
//     the thread that delivers results, so it would wait for itself);
//   * in a forked child of the process that created the pool (nothing
//     there will ever deliver it).
// A result that is already ready is a plain value: get() returns it in both
// cases. A moved-from handle has no state; every method on it throws
// UsageError.
//
// Thread safety: all methods may be called from any thread, concurrently.
// Copies of an IMapIterator share one stream: each result goes to exactly
// one next() call, whichever thread makes it.

#ifndef POOL_ASYNC_RESULT_H_
#define POOL_ASYNC_RESULT_H_

#include <chrono>
#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "pool/errors.h"
#include "pool/internal/misuse.h"
#include "pool/internal/result_state.h"

namespace pool {

template <class Backend>
class BasicPool;

// The result of apply_async() / map_async() / starmap_async(), like Python's
// AsyncResult. R may be void.
template <class R>
class [[nodiscard]] AsyncResult {
  using V = internal::Stored<R>;

 public:
  // Waits for the result and returns it, or throws its error (a
  // pool::Error: TaskError, WorkerDiedError, CancelledError, ...). Throws
  // UsageError instead of waiting where the wait could never end: see the
  // top of this file.
  decltype(auto) get() const {
    const auto& s = state("AsyncResult::get()");
    s.Wait("AsyncResult::get()");
    if constexpr (std::is_void_v<R>) {
      s.Value();
    } else {
      return s.Value();  // const R&, valid while a handle lives.
    }
  }
  // As get(), but throws TimeoutError if the result is not ready within
  // `timeout`. The task goes on running, as in Python.
  template <class Rep, class Period>
  decltype(auto) get(std::chrono::duration<Rep, Period> timeout) const {
    if (!state("AsyncResult::get(timeout)")
             .WaitFor(timeout, "AsyncResult::get(timeout)")) {
      throw TimeoutError(
          "AsyncResult.get(): result not ready within the "
          "timeout");
    }
    return get();
  }
  // Waits until the result is ready.
  void wait() const {
    state("AsyncResult::wait()").Wait("AsyncResult::wait()");
  }
  // Waits at most `timeout`; returns whether the result is ready. A zero
  // timeout only looks, and never throws UsageError.
  template <class Rep, class Period>
  bool wait(std::chrono::duration<Rep, Period> timeout) const {
    return state("AsyncResult::wait(timeout)")
        .WaitFor(timeout, "AsyncResult::wait(timeout)");
  }
  // Whether the result is ready (successfully or not).
  bool ready() const { return state("AsyncResult::ready()").Ready(); }
  // Whether the task completed without an error. Throws UsageError if the
  // result is not ready yet, as Python raises ValueError.
  bool successful() const {
    const auto& s = state("AsyncResult::successful()");
    if (!s.Ready()) throw UsageError("AsyncResult is not ready");
    return !s.Failed();
  }
  // Cancels the task if it has not started, with the rule of Python's
  // concurrent.futures.Future.cancel(): returns true if it had not started
  // (or was cancelled already), and then it never will: the result is
  // resolved at once with CancelledError, so get() throws it; false if it
  // is running or done, and nothing changes (a running task can be
  // stopped only by its `.timeout`). A task counts as started once the
  // pool has handed it to a worker (sent it down the worker's pipe, or
  // given it to a ThreadPool thread), which happens when a worker is free
  // or about to be. The error_callback, if any, runs in this call, on the
  // calling thread: the one exception to "callbacks run on the pool's
  // handler thread".
  //
  // For a MapResult (map_async, starmap_async), the tasks are its chunks:
  // every chunk not yet started is cancelled, whatever this returns, and
  // fails with CancelledError at its first index, so get() throws
  // CancelledError (or the error of a lower index) once the chunks that did
  // start have finished. Returns true if no chunk had started: then nothing
  // of the map ever runs, and get() throws at once.
  bool cancel() { return state("AsyncResult::cancel()").Cancel(); }

 private:
  template <class>
  friend class BasicPool;
  explicit AsyncResult(std::shared_ptr<internal::Future<V>> state)
      : state_(std::move(state)) {}
  // For the pool's blocking calls: wait, then move the value out (or, for
  // void, throw the error if there is one).
  R take(const char* method) && {
    state_->Wait(method);
    if constexpr (std::is_void_v<R>) {
      state_->TakeValue();
    } else {
      return state_->TakeValue();
    }
  }
  // The state, or UsageError for a moved-from handle.
  internal::Future<V>& state(const char* method) const {
    if (!state_) internal::ThrowMovedFrom(method);
    return *state_;
  }

  std::shared_ptr<internal::Future<V>> state_;
};

namespace internal {
template <class R>
struct MapResultOf {
  using type = AsyncResult<std::vector<R>>;
};
template <>
struct MapResultOf<void> {
  using type = AsyncResult<void>;
};
}  // namespace internal

// The result of map_async() and starmap_async() of a task returning R: get()
// is the list of results in input order, a std::vector<R>. For a task
// returning void, an AsyncResult<void>: get() waits and throws the error of
// the lowest failing item.
template <class R>
using MapResult = typename internal::MapResultOf<R>::type;

// The iterator returned by imap() and imap_unordered(), like Python's
// IMapIterator. Use it in a range-for, or call next().
template <class R>
class [[nodiscard]] IMapIterator {
  using T = internal::Stored<R>;
  using State = internal::IMapState<T>;
  // What next() returns: the next result, or, for a task returning void,
  // whether one more task finished.
  using Next = std::conditional_t<std::is_void_v<R>, bool, std::optional<T>>;

 public:
  // The next result, or nullopt when there are no more (IMapIterator<void>:
  // true, or false when there are no more). Throws that item's error if its
  // task failed; the following items can still be read. If reading the
  // input throws, the results of the elements before it are delivered
  // first, then next() throws that exception once, at the failing element's
  // place, and the iteration ends (as in Python). After the pool stops
  // (terminate()), the items in flight fail with CancelledError, one more
  // CancelledError stands for the input never submitted, and the iteration
  // ends.
  Next next() {
    if (!state_) internal::ThrowMovedFrom("IMapIterator::next()");
    return Unpack(state_->Next(state_, std::nullopt));
  }
  // As next(), but throws TimeoutError if no result arrives in `timeout`.
  template <class Rep, class Period>
  Next next(std::chrono::duration<Rep, Period> timeout) {
    if (!state_) internal::ThrowMovedFrom("IMapIterator::next(timeout)");
    return Unpack(state_->Next(
        state_, std::chrono::duration_cast<std::chrono::nanoseconds>(timeout)));
  }

  // Stops the iteration early: no more of the input is read, and every
  // chunk submitted but not yet started is cancelled (see
  // AsyncResult::cancel() for what "started" means). next() still returns
  // what the chunks that had started produce, in their places; each item
  // of a cancelled chunk throws CancelledError in its place; then, if
  // input was left unread, one more CancelledError stands for it, and the
  // iteration ends. Returns true if no chunk had started (nothing of the
  // imap ran, or ever will), false otherwise. Cancelling again changes
  // nothing. Waits while another thread is reading a chunk of the input.
  bool cancel() {
    if (!state_) internal::ThrowMovedFrom("IMapIterator::cancel()");
    return state_->Cancel();
  }

  // Range-for support: `for (int r : pool.imap(f, xs)) ...` (not for a task
  // returning void: call next() until it returns false).
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;

    iterator() = default;
    explicit iterator(IMapIterator* owner) : owner_(owner) { Advance(); }
    const T& operator*() const { return *Current(); }
    const T* operator->() const { return &*Current(); }
    iterator& operator++() {
      Advance();
      return *this;
    }
    void operator++(int) { Advance(); }
    friend bool operator==(const iterator& a, const iterator& b) {
      return a.owner_ == b.owner_;
    }

   private:
    const std::optional<T>& Current() const {
      if (!owner_) {
        throw UsageError("an imap iterator at its end has no value");
      }
      return current_;
    }
    void Advance() {
      if (!owner_) {
        throw UsageError("an imap iterator at its end cannot be advanced");
      }
      current_ = owner_->next();
      if (!current_) owner_ = nullptr;
    }
    IMapIterator* owner_ = nullptr;
    std::optional<T> current_;
  };
  iterator begin() requires(!std::is_void_v<R>) { return iterator(this); }
  iterator end() requires(!std::is_void_v<R>) { return iterator(); }

 private:
  template <class>
  friend class BasicPool;
  explicit IMapIterator(std::shared_ptr<State> state)
      : state_(std::move(state)) {}
  static Next Unpack(std::optional<T>&& item) {
    if constexpr (std::is_void_v<R>) {
      return item.has_value();
    } else {
      return std::move(item);
    }
  }

  std::shared_ptr<State> state_;
};

}  // namespace pool

#endif  // POOL_ASYNC_RESULT_H_
