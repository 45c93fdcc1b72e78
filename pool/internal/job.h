// pool/internal/job.h: a unit of work as the engines see it.
//
// Every submission, whatever method made it, becomes one or more chunks: a
// function and a run of items (apply is a chunk of one item; map splits its
// input into chunks of `chunksize` items). A chunk's outcome is, per item,
// either a value or an error, delivered to a Sink<R>, the shared state behind
// an AsyncResult, a map's result or an imap iterator.
//
//   ProcessJob  the chunk encoded as a frame, ready to write to a worker;
//               Complete() decodes the worker's reply into the sink.
//   ThreadJob   the chunk's items kept as values; Run() calls the function on
//               a pool thread and hands the values to the sink.

#ifndef POOL_INTERNAL_JOB_H_
#define POOL_INTERNAL_JOB_H_

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "pool/codec.h"
#include "pool/errors.h"
#include "pool/internal/context.h"
#include "pool/internal/task.h"
#include "pool/internal/trace.h"
#include "pool/internal/wire.h"

namespace pool::internal {

// The outcome of one chunk: a value for every item (default-constructed where
// the item failed) and the errors, by absolute item index.
template <class T>
struct ChunkResult {
  std::vector<T> values;
  std::vector<std::pair<std::size_t, std::exception_ptr>> errors;
};

// How cancel() tells the process engine that holds a chunk to drop it
// (process_engine.h): the engine makes one, each sink of its pool's
// results is made with it, and the sink calls Wake() after cancel()
// cancelled one of its chunks. A sink (its AsyncResult) may outlive the engine:
// the engine Detach()es it before it goes, and Wake() then does nothing. So it
// does in a forked child, which has no engine running (and whose copy of the
// engine's lock may have been taken at the fork).
class CancelWaker {
 public:
  explicit CancelWaker(std::function<void()> wake)
      : pid_(CurrentPid()), wake_(std::move(wake)) {}
  void Wake() {
    if (CurrentPid() != pid_) return;
    std::lock_guard lock(mu_);
    if (wake_) wake_();
  }
  void Detach() {
    std::lock_guard lock(mu_);
    wake_ = nullptr;
  }

 private:
  const pid_t pid_;
  std::mutex mu_;
  std::function<void()> wake_;
};

// Receives chunk outcomes. One of Deliver, DeliverOne and Fail is called
// exactly once per chunk,
// from the thread that finished it (a pool's handler thread or a ThreadPool
// worker thread), and never throw. A chunk that was cancelled (cancel(),
// async_result.h) is resolved by the sink itself: Fail is then ignored.
template <class T>
class Sink {
 public:
  // `waker`: the engine's, whose queue holds this sink's chunks (null for
  // an engine that need not be woken to drop a cancelled chunk).
  explicit Sink(std::shared_ptr<CancelWaker> waker = nullptr)
      : waker_(std::move(waker)) {}
  virtual ~Sink() = default;
  // Called by the engine just before it hands the chunk that starts at item
  // `first` to a worker or a thread (and again if a worker died before it
  // started it). From then on cancel() cannot stop it. False: the chunk
  // was cancelled and is resolved already; the engine drops it.
  virtual bool Start(std::size_t first) noexcept = 0;
  // Whether cancel() cancelled the chunk that starts at item `first` (it
  // will never start). By default, never.
  virtual bool Cancelled(std::size_t /*first*/) noexcept { return false; }
  virtual void Deliver(std::size_t first, ChunkResult<T>&& chunk) noexcept = 0;
  // A chunk of one item, `index`, that succeeded with `value`: how a
  // ThreadPool delivers an apply() without building a ChunkResult. By
  // default, the same as Deliver.
  virtual void DeliverOne(std::size_t index, T&& value) noexcept {
    ChunkResult<T> chunk;
    chunk.values.push_back(std::move(value));
    Deliver(index, std::move(chunk));
  }
  // The whole chunk failed: its worker died, or terminate() cancelled it.
  virtual void Fail(std::size_t first, std::size_t count,
                    std::exception_ptr error) noexcept = 0;
  // The method behind it, for a trace ("apply", "map", "imap").
  virtual const char* kind() const noexcept { return "task"; }

 protected:
  // Called by cancel() once it has cancelled a chunk, with no lock held.
  void WakeEngine() {
    if (waker_) waker_->Wake();
  }

 private:
  const std::shared_ptr<CancelWaker> waker_;
};

// What a job carries for the trace (trace.h) when tracing is on: the Trace,
// the pool's number in it and the job's id.
struct TraceTag {
  Trace* trace = nullptr;
  int pool = 0;
  std::uint64_t id = 0;

  // Records that cancel() cancelled the job before it started.
  void Cancelled() const noexcept {
    if (trace != nullptr) trace->Cancelled(pool, id);
  }
  // Records that the job failed as a whole; never throws.
  void Failed(const std::exception_ptr& error) const noexcept {
    if (trace == nullptr) return;
    try {
      trace->Failed(pool, id, error);
    } catch (...) {
      // No memory to record it: the trace only misses the outcome.
    }
  }
};

// The item of a chunk as a number, for a trace's label: the item itself or
// the single element of a tuple, if it is arithmetic.
template <class Item>
std::optional<double> PlainNumber(const Item& item) {
  if constexpr (std::is_arithmetic_v<Item>) {
    return static_cast<double>(item);
  } else if constexpr (IsTuple<Item>::value) {
    if constexpr (std::tuple_size_v<Item> == 1) {
      return PlainNumber(std::get<0>(item));
    } else {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
}

// --- Errors as they cross the pipe -------------------------------------------

// Describes the exception being handled as a TaskError (type and message).
// Call only inside a catch block.
TaskError CurrentExceptionAsTaskError();

// The exception being handled as a pool::Error: itself if it is one (or a
// copy of a std::system_error as a SystemError); otherwise an Error whose
// message is `context`, then the exception's type and what(). Call only
// inside a catch block. So that an error_callback sees every failure.
std::exception_ptr CurrentExceptionAsPoolError(const std::string& context);

// Encodes the exception being handled (type name and message).
void EncodeCurrentException(Writer& out);
// Decodes what EncodeCurrentException wrote, as a TaskError.
TaskError DecodeTaskError(Reader& in);

// --- Calling the user's function ---------------------------------------------

// Runs in a worker: decodes each item of a task body, calls the function on
// it and appends the reply body (see wire.h) to `out`: every item's value,
// then the errors. An exception from the function (or from encoding its result)
// becomes that item's error, with a default value in its place; the items
// after it still run. An argument that cannot be decoded fails its item and
// the rest of the chunk.
using Invoker = void (*)(std::uintptr_t fn, Reader& in, std::string& out);

template <class C>
void InvokeChunk(std::uintptr_t fn_bits, Reader& in, std::string& reply) {
  using T = Stored<typename C::R>;
  const auto fn = reinterpret_cast<typename C::Traits::Ptr>(fn_bits);
  const std::size_t count = in.read_count(0);
  Writer out(reply);
  out.write_raw<std::uint64_t>(count);
  if constexpr (kIsPlainData<T>) {
    reply.reserve(reply.size() + count * sizeof(T) + 16);
  }
  std::string errors;  // Stays unallocated unless an item fails.
  Writer error_writer(errors);
  std::uint64_t error_count = 0;
  for (std::size_t i = 0; i < count; ++i) {
    std::optional<typename C::Item> item;
    try {
      item.emplace(Decode<typename C::Item>(in));
    } catch (...) {
      // A Codec that cannot decode an argument: that item fails with the
      // codec's error, and so does every item after it, since where the
      // next one starts is unknown now. The worker goes on.
      std::string error;
      Writer one(error);
      EncodeCurrentException(one);
      for (; i < count; ++i) {
        Encode(out, T{});
        error_writer.write_raw<std::uint64_t>(i);
        error_writer.write(error.data(), error.size());
        ++error_count;
      }
      break;
    }
    const std::size_t mark = reply.size();
    try {
      Encode(out, C::Run(fn, *item));
    } catch (...) {
      reply.resize(mark);  // Drops what the result's encoding had written.
      Encode(out, T{});
      error_writer.write_raw<std::uint64_t>(i);
      EncodeCurrentException(error_writer);
      ++error_count;
    }
  }
  out.write_raw<std::uint64_t>(error_count);
  out.write(errors.data(), errors.size());
}

// --- Jobs --------------------------------------------------------------------

// A chunk for the process pool: a ready-to-write frame, and what to do with
// the worker's reply. Owned by the engine from submission to completion.
class ProcessJob {
 public:
  virtual ~ProcessJob() = default;
  std::uint64_t id() const { return id_; }
  void set_id(std::uint64_t id) {
    id_ = id;
    trace_.id = id;
    SetFrameId(frame_, id);
  }
  const std::string& frame() const { return frame_; }
  // When the frame was completely written to a worker.
  std::chrono::steady_clock::time_point sent_at() const { return sent_at_; }
  void set_sent_at(std::chrono::steady_clock::time_point t) { sent_at_ = t; }
  // The task's `.timeout` (pool.h), counted from when it starts in its
  // worker; zero: none.
  std::chrono::nanoseconds timeout() const { return timeout_; }
  void set_timeout(std::chrono::nanoseconds t) { timeout_ = t; }

  // Sink::Start for this chunk: false if it was cancelled (drop it; its
  // trace records it cancelled).
  virtual bool Start() noexcept = 0;
  // Whether cancel() cancelled it (Sink::Cancelled); then its trace
  // records it cancelled, and the engine drops it: ask once.
  virtual bool Cancelled() noexcept = 0;
  // Decodes the reply body into the sink. Throws ProtocolError on a
  // malformed body, in which case nothing was delivered.
  virtual void Complete(Reader& body) = 0;
  virtual void Fail(std::exception_ptr error) noexcept = 0;

  // Tracing (trace.h): what to label its slice with, how many of its items
  // raised (once Complete() returned), and where it records its failure.
  virtual TaskLabel label() const { return {}; }
  std::uint64_t item_errors() const { return item_errors_; }
  void set_trace(Trace* trace, int pool) { trace_ = {trace, pool, id_}; }

 protected:
  std::string frame_;
  std::uint64_t item_errors_ = 0;
  TraceTag trace_;

 private:
  std::uint64_t id_ = 0;
  std::chrono::steady_clock::time_point sent_at_;
  std::chrono::nanoseconds timeout_{0};
};

template <class C>
class ProcessChunkJob final : public ProcessJob {
 public:
  using T = Stored<typename C::R>;

  // Encodes items [first, last) (each converted to C::Item) into a frame.
  template <class It>
  ProcessChunkJob(typename C::Traits::Ptr fn, It first, It last,
                  std::size_t first_index, std::shared_ptr<Sink<T>> sink)
      : sink_(std::move(sink)), first_(first_index) {
    StartFrame(frame_, 0);
    Writer w(frame_);
    w.write_raw<std::uint64_t>(
        reinterpret_cast<std::uintptr_t>(&InvokeChunk<C>));
    w.write_raw<std::uint64_t>(reinterpret_cast<std::uintptr_t>(fn));
    const std::size_t count_at = w.size();
    w.write_raw<std::uint64_t>(0);
    using Item = typename C::Item;
    if constexpr (kIsPlainData<Item> && std::contiguous_iterator<It> &&
                  std::is_same_v<std::iter_value_t<It>, Item>) {
      count_ = static_cast<std::uint64_t>(last - first);
      if (count_ > 0) w.write(std::to_address(first), count_ * sizeof(Item));
      if (count_ == 1) number_ = PlainNumber<Item>(*first);
    } else {
      for (; first != last; ++first, ++count_) {
        if (count_ == 0) number_ = PlainNumber<Item>(static_cast<Item>(*first));
        if constexpr (std::is_same_v<std::remove_cvref_t<decltype(*first)>,
                                     Item>) {
          Encode<Item>(w, *first);  // No copy when the types match.
        } else {
          Encode<Item>(w, static_cast<Item>(*first));
        }
      }
    }
    std::memcpy(frame_.data() + count_at, &count_, sizeof count_);
    FinishFrame(frame_);
  }

  void Complete(Reader& body) override {
    ChunkResult<T> chunk;
    const auto count = body.read_raw<std::uint64_t>();
    if (count != count_) {
      throw ProtocolError("reply has " + std::to_string(count) +
                          " items, the task had " + std::to_string(count_));
    }
    // count_ is what we sent, so sizing by it is safe.
    if constexpr (kIsPlainData<T>) {
      chunk.values.resize(count);
      const char* bytes = body.take(count * sizeof(T));
      if (count > 0) std::memcpy(chunk.values.data(), bytes, count * sizeof(T));
    } else {
      chunk.values.reserve(count);
      for (std::size_t i = 0; i < count; ++i) {
        chunk.values.push_back(Decode<T>(body));
      }
    }
    const std::size_t errors = body.read_count(3 * sizeof(std::uint64_t));
    for (std::size_t e = 0; e < errors; ++e) {
      const auto index = body.read_raw<std::uint64_t>();
      if (index >= count || (!chunk.errors.empty() &&
                             first_ + index <= chunk.errors.back().first)) {
        throw ProtocolError("reply names item " + std::to_string(index) +
                            " out of order or out of range");
      }
      chunk.errors.emplace_back(first_ + index,
                                std::make_exception_ptr(DecodeTaskError(body)));
    }
    if (body.remaining() != 0) {
      throw ProtocolError(std::to_string(body.remaining()) +
                          " unexpected bytes after a reply");
    }
    item_errors_ = chunk.errors.size();
    sink_->Deliver(first_, std::move(chunk));
  }

  bool Start() noexcept override {
    if (sink_->Start(first_)) return true;
    trace_.Cancelled();
    return false;
  }
  bool Cancelled() noexcept override {
    if (!sink_->Cancelled(first_)) return false;
    trace_.Cancelled();
    return true;
  }
  void Fail(std::exception_ptr error) noexcept override {
    // A cancelled chunk is resolved already (the sink ignores Fail).
    if (!Cancelled()) trace_.Failed(error);
    sink_->Fail(first_, count_, std::move(error));
  }

  TaskLabel label() const override {
    return {sink_->kind(), first_, count_, count_ == 1 && number_.has_value(),
            number_.value_or(0)};
  }

 private:
  std::shared_ptr<Sink<T>> sink_;
  std::size_t first_;
  std::uint64_t count_ = 0;
  std::optional<double> number_;  // The first item, if it is a number.
};

// A chunk for the thread pool: the items, kept as values.
class ThreadJob {
 public:
  virtual ~ThreadJob() = default;
  // Sink::Start for this chunk: false if it was cancelled (drop it; its
  // trace records it cancelled).
  virtual bool Start() noexcept = 0;
  virtual void Run() noexcept = 0;
  virtual void Fail(std::exception_ptr error) noexcept = 0;

  // Tracing, as for ProcessJob; `id` numbers the pool's jobs for the trace.
  virtual TaskLabel label() const { return {}; }
  std::uint64_t item_errors() const { return item_errors_; }
  void set_trace(Trace* trace, int pool, std::uint64_t id) {
    trace_ = {trace, pool, id};
  }
  std::uint64_t trace_id() const { return trace_.id; }

 protected:
  std::uint64_t item_errors_ = 0;
  TraceTag trace_;
};

template <class C>
class ThreadChunkJob final : public ThreadJob {
 public:
  using T = Stored<typename C::R>;
  using Item = typename C::Item;

  template <class It>
  ThreadChunkJob(typename C::Traits::Ptr fn, It first, It last,
                 std::size_t first_index, std::shared_ptr<Sink<T>> sink)
      : fn_(fn), sink_(std::move(sink)), first_(first_index) {
    // The first item is kept inline: an apply() has only that one, and its
    // job is then a single allocation.
    if (first != last) {
      head_.emplace(static_cast<Item>(*first));
      for (++first; first != last; ++first) {
        tail_.push_back(static_cast<Item>(*first));
      }
    }
  }

  void Run() noexcept override {
    if (head_ && tail_.empty()) {
      // One item: a value goes to the sink as it is, with no ChunkResult.
      try {
        sink_->DeliverOne(first_, C::Run(fn_, *head_));
        return;
      } catch (...) {
        ChunkResult<T> chunk;
        chunk.values.emplace_back();
        chunk.errors.emplace_back(
            first_, std::make_exception_ptr(CurrentExceptionAsTaskError()));
        item_errors_ = 1;
        sink_->Deliver(first_, std::move(chunk));
        return;
      }
    }
    ChunkResult<T> chunk;
    chunk.values.reserve(size());
    for (std::size_t i = 0; i < size(); ++i) {
      try {
        chunk.values.push_back(C::Run(fn_, i == 0 ? *head_ : tail_[i - 1]));
      } catch (...) {
        chunk.values.emplace_back();
        chunk.errors.emplace_back(
            first_ + i, std::make_exception_ptr(CurrentExceptionAsTaskError()));
      }
    }
    item_errors_ = chunk.errors.size();
    sink_->Deliver(first_, std::move(chunk));
  }

  bool Start() noexcept override {
    if (sink_->Start(first_)) return true;
    trace_.Cancelled();
    return false;
  }

  void Fail(std::exception_ptr error) noexcept override {
    // A cancelled chunk is resolved already (the sink ignores Fail).
    if (sink_->Cancelled(first_)) {
      trace_.Cancelled();
    } else {
      trace_.Failed(error);
    }
    sink_->Fail(first_, size(), std::move(error));
  }

  TaskLabel label() const override {
    std::optional<double> number;
    if (size() == 1) number = PlainNumber(*head_);
    return {sink_->kind(), first_, size(), number.has_value(),
            number.value_or(0)};
  }

 private:
  std::size_t size() const { return head_ ? 1 + tail_.size() : 0; }

  typename C::Traits::Ptr fn_;
  std::optional<Item> head_;  // The first item.
  std::vector<Item> tail_;    // The others.
  std::shared_ptr<Sink<T>> sink_;
  std::size_t first_;
};

}  // namespace pool::internal

#endif  // POOL_INTERNAL_JOB_H_
