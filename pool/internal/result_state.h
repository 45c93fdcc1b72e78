// pool/internal/result_state.h: the state behind the handles of
// async_result.h.
//
// A handle (AsyncResult, IMapIterator) holds a shared_ptr to one of these;
// the engine delivers chunk outcomes into the same object through its Sink
// interface (job.h). Future is the value-or-error that resolves once;
// ApplyState, MapState and IMapState gather the chunks of apply_async,
// map_async/starmap_async and imap/imap_unordered into it. A wait that could
// never end (a callback waiting for its own pool, a wait in a forked child)
// is refused by misuse.h's CheckCanWait before it blocks.

#ifndef POOL_INTERNAL_RESULT_STATE_H_
#define POOL_INTERNAL_RESULT_STATE_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "pool/errors.h"
#include "pool/internal/context.h"
#include "pool/internal/job.h"
#include "pool/internal/misuse.h"
#include "pool/internal/ready_flag.h"
#include "pool/internal/task.h"

namespace pool::internal {

// Builds the message of a CallbackError for the exception being handled.
std::string DescribeCallbackFailure(const char* which,
                                    const std::exception_ptr& original);

// The error of a task that cancel() stopped before it started.
std::exception_ptr CancelledByCancel();

// Where a chunk is in its life, for cancel(): queued (cancel() may still
// take it), taken by the engine (handed to a worker or thread, or failed by
// the engine before that), or cancelled. Whoever moves it out of kQueued
// resolves it; the other side leaves it alone.
enum class ChunkPhase : unsigned char { kQueued, kTaken, kCancelled };

// Moves `phase` from kQueued to `to`; returns whether the chunk is now
// `to` (it was moved, or it was there already).
inline bool MoveFromQueued(std::atomic<ChunkPhase>& phase, ChunkPhase to) {
  ChunkPhase expected = ChunkPhase::kQueued;
  return phase.compare_exchange_strong(expected, to,
                                       std::memory_order_acq_rel) ||
         expected == to;
}

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

  // AsyncResult::cancel() (async_result.h).
  virtual bool Cancel() = 0;

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
    if (origin_.spin && ready_.Spin()) return;
    ready_.Wait();
  }
  template <class Rep, class Period>
  bool WaitFor(std::chrono::duration<Rep, Period> timeout,
               const char* method) const {
    if (Ready()) return true;
    if (timeout <= timeout.zero()) return false;  // A poll: never blocks.
    CheckCanWait(origin_, method, /*timed=*/true);
    // Longer than a century is forever (and would overflow nanoseconds).
    constexpr std::chrono::hours kCentury(24 * 365 * 100);
    if (timeout >= kCentury) {
      ready_.Wait();
      return true;
    }
    return ready_.WaitFor(std::chrono::ceil<std::chrono::nanoseconds>(timeout));
  }
  // Takes no lock, so it is safe in a forked child even if the fork caught
  // another thread in the middle of a call.
  bool Ready() const { return ready_.IsSet(); }
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
  void Publish() { ready_.Set(); }

  const Origin origin_;
  // value_ and error_ are written before ready_ is set (release) and only
  // read after it was seen set (acquire).
  ReadyFlag ready_;
  std::optional<V> value_;
  std::exception_ptr error_;
  Callback callback_;
  ErrorCallback error_callback_;
};

// apply_async: one item.
template <class T>
class ApplyState final : public Future<T>, public Sink<T> {
 public:
  ApplyState(Origin origin, std::shared_ptr<CancelWaker> waker,
             typename Future<T>::Callback callback,
             typename Future<T>::ErrorCallback error_callback)
      : Future<T>(origin, std::move(callback), std::move(error_callback)),
        Sink<T>(std::move(waker)) {}
  bool Start(std::size_t) noexcept override {
    return MoveFromQueued(phase_, ChunkPhase::kTaken);
  }
  bool Cancelled(std::size_t) noexcept override {
    return phase_.load(std::memory_order_acquire) == ChunkPhase::kCancelled;
  }
  void Deliver(std::size_t, ChunkResult<T>&& chunk) noexcept override {
    if (!chunk.errors.empty()) {
      this->SetError(chunk.errors.front().second);
    } else {
      this->SetValue(std::move(chunk.values.front()));
    }
  }
  void DeliverOne(std::size_t, T&& value) noexcept override {
    this->SetValue(std::move(value));
  }
  void Fail(std::size_t, std::size_t, std::exception_ptr e) noexcept override {
    if (!MoveFromQueued(phase_, ChunkPhase::kTaken)) return;  // Cancelled.
    this->SetError(std::move(e));
  }
  const char* kind() const noexcept override { return "apply"; }
  bool Cancel() override {
    ChunkPhase expected = ChunkPhase::kQueued;
    if (phase_.compare_exchange_strong(expected, ChunkPhase::kCancelled,
                                       std::memory_order_acq_rel)) {
      this->SetError(CancelledByCancel());
      this->WakeEngine();
      return true;
    }
    return expected == ChunkPhase::kCancelled;
  }

 private:
  std::atomic<ChunkPhase> phase_{ChunkPhase::kQueued};
};

// The value of a map: the results in input order, or, for a task returning
// void, nothing (Unit).
template <class T>
using MapValue =
    std::conditional_t<std::is_same_v<T, Unit>, Unit, std::vector<T>>;

// map_async / starmap_async: `size` items in some number of chunks. The
// result is ready when every chunk is in; it fails with the error of the
// lowest failing item index, whatever order the chunks finished in.
template <class T>
class MapState final : public Future<MapValue<T>>, public Sink<T> {
  static constexpr bool kKeepsValues = !std::is_same_v<T, Unit>;

 public:
  // `size` items in chunks of `chunk` items (the last may be shorter).
  MapState(Origin origin, std::shared_ptr<CancelWaker> waker, std::size_t size,
           std::size_t chunk, std::size_t chunks,
           typename Future<MapValue<T>>::Callback callback,
           typename Future<MapValue<T>>::ErrorCallback error_callback)
      : Future<MapValue<T>>(origin, std::move(callback),
                            std::move(error_callback)),
        Sink<T>(std::move(waker)),
        results_(kKeepsValues ? size : 0),
        chunk_(chunk),
        chunks_(chunks),
        chunks_left_(chunks),
        phases_(std::make_unique<std::atomic<ChunkPhase>[]>(chunks)) {}

  bool Start(std::size_t first) noexcept override {
    return MoveFromQueued(phases_[first / chunk_], ChunkPhase::kTaken);
  }
  bool Cancelled(std::size_t first) noexcept override {
    return phases_[first / chunk_].load(std::memory_order_acquire) ==
           ChunkPhase::kCancelled;
  }
  // Cancels every chunk still queued; true if every chunk is cancelled now.
  bool Cancel() override {
    bool all = chunks_ > 0;
    bool any = false;
    for (std::size_t i = 0; i < chunks_; ++i) {
      ChunkPhase expected = ChunkPhase::kQueued;
      if (phases_[i].compare_exchange_strong(expected, ChunkPhase::kCancelled,
                                             std::memory_order_acq_rel)) {
        any = true;
        std::unique_lock lock(mu_);
        Record(i * chunk_, CancelledByCancel());
        ChunkDone(lock);
      } else if (expected != ChunkPhase::kCancelled) {
        all = false;
      }
    }
    if (any) this->WakeEngine();
    return all;
  }

  void Deliver(std::size_t first, ChunkResult<T>&& chunk) noexcept override {
    std::unique_lock lock(mu_);
    if constexpr (kKeepsValues) {
      std::move(chunk.values.begin(), chunk.values.end(),
                results_.begin() + static_cast<std::ptrdiff_t>(first));
    }
    if (!chunk.errors.empty()) {
      Record(chunk.errors.front().first, chunk.errors.front().second);
    }
    ChunkDone(lock);
  }
  void Fail(std::size_t first, std::size_t,
            std::exception_ptr e) noexcept override {
    if (!MoveFromQueued(phases_[first / chunk_], ChunkPhase::kTaken)) {
      return;  // Cancelled: resolved by Cancel().
    }
    std::unique_lock lock(mu_);
    Record(first, std::move(e));
    ChunkDone(lock);
  }
  // For an empty input: resolve at once.
  void Finish() noexcept { this->SetValue(TakeResults()); }
  const char* kind() const noexcept override { return "map"; }

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
      this->SetValue(TakeResults());
    }
  }
  MapValue<T> TakeResults() {
    if constexpr (kKeepsValues) {
      return std::move(results_);
    } else {
      return Unit{};
    }
  }

  std::mutex mu_;  // Chunks may finish on different threads (ThreadPool).
  std::vector<T> results_;
  const std::size_t chunk_;
  const std::size_t chunks_;
  std::size_t chunks_left_;
  // Per chunk; read and written without mu_.
  const std::unique_ptr<std::atomic<ChunkPhase>[]> phases_;
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

  // Chunks of `chunk` items (the last may be shorter), at most `window`
  // items submitted and not yet consumed.
  IMapState(Origin origin, std::shared_ptr<CancelWaker> waker, bool ordered,
            std::size_t chunk, std::size_t window)
      : Sink<T>(std::move(waker)),
        origin_(origin),
        ordered_(ordered),
        chunk_(chunk),
        window_(window) {}

  void set_feed(Feed feed) { feed_ = std::move(feed); }
  // Called by `feed` for each chunk, of `items` items, in order, just
  // before it submits it; WithdrawSubmitted if submitting threw.
  void AddSubmitted(std::size_t items) {
    std::lock_guard lock(mu_);
    phases_.push_back(ChunkPhase::kQueued);  // First: it may throw.
    submitted_ += items;
  }
  void WithdrawSubmitted(std::size_t items) {
    std::lock_guard lock(mu_);
    submitted_ -= items;
    phases_.pop_back();
  }

  bool Start(std::size_t first) noexcept override {
    std::lock_guard lock(mu_);
    ChunkPhase* phase = PhaseOf(first);
    if (phase == nullptr) return true;  // Started before (a resend).
    if (*phase == ChunkPhase::kCancelled) return false;
    *phase = ChunkPhase::kTaken;
    started_any_ = true;
    DropTaken();
    return true;
  }
  bool Cancelled(std::size_t first) noexcept override {
    std::lock_guard lock(mu_);
    const ChunkPhase* phase = PhaseOf(first);
    return phase != nullptr && *phase == ChunkPhase::kCancelled;
  }

  // IMapIterator::cancel() (async_result.h).
  bool Cancel() {
    // Holding feed_mu_, no chunk is being read and submitted meanwhile.
    std::unique_lock feed_lock(feed_mu_);
    bool any = false;
    {
      std::lock_guard lock(mu_);
      if (!exhausted_) {
        exhausted_ = true;
        end_error_ = std::make_exception_ptr(
            CancelledError("imap: cancel() was called before the rest of "
                           "the input was read"));
      }
      const std::exception_ptr error = CancelledByCancel();
      for (std::size_t k = 0; k < phases_.size(); ++k) {
        if (phases_[k] != ChunkPhase::kQueued) continue;
        phases_[k] = ChunkPhase::kCancelled;
        any = true;
        // Only the last chunk submitted may be shorter than chunk_.
        const std::size_t first = (dropped_ + k) * chunk_;
        const std::size_t end = std::min(first + chunk_, submitted_);
        for (std::size_t i = first; i < end; ++i) Put(i, Outcome{{}, error});
      }
    }
    cv_.notify_all();
    feed_lock.unlock();
    if (any) this->WakeEngine();
    std::lock_guard lock(mu_);
    return !started_any_;
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
      if (ChunkPhase* phase = PhaseOf(first)) {
        if (*phase == ChunkPhase::kCancelled) return;  // Failed in Cancel().
        *phase = ChunkPhase::kTaken;
        DropTaken();
      }
      for (std::size_t i = 0; i < count; ++i) Put(first + i, Outcome{{}, e});
    }
    cv_.notify_all();
  }
  const char* kind() const noexcept override {
    return ordered_ ? "imap" : "imap_unordered";
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

  // The phase of the chunk that starts at item `first`, or null if it was
  // taken and dropped from phases_ already. Call with mu_ held.
  ChunkPhase* PhaseOf(std::size_t first) {
    const std::size_t k = first / chunk_;
    if (k < dropped_ || k - dropped_ >= phases_.size()) return nullptr;
    return &phases_[k - dropped_];
  }
  // Forgets the taken chunks at the front: the engine takes chunks in the
  // order they were submitted, so phases_ holds little more than the
  // chunks still queued. A cancelled chunk stays (the engine asks about it
  // until it drops it). Call with mu_ held.
  void DropTaken() {
    while (!phases_.empty() && phases_.front() == ChunkPhase::kTaken) {
      phases_.pop_front();
      ++dropped_;
    }
  }
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
  const std::size_t chunk_;
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
  // The phase of every chunk from number dropped_ on, in submission order;
  // plain values under mu_, unlike MapState's.
  std::deque<ChunkPhase> phases_;
  std::size_t dropped_ = 0;   // Chunks taken and forgotten before phases_.
  bool started_any_ = false;  // A chunk was started.
};

}  // namespace pool::internal

#endif  // POOL_INTERNAL_RESULT_STATE_H_
