// pool/async_result.h: the handles a pool returns for work in progress.
//
//   AsyncResult<R>      apply_async(), starmap_async(); and, as
//   MapResult<R>        = AsyncResult<std::vector<R>>, map_async()
//   IMapIterator<R>     imap(), imap_unordered()
//
// They mirror Python's AsyncResult and IMapIterator. A handle shares its
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

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "pool/errors.h"
#include "pool/internal/job.h"

namespace pool {

template <class Backend>
class BasicPool;

namespace internal {

// Builds the message of a CallbackError for the exception being handled.
std::string DescribeCallbackFailure(const char* which,
                                    const std::exception_ptr& original);

// The pid of the calling process. A pthread_atfork() handler keeps it up to
// date in forked children, so checking "is this the process that created
// the pool?" costs a load instead of a getpid() system call.
pid_t CurrentPid();

// Where a result comes from: the pool that resolves it (an identity that is
// compared, never dereferenced) and the process that created that pool.
struct Origin {
  const void* pool = nullptr;
  pid_t pid = 0;
};

// Marks the calling thread, for its lifetime, as running a callback of
// `pool`. Nests: the previous mark is restored on destruction.
class CallbackScope {
 public:
  explicit CallbackScope(const void* pool) noexcept;
  ~CallbackScope();
  CallbackScope(const CallbackScope&) = delete;
  CallbackScope& operator=(const CallbackScope&) = delete;

 private:
  const void* previous_;
};

// True if the calling thread is running a callback of `pool`.
bool InCallbackOf(const void* pool) noexcept;

// Throws UsageError if `method` (for example "AsyncResult::get()"), about to
// wait for a result from `origin` that is not ready, could never return: in
// a process other than the pool's, or in a callback of the same pool.
// `timed`: the wait has a timeout (it would time out instead of hanging, but
// it cannot succeed either).
void CheckCanWait(const Origin& origin, const char* method, bool timed);

// Throws the UsageError for an imap iterator's `method` called in a process
// other than the one that created its pool.
[[noreturn]] void ThrowForeignProcess(const Origin& origin, const char* method);

// Throws the UsageError for a method called on a moved-from handle.
[[noreturn]] void ThrowMovedFrom(const char* method);

// The state behind an AsyncResult: a value or an error, once, and the
// callbacks to run when it arrives. V is never void (Unit stands in).
template <class V>
class Future {
 public:
  using Callback = std::function<void(const V&)>;
  using ErrorCallback = std::function<void(const Error&)>;

  Future(Origin origin, Callback callback, ErrorCallback error_callback)
      : origin_(origin),
        callback_(std::move(callback)),
        error_callback_(std::move(error_callback)) {}
  virtual ~Future() = default;

  // Resolves with a value: runs the callback, then wakes the waiters, as
  // CPython does (a get() that returns sees the callback's effects).
  void SetValue(V&& value) noexcept {
    value_.emplace(std::move(value));
    if (callback_) {
      CallbackScope scope(origin_.pool);
      try {
        callback_(*value_);
      } catch (...) {
        error_ = std::make_exception_ptr(
            CallbackError(DescribeCallbackFailure("callback", nullptr)));
      }
    }
    Publish();
  }

  // Resolves with an error (a pool::Error): runs the error callback, then
  // wakes the waiters.
  void SetError(std::exception_ptr error) noexcept {
    error_ = std::move(error);
    if (error_callback_) {
      CallbackScope scope(origin_.pool);
      try {
        try {
          std::rethrow_exception(error_);
        } catch (const Error& e) {
          error_callback_(e);
        }
      } catch (...) {
        error_ = std::make_exception_ptr(
            CallbackError(DescribeCallbackFailure("error_callback", error_)));
      }
    }
    Publish();
  }

  // Waits until ready. `method` names the caller for CheckCanWait.
  void Wait(const char* method) const {
    if (Ready()) return;
    CheckCanWait(origin_, method, /*timed=*/false);
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return Ready(); });
  }
  template <class Rep, class Period>
  bool WaitFor(std::chrono::duration<Rep, Period> timeout,
               const char* method) const {
    if (Ready()) return true;
    if (timeout <= timeout.zero()) return false;  // A poll: never blocks.
    CheckCanWait(origin_, method, /*timed=*/true);
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return Ready(); });
  }
  // Takes no lock, so it is safe in a forked child even if the fork caught
  // another thread holding mu_.
  bool Ready() const { return ready_.load(std::memory_order_acquire); }
  // The value; throws the error. Call only when ready.
  const V& Value() const {
    if (error_) std::rethrow_exception(error_);
    return *value_;
  }
  bool Failed() const { return error_ != nullptr; }
  // Moves the value out (for blocking calls that own the only handle).
  V TakeValue() {
    if (error_) std::rethrow_exception(error_);
    return std::move(*value_);
  }

 private:
  void Publish() {
    {
      // Set under the lock, so that a waiter cannot check it and then miss
      // the notification.
      std::lock_guard lock(mu_);
      ready_.store(true, std::memory_order_release);
    }
    cv_.notify_all();
  }

  const Origin origin_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  // value_ and error_ are written before ready_ turns true (release) and
  // only read after it was seen true (acquire).
  std::atomic<bool> ready_{false};
  std::optional<V> value_;
  std::exception_ptr error_;
  Callback callback_;
  ErrorCallback error_callback_;
};

// apply_async: one item.
template <class T>
class ApplyState final : public Future<T>, public Sink<T> {
 public:
  using Future<T>::Future;
  void Deliver(std::size_t, ChunkResult<T>&& chunk) noexcept override {
    if (!chunk.errors.empty()) {
      this->SetError(chunk.errors.front().second);
    } else {
      this->SetValue(std::move(chunk.values.front()));
    }
  }
  void Fail(std::size_t, std::size_t, std::exception_ptr e) noexcept override {
    this->SetError(std::move(e));
  }
};

// map_async / starmap_async: `size` items in some number of chunks. The
// result is ready when every chunk is in; it fails with the error of the
// lowest failing item index, whatever order the chunks finished in.
template <class T>
class MapState final : public Future<std::vector<T>>, public Sink<T> {
 public:
  MapState(Origin origin, std::size_t size, std::size_t chunks,
           typename Future<std::vector<T>>::Callback callback,
           typename Future<std::vector<T>>::ErrorCallback error_callback)
      : Future<std::vector<T>>(origin, std::move(callback),
                               std::move(error_callback)),
        results_(size),
        chunks_left_(chunks) {}

  void Deliver(std::size_t first, ChunkResult<T>&& chunk) noexcept override {
    std::unique_lock lock(mu_);
    std::move(chunk.values.begin(), chunk.values.end(),
              results_.begin() + static_cast<std::ptrdiff_t>(first));
    if (!chunk.errors.empty()) {
      Record(chunk.errors.front().first, chunk.errors.front().second);
    }
    ChunkDone(lock);
  }
  void Fail(std::size_t first, std::size_t,
            std::exception_ptr e) noexcept override {
    std::unique_lock lock(mu_);
    Record(first, std::move(e));
    ChunkDone(lock);
  }
  // For an empty input: resolve at once.
  void Finish() noexcept { this->SetValue(std::move(results_)); }

 private:
  void Record(std::size_t index, std::exception_ptr e) {
    if (!error_ || index < error_index_) {
      error_ = std::move(e);
      error_index_ = index;
    }
  }
  void ChunkDone(std::unique_lock<std::mutex>& lock) {
    if (--chunks_left_ > 0) return;
    lock.unlock();
    if (error_) {
      this->SetError(error_);
    } else {
      this->SetValue(std::move(results_));
    }
  }

  std::mutex mu_;  // Chunks may finish on different threads (ThreadPool).
  std::vector<T> results_;
  std::size_t chunks_left_;
  std::exception_ptr error_;
  std::size_t error_index_ = 0;
};

// imap / imap_unordered: items come out one at a time, in input order or in
// completion order. Input is pulled lazily by `feed`, which reads the next
// chunk of input and submits it; at most `window` items are submitted and
// not yet consumed.
//
// The input can end early: reading it throws, the pool stops taking work,
// or submitting fails. Then every result submitted before that point is
// still delivered; next() raises the cause once, where the rest of the input
// would have come (for imap_unordered: after everything submitted before
// it), and the iteration is over. A failing input element is raised as its
// own exception, as Python does; a pool that stopped, as CancelledError.
template <class T>
class IMapState final : public Sink<T> {
 public:
  // What one call of the feed did.
  struct Step {
    bool more = false;         // More input may follow.
    std::exception_ptr error;  // Why the input ended early (then !more).
  };
  // Reads up to one chunk of input and submits it (calling AddSubmitted).
  // What reading the input throws is returned as Step::error; what the feed
  // throws comes from submitting.
  using Feed = std::function<Step(const std::shared_ptr<IMapState>&)>;

  IMapState(Origin origin, bool ordered, std::size_t window)
      : origin_(origin), ordered_(ordered), window_(window) {}

  void set_feed(Feed feed) { feed_ = std::move(feed); }
  // Called by `feed` for each chunk it submits.
  void AddSubmitted(std::size_t items) {
    std::lock_guard lock(mu_);
    submitted_ += items;
  }

  void Deliver(std::size_t first, ChunkResult<T>&& chunk) noexcept override {
    {
      std::lock_guard lock(mu_);
      auto error = chunk.errors.begin();
      for (std::size_t i = 0; i < chunk.values.size(); ++i) {
        Outcome o;
        if (error != chunk.errors.end() && error->first == first + i) {
          o.error = (error++)->second;
        } else {
          o.value.emplace(std::move(chunk.values[i]));
        }
        Put(first + i, std::move(o));
      }
    }
    cv_.notify_all();
  }
  void Fail(std::size_t first, std::size_t count,
            std::exception_ptr e) noexcept override {
    {
      std::lock_guard lock(mu_);
      for (std::size_t i = 0; i < count; ++i) Put(first + i, Outcome{{}, e});
    }
    cv_.notify_all();
  }

  // The next item: its value, nullopt when all are consumed; throws the
  // item's error, the early end of the input (once), or TimeoutError if
  // nothing arrived within `timeout`.
  std::optional<T> Next(const std::shared_ptr<IMapState>& self,
                        std::optional<std::chrono::nanoseconds> timeout) {
    const char* method =
        timeout ? "IMapIterator::next(timeout)" : "IMapIterator::next()";
    // In a forked child neither the feed nor the locks may be touched: the
    // fork may have caught another thread holding them.
    if (origin_.pid != CurrentPid()) ThrowForeignProcess(origin_, method);
    const auto deadline = timeout
                              ? std::chrono::steady_clock::now() + *timeout
                              : std::chrono::steady_clock::time_point::max();
    std::unique_lock lock(mu_);
    if (NeedsInput()) {
      lock.unlock();
      TopUp(self);
      lock.lock();
    }
    for (;;) {
      if (std::optional<Outcome> o = Take()) {
        ++consumed_;
        // Most of the time the window is still full: no second lock.
        const bool refill = NeedsInput();
        lock.unlock();
        if (refill) TopUp(self);  // Never throws: the item cannot be lost.
        if (o->error) std::rethrow_exception(o->error);
        return std::move(o->value);
      }
      if (exhausted_ && consumed_ == submitted_) {
        if (end_error_) std::rethrow_exception(std::exchange(end_error_, {}));
        return std::nullopt;
      }
      if (!timeout) {
        CheckCanWait(origin_, method, /*timed=*/false);
        cv_.wait(lock);
      } else {
        if (*timeout > timeout->zero()) {
          CheckCanWait(origin_, method, /*timed=*/true);
        }
        if (cv_.wait_until(lock, deadline) == std::cv_status::timeout &&
            !HasReady()) {
          throw TimeoutError("imap: no result within the timeout");
        }
      }
    }
  }

 private:
  struct Outcome {
    std::optional<T> value;
    std::exception_ptr error;
  };

  void Put(std::size_t index, Outcome&& o) {
    if (ordered_) {
      buffered_.emplace(index, std::move(o));
    } else {
      arrived_.push_back(std::move(o));
    }
  }
  bool HasReady() const {
    return ordered_
               ? (!buffered_.empty() && buffered_.begin()->first == consumed_)
               : !arrived_.empty();
  }
  std::optional<Outcome> Take() {
    if (!HasReady()) return std::nullopt;
    Outcome o;
    if (ordered_) {
      o = std::move(buffered_.begin()->second);
      buffered_.erase(buffered_.begin());
    } else {
      o = std::move(arrived_.front());
      arrived_.pop_front();
    }
    return o;
  }
  // Whether fewer than `window` items are outstanding and input remains.
  // Call with mu_ held.
  bool NeedsInput() const {
    return !exhausted_ && submitted_ - consumed_ < window_;
  }
  // Submits chunks until `window` items are outstanding or the input ends.
  // Never throws: whatever stops the input is kept in end_error_.
  void TopUp(const std::shared_ptr<IMapState>& self) noexcept {
    std::lock_guard feed_lock(feed_mu_);
    for (;;) {
      {
        std::lock_guard lock(mu_);
        if (!NeedsInput()) return;
      }
      Step step;
      try {
        step = feed_(self);
      } catch (const UsageError&) {
        // "Pool not running": closed or terminated under us. What was
        // submitted still resolves (as cancelled, after terminate).
        step = {false, std::make_exception_ptr(CancelledError(
                           "imap: the pool stopped before the rest of the "
                           "input was submitted"))};
      } catch (...) {
        step = {false, std::current_exception()};
      }
      if (!step.more) {
        {
          std::lock_guard lock(mu_);
          exhausted_ = true;
          end_error_ = std::move(step.error);
        }
        // Another consumer (a copy of the iterator) may be waiting for an
        // item that will now never come.
        cv_.notify_all();
        return;
      }
    }
  }

  const Origin origin_;
  const bool ordered_;
  const std::size_t window_;
  std::mutex feed_mu_;  // One consumer at a time reads the input.
  Feed feed_;           // Called only under feed_mu_.
  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t submitted_ = 0;
  std::size_t consumed_ = 0;
  bool exhausted_ = false;                   // No more input will be submitted.
  std::exception_ptr end_error_;             // Why it ended early; raised once.
  std::map<std::size_t, Outcome> buffered_;  // imap: by input index.
  std::deque<Outcome> arrived_;              // imap_unordered.
};

}  // namespace internal

// The result of apply_async() / map_async() / starmap_async(), like Python's
// AsyncResult. R may be void.
template <class R>
class [[nodiscard]] AsyncResult {
  using V = internal::Stored<R>;

 public:
  explicit AsyncResult(std::shared_ptr<internal::Future<V>> state)
      : state_(std::move(state)) {}

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

 private:
  template <class>
  friend class BasicPool;
  // For the pool's blocking calls: wait, then move the value out.
  V take(const char* method) && {
    state_->Wait(method);
    return state_->TakeValue();
  }
  // The state, or UsageError for a moved-from handle.
  internal::Future<V>& state(const char* method) const {
    if (!state_) internal::ThrowMovedFrom(method);
    return *state_;
  }

  std::shared_ptr<internal::Future<V>> state_;
};

// The result of map_async() and starmap_async(): get() is the list of
// results in input order.
template <class R>
using MapResult = AsyncResult<std::vector<internal::Stored<R>>>;

// The iterator returned by imap() and imap_unordered(), like Python's
// IMapIterator. Use it in a range-for, or call next().
template <class R>
class [[nodiscard]] IMapIterator {
  using T = internal::Stored<R>;
  using State = internal::IMapState<T>;

 public:
  explicit IMapIterator(std::shared_ptr<State> state)
      : state_(std::move(state)) {}

  // The next result, or nullopt when there are no more. Throws that item's
  // error if its task failed; the following items can still be read.
  // If reading the input throws, the results of the elements before it are
  // delivered first, then next() throws that exception once, at the failing
  // element's place, and the iteration ends (as in Python). After the pool
  // stops (terminate()), the items in flight fail with CancelledError, one
  // more CancelledError stands for the input never submitted, and the
  // iteration ends.
  std::optional<T> next() {
    if (!state_) internal::ThrowMovedFrom("IMapIterator::next()");
    return state_->Next(state_, std::nullopt);
  }
  // As next(), but throws TimeoutError if no result arrives in `timeout`.
  template <class Rep, class Period>
  std::optional<T> next(std::chrono::duration<Rep, Period> timeout) {
    if (!state_) internal::ThrowMovedFrom("IMapIterator::next(timeout)");
    return state_->Next(
        state_, std::chrono::duration_cast<std::chrono::nanoseconds>(timeout));
  }

  // Range-for support: `for (int r : pool.imap(f, xs)) ...`.
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
  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  std::shared_ptr<State> state_;
};

}  // namespace pool

#endif  // POOL_ASYNC_RESULT_H_
