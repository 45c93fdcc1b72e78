// pool/pool.h: a process pool with the API of Python's multiprocessing.Pool.
//
//   pool::Pool pool(4);                              // Pool(processes=4)
//   int r = pool.apply(square, 7);                   // apply(square, (7,))
//   auto a = pool.apply_async(square, std::tuple{7});  // apply_async
//   std::vector<int> v = pool.map(square, xs);       // map
//   for (int x : pool.imap(square, xs)) ...          // imap
//   pool.close(); pool.join();
//
// Processes. The constructor forks a fork server, which forks the workers
// (see internal/worker.h for why), and waits until all are running. Each
// worker runs tasks one at a time; the parent's handler thread feeds them
// through pipes. pool/README.md describes the processes, pipes, message
// framing, the life of a task and the shutdown sequence in one place.
//
// Tasks. A task is a plain function or a captureless lambda: the worker is
// a separate process, so only the function's address and its encoded
// arguments cross over, never captured state (Python requires a picklable
// top-level function for the same reason). Arguments and results need a
// pool::Codec (pool/codec.h); the common standard types have one.
//
// Callbacks run in the parent, on the pool's handler thread, one at a time,
// as in Python: keep them short. A callback may submit more work and may
// call close() or terminate(). It cannot wait for the same pool: the thread
// it runs on is the one that would deliver what it waits for. So in a
// callback, get(), wait() and next() on a result of the same pool that is
// not ready yet, apply(), map(), starmap() and join() of the same pool
// throw UsageError instead of deadlocking (a result that is already ready
// is returned normally; a zero timeout only looks). Destroying the pool in
// one of its callbacks aborts the program with a message saying why: the
// destructor would have to wait for the callback itself. If a callback
// throws, the pool keeps working and that result fails with CallbackError.
// A ThreadPool's callbacks run on its threads, and the same rules apply. (A
// ThreadPool *task* that waits for its own pool is not refused: as in
// Python, that works while another thread is free to run what it waits
// for.)
//
// Lifetime. THE DESTRUCTOR CALLS terminate(), exactly like leaving Python's
// `with Pool() as pool:` block (CPython gh-74140): work still queued or
// running is cancelled, not finished. To finish it, call close() and join()
// first, or get() every result you need.
//
// Differences from Python, each deliberate:
//   * A worker that dies (killed, crashed, exit()) fails only the task it
//     was running, with WorkerDiedError naming the signal or exit status,
//     and is replaced. Python's Pool hangs forever instead (bpo-22393).
//   * After terminate(), every unfinished result resolves with
//     CancelledError; Python's stay pending forever.
//   * map() reports the failure with the lowest input index, not the first
//     to arrive, and a failing item does not stop the rest of its chunk.
//   * imap() reads its input lazily, a bounded window ahead of the consumer
//     (CPython's reads it all at once; gh-64192). So after close() or
//     terminate(), an imap made before submits no more of its input: what
//     it had submitted still arrives, then one CancelledError stands for
//     the rest and the iteration ends.
//   * terminate() uses SIGKILL, which a task cannot ignore (Python: SIGTERM).
//   * A failing initializer makes the constructor throw InitializerError
//     (Python restarts the failing worker forever).
//   * A worker starts with only stdin, stdout, stderr and its own two pipes
//     open; other descriptors of the parent are closed in it.
//   * Workers are forked from the fork server, so they see the program's
//     memory as it was when the Pool was constructed.
//
// Thread safety: every method may be called from any thread. Fork safety:
// construct pools before starting threads of your own when you can; see
// internal/worker.h.
//
// fork(). A pool belongs to the process that created it: its workers, fork
// server and handler thread are that process's. In a forked child (and in
// the pool's own workers) the copy of a Pool or ThreadPool is inert, as
// CPython's per-pid finalizers make it: every method throws UsageError
// ("create a new Pool in this process"), and its destructor does nothing —
// it neither stops the parent's workers nor touches a lock or thread the
// fork copied (another thread may have held the lock at that moment, and
// the thread does not exist in the child). Its memory is left as it is, and
// its copies of the pool's pipes stay open until the child exits or calls
// exec() (they are close-on-exec). Results and imap iterators obtained in
// the parent: see async_result.h. A child may create and use pools of its
// own.

#ifndef POOL_POOL_H_
#define POOL_POOL_H_

#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "pool/async_result.h"
#include "pool/errors.h"
#include "pool/internal/job.h"
#include "pool/internal/process_engine.h"
#include "pool/internal/thread_engine.h"

namespace pool {

// Construction options, like Python's Pool(processes, initializer, initargs,
// maxtasksperchild).
struct Options {
  // Number of workers; 0 means one per CPU (Python's processes=None).
  int processes = 0;
  // Runs once in each worker before its first task. Unlike a task it may be
  // any callable, captures included: it runs in a fork of the parent, which
  // has a copy of everything it captured. Bind arguments by capturing them
  // (Python's initargs): [=] { Setup(path, level); }.
  std::function<void()> initializer;
  // A worker exits after this many tasks and is replaced; 0 means never. A
  // map chunk counts as one task, as in Python. Negative: UsageError. (Pool
  // only.)
  int maxtasksperchild = 0;
};

// The number of CPUs, as Python's os.cpu_count(); at least 1.
int CpuCount();

// The callback types: callback(result) on success, error_callback(error) on
// failure. For a function returning void the callback takes no argument.
template <class R>
struct CallbackOf {
  using type = std::function<void(const R&)>;
};
template <>
struct CallbackOf<void> {
  using type = std::function<void()>;
};
template <class R>
using Callback = typename CallbackOf<R>::type;
using ErrorCallback = std::function<void(const Error&)>;

namespace internal {

// Turns a task into a plain function pointer, or fails to compile with a
// message that says why.
template <class F>
constexpr auto ToFunctionPointer(F f) {
  if constexpr (std::is_pointer_v<F> &&
                std::is_function_v<std::remove_pointer_t<F>>) {
    return f;
  } else {
    constexpr bool kConvertible = requires(F g) { +g; };
    static_assert(kConvertible && std::is_empty_v<F>,
                  "a pool task must be a plain function or a captureless "
                  "lambda with concrete parameter types: it runs in another "
                  "process, where captured state does not exist. Pass the "
                  "captured values as arguments instead.");
    return +f;
  }
}

template <class F>
using FnPtr = decltype(ToFunctionPointer(std::declval<F>()));
template <class F>
using ResultOf = typename FnTraits<FnPtr<F>>::Result;

void CheckMaxTasksPerChild(int maxtasksperchild);

// The engines behind Pool and ThreadPool, with the job type each runs.
struct ProcessBackend {
  using Engine = ProcessEngine;
  using JobBase = ProcessJob;
  template <class C>
  using Job = ProcessChunkJob<C>;
  static constexpr const char* kName = "Pool";
  static std::unique_ptr<Engine> Start(const Options& o, int processes) {
    CheckMaxTasksPerChild(o.maxtasksperchild);
    return std::make_unique<Engine>(
        processes, WorkerConfig{o.initializer, o.maxtasksperchild});
  }
};
struct ThreadBackend {
  using Engine = ThreadEngine;
  using JobBase = ThreadJob;
  template <class C>
  using Job = ThreadChunkJob<C>;
  static constexpr const char* kName = "ThreadPool";
  static std::unique_ptr<Engine> Start(const Options& o, int processes) {
    if (o.maxtasksperchild != 0) {
      throw UsageError("maxtasksperchild is not supported by ThreadPool");
    }
    return std::make_unique<Engine>(processes, o.initializer);
  }
};

// Adapts a Callback<R> to the callback of the stored value type.
template <class R>
typename Future<Stored<R>>::Callback AdaptCallback(Callback<R> cb) {
  if (!cb) return nullptr;
  if constexpr (std::is_void_v<R>) {
    return [cb = std::move(cb)](const Unit&) { cb(); };
  } else {
    return cb;
  }
}

// Python's default map chunksize: len / (4 * processes), rounded up.
std::size_t DefaultChunksize(std::size_t items, int processes);
std::size_t CheckChunksize(std::optional<int> chunksize);
int CheckProcesses(int processes);

// The UsageError for `kind::method` (e.g. "Pool", "map()") called in a
// process other than `creator`, the one that created the pool.
[[noreturn]] void ThrowForeignPool(const char* kind, const char* method,
                                   pid_t creator);
// The UsageError for a blocking `kind::method` called in a callback of the
// same pool.
[[noreturn]] void ThrowBlockingInCallback(const char* kind, const char* method);
// For a pool destroyed in one of its own callbacks: says why, then aborts.
[[noreturn]] void AbortDestroyedInCallback(const char* kind) noexcept;
// Keeps `engine` from ever being destroyed (and reachable, so that leak
// checkers do not report it): for a pool destroyed in a forked child, where
// its destructor would wait for threads and locks of the parent.
void Abandon(std::shared_ptr<void> engine) noexcept;

template <class T>
struct IsTuple : std::false_type {};
template <class... T>
struct IsTuple<std::tuple<T...>> : std::true_type {};

}  // namespace internal

// The API shared by Pool (processes) and ThreadPool (threads).
template <class Backend>
class BasicPool {
 public:
  // Starts Options::processes workers (0: one per CPU).
  // Throws UsageError if Options::processes < 0.
  explicit BasicPool(const Options& options)
      : creator_(internal::CurrentPid()),
        engine_(Backend::Start(
            options, options.processes == 0
                         ? CpuCount()
                         : internal::CheckProcesses(options.processes))) {}
  // Starts `processes` workers. Throws UsageError if processes < 1.
  explicit BasicPool(int processes)
      : creator_(internal::CurrentPid()),
        engine_(
            Backend::Start(Options{}, internal::CheckProcesses(processes))) {}

  // Terminates: see the comment at the top of this file. In a forked child,
  // does nothing (see "fork()" there).
  ~BasicPool() {
    if (creator_ != internal::CurrentPid()) {
      internal::Abandon(std::move(engine_));
    } else if (internal::InCallbackOf(engine_.get())) {
      internal::AbortDestroyedInCallback(Backend::kName);
    }
  }
  BasicPool(const BasicPool&) = delete;
  BasicPool& operator=(const BasicPool&) = delete;

  // --- apply -----------------------------------------------------------------

  // Calls fn(args...) in a worker and waits for the result, like Python's
  // apply(func, args). Throws the task's error.
  template <class F, class... A>
  internal::ResultOf<F> apply(F fn, std::tuple<A...> args) {
    CheckCanBlock("apply()");
    auto result = SubmitApply(fn, std::move(args), nullptr, nullptr,
                              /*blocking=*/true);
    if constexpr (std::is_void_v<internal::ResultOf<F>>) {
      std::move(result).take("apply()");
    } else {
      return std::move(result).take("apply()");
    }
  }
  // Convenience: apply(fn, a, b) is apply(fn, std::tuple{a, b}).
  template <class F, class... A>
  requires(!(sizeof...(A) == 1 &&
             (internal::IsTuple<std::decay_t<A>>::value &&
              ...))) internal::ResultOf<F> apply(F fn, A&&... args) {
    return apply(fn, std::tuple<std::decay_t<A>...>(std::forward<A>(args)...));
  }

  // Submits fn(args...) and returns at once, like Python's apply_async. The
  // callback gets the result, the error_callback the error; see the top of
  // this file for where they run.
  template <class F, class... A>
  AsyncResult<internal::ResultOf<F>> apply_async(
      F fn, std::tuple<A...> args = {},
      Callback<internal::ResultOf<F>> callback = nullptr,
      ErrorCallback error_callback = nullptr) {
    CheckCreator("apply_async()");
    return SubmitApply(fn, std::move(args), std::move(callback),
                       std::move(error_callback), /*blocking=*/false);
  }

  // --- map / starmap ---------------------------------------------------------

  // Calls fn(x) for every x of `items` in the workers and returns the results
  // in order, like Python's map. chunksize: items per task; by default
  // Python's len / (4 * processes), rounded up.
  template <class F, std::ranges::forward_range Items>
  std::vector<internal::Stored<internal::ResultOf<F>>> map(
      F fn, const Items& items, std::optional<int> chunksize = std::nullopt) {
    CheckCanBlock("map()");
    return std::move(map_async(fn, items, chunksize)).take("map()");
  }
  template <class F, class T>
  std::vector<internal::Stored<internal::ResultOf<F>>> map(
      F fn, std::initializer_list<T> items,
      std::optional<int> chunksize = std::nullopt) {
    CheckCanBlock("map()");
    return std::move(map_async(fn, items, chunksize)).take("map()");
  }

  // map() without waiting: returns a MapResult whose get() is the vector.
  // The callback gets the whole vector; the error_callback the error of the
  // lowest failing index.
  template <class F, std::ranges::forward_range Items>
  MapResult<internal::ResultOf<F>> map_async(
      F fn, const Items& items, std::optional<int> chunksize = std::nullopt,
      Callback<std::vector<internal::Stored<internal::ResultOf<F>>>> callback =
          nullptr,
      ErrorCallback error_callback = nullptr) {
    CheckCreator("map_async()");
    return MapImpl<internal::CallStyle::kOne>(
        fn, items, chunksize, std::move(callback), std::move(error_callback));
  }
  template <class F, class T>
  MapResult<internal::ResultOf<F>> map_async(
      F fn, std::initializer_list<T> items,
      std::optional<int> chunksize = std::nullopt,
      Callback<std::vector<internal::Stored<internal::ResultOf<F>>>> callback =
          nullptr,
      ErrorCallback error_callback = nullptr) {
    CheckCreator("map_async()");
    return MapImpl<internal::CallStyle::kOne>(
        fn, items, chunksize, std::move(callback), std::move(error_callback));
  }

  // Like map, but each item is a tuple unpacked into the call:
  // starmap(f, {{1, 2}, {3, 4}}) is {f(1, 2), f(3, 4)}.
  template <class F, std::ranges::forward_range Items>
  std::vector<internal::Stored<internal::ResultOf<F>>> starmap(
      F fn, const Items& items, std::optional<int> chunksize = std::nullopt) {
    CheckCanBlock("starmap()");
    return std::move(starmap_async(fn, items, chunksize)).take("starmap()");
  }
  template <class F, std::ranges::forward_range Items>
  MapResult<internal::ResultOf<F>> starmap_async(
      F fn, const Items& items, std::optional<int> chunksize = std::nullopt,
      Callback<std::vector<internal::Stored<internal::ResultOf<F>>>> callback =
          nullptr,
      ErrorCallback error_callback = nullptr) {
    CheckCreator("starmap_async()");
    return MapImpl<internal::CallStyle::kStar>(
        fn, items, chunksize, std::move(callback), std::move(error_callback));
  }

  // --- imap ------------------------------------------------------------------

  // A lazy map: results come out one at a time, in input order. Input is
  // read only as results are consumed, at most `buffersize` chunks ahead
  // (default: 32 per worker), so an endless or huge range is fine. An lvalue
  // range must outlive the iterator; an rvalue one is moved in. Throws
  // UsageError("Pool not running") after close() or terminate(), as Python
  // does. If reading the input throws, see IMapIterator::next().
  template <class F, std::ranges::input_range Items>
  IMapIterator<internal::ResultOf<F>> imap(F fn, Items&& items,
                                           int chunksize = 1,
                                           int buffersize = 0) {
    CheckCreator("imap()");
    return IMapImpl(/*ordered=*/true, fn, std::forward<Items>(items), chunksize,
                    buffersize);
  }
  // Like imap, but results come out as they finish.
  template <class F, std::ranges::input_range Items>
  IMapIterator<internal::ResultOf<F>> imap_unordered(F fn, Items&& items,
                                                     int chunksize = 1,
                                                     int buffersize = 0) {
    CheckCreator("imap_unordered()");
    return IMapImpl(/*ordered=*/false, fn, std::forward<Items>(items),
                    chunksize, buffersize);
  }

  // --- lifetime --------------------------------------------------------------

  // Stops accepting work; queued work still runs, then the workers exit.
  // Idempotent.
  void close() {
    CheckCreator("close()");
    running_ = false;
    engine_->Close();
  }
  // Stops now: workers are killed (threads of a ThreadPool finish their
  // current task), unfinished results fail with CancelledError. Returns
  // when no worker is left; from a callback, returns at once and the pool
  // stops when the callback returns.
  void terminate() {
    CheckCreator("terminate()");
    running_ = false;
    engine_->Terminate();
  }
  // Waits for the workers to exit. Throws UsageError("Pool is still
  // running") before close() or terminate(), and from a callback.
  void join() {
    CheckCreator("join()");
    engine_->Join();
  }

  // The number of workers.
  int processes() const {
    CheckCreator("processes()");
    return engine_->processes();
  }

 protected:
  typename Backend::Engine& engine(const char* method) {
    CheckCreator(method);
    return *engine_;
  }

 private:
  // UsageError unless called in the process that created the pool.
  void CheckCreator(const char* method) const {
    if (creator_ != internal::CurrentPid()) {
      internal::ThrowForeignPool(Backend::kName, method, creator_);
    }
  }
  // For the blocking calls: UsageError in a callback of this pool, before
  // anything is submitted.
  void CheckCanBlock(const char* method) const {
    CheckCreator(method);
    if (internal::InCallbackOf(engine_.get())) {
      internal::ThrowBlockingInCallback(Backend::kName, method);
    }
  }
  internal::Origin origin() const { return {engine_.get(), creator_}; }

  // apply_async(), and apply() with `blocking`: the engine may then run the
  // call from this thread (ProcessEngine::Apply).
  template <class F, class... A>
  AsyncResult<internal::ResultOf<F>> SubmitApply(
      F fn, std::tuple<A...> args, Callback<internal::ResultOf<F>> callback,
      ErrorCallback error_callback, bool blocking) {
    using R = internal::ResultOf<F>;
    using C = internal::Call<internal::FnPtr<F>, internal::CallStyle::kStar>;
    auto state = std::make_shared<internal::ApplyState<internal::Stored<R>>>(
        origin(), internal::AdaptCallback<R>(std::move(callback)),
        std::move(error_callback));
    typename C::Item item(std::move(args));
    auto job = std::make_unique<typename Backend::template Job<C>>(
        internal::ToFunctionPointer(fn), &item, &item + 1, 0, state);
    if (blocking) {
      engine_->Apply(std::move(job));
    } else {
      engine_->Submit(std::move(job));
    }
    return AsyncResult<R>(std::move(state));
  }

  template <internal::CallStyle kStyle, class F, class Items, class CB>
  MapResult<internal::ResultOf<F>> MapImpl(F fn, const Items& items,
                                           std::optional<int> chunksize,
                                           CB callback,
                                           ErrorCallback error_callback) {
    using R = internal::ResultOf<F>;
    using T = internal::Stored<R>;
    using C = internal::Call<internal::FnPtr<F>, kStyle>;
    const std::size_t size =
        static_cast<std::size_t>(std::ranges::distance(items));
    const std::size_t chunk =
        chunksize ? internal::CheckChunksize(chunksize)
                  : internal::DefaultChunksize(size, processes());
    const std::size_t chunks = size == 0 ? 0 : (size + chunk - 1) / chunk;
    auto state = std::make_shared<internal::MapState<T>>(
        origin(), size, chunks, std::move(callback), std::move(error_callback));
    if (size == 0) {
      state->Finish();
      return MapResult<R>(std::move(state));
    }
    std::vector<std::unique_ptr<typename Backend::JobBase>> jobs;
    jobs.reserve(chunks);
    auto it = std::ranges::begin(items);
    const auto end = std::ranges::end(items);
    for (std::size_t first = 0; first < size; first += chunk) {
      auto next =
          std::ranges::next(it, static_cast<std::ptrdiff_t>(chunk), end);
      jobs.push_back(std::make_unique<typename Backend::template Job<C>>(
          internal::ToFunctionPointer(fn), it, next, first, state));
      it = next;
    }
    engine_->Submit(std::move(jobs));
    return MapResult<R>(std::move(state));
  }

  template <class F, class Items>
  IMapIterator<internal::ResultOf<F>> IMapImpl(bool ordered, F fn,
                                               Items&& items, int chunksize,
                                               int buffersize) {
    using R = internal::ResultOf<F>;
    using T = internal::Stored<R>;
    using C = internal::Call<internal::FnPtr<F>, internal::CallStyle::kOne>;
    using State = internal::IMapState<T>;
    const std::size_t chunk = internal::CheckChunksize(chunksize);
    if (buffersize < 0) {
      throw UsageError("buffersize must be 1+ (or 0 for the default), not " +
                       std::to_string(buffersize));
    }
    // Python checks at the call; the engine would only say so when the
    // first chunk is submitted.
    if (!running_) {
      throw UsageError("Pool not running");
    }
    const std::size_t window =
        chunk * static_cast<std::size_t>(buffersize > 0 ? buffersize
                                                        : 32 * processes());
    auto state = std::make_shared<State>(origin(), ordered, window);
    // The feed owns the range (or a view of it) and its position, and holds
    // the engine weakly: an iterator that outlives its pool gets "Pool not
    // running", not a dangling pointer. The input is first touched (begin())
    // by the first read, so that whatever it throws is reported like any
    // later failure of the input, by next().
    auto view = std::views::all(std::forward<Items>(items));
    using View = decltype(view);
    struct Feed {
      View view;
      std::optional<std::ranges::iterator_t<View>> it;
      std::size_t next_index = 0;
    };
    auto feed = std::make_shared<Feed>(Feed{std::move(view), {}, 0});
    std::weak_ptr<typename Backend::Engine> weak = engine_;
    const auto fptr = internal::ToFunctionPointer(fn);
    state->set_feed(
        [feed, weak, fptr, chunk](const std::shared_ptr<State>& self) {
          // Read up to one chunk. If the input throws, the elements read before
          // it are still submitted, and the exception ends the input there.
          std::vector<typename C::Item> items;
          typename State::Step step;
          try {
            if (!feed->it) feed->it.emplace(std::ranges::begin(feed->view));
            auto& it = *feed->it;
            const auto end = std::ranges::end(feed->view);
            while (items.size() < chunk && it != end) {
              items.push_back(static_cast<typename C::Item>(*it));
              ++it;
            }
            step.more = items.size() == chunk;
          } catch (...) {
            step.error = std::current_exception();
          }
          if (!items.empty()) {
            auto engine = weak.lock();
            if (!engine) throw UsageError("Pool not running");
            std::vector<std::unique_ptr<typename Backend::JobBase>> jobs;
            jobs.push_back(std::make_unique<typename Backend::template Job<C>>(
                fptr, items.begin(), items.end(), feed->next_index, self));
            engine->Submit(std::move(jobs));
            feed->next_index += items.size();
            self->AddSubmitted(items.size());
          }
          return step;
        });
    return IMapIterator<R>(std::move(state));
  }

  // Declared before engine_: the fork server and the workers are forked
  // while engine_ is being constructed, and their copy of the pool must
  // already know that it is not theirs.
  const pid_t creator_;
  std::shared_ptr<typename Backend::Engine> engine_;
  std::atomic<bool> running_{true};  // Until close() or terminate().
};

// A pool of worker processes. See the top of this file.
class Pool : public BasicPool<internal::ProcessBackend> {
 public:
  using BasicPool::BasicPool;
  // One worker per CPU.
  Pool() : BasicPool(Options{}) {}

  // The pids of the live workers (for lessons and tests).
  std::vector<pid_t> worker_pids() {
    return engine("worker_pids()").WorkerPids();
  }
};

// A pool of threads with the same API and result types, like Python's
// multiprocessing.pool.ThreadPool. Tasks follow the same rule (a plain
// function or captureless lambda), so one program can switch between the
// two and compare them like for like; nothing is encoded, so argument and
// result types need no Codec.
class ThreadPool : public BasicPool<internal::ThreadBackend> {
 public:
  using BasicPool::BasicPool;
  ThreadPool() : BasicPool(Options{}) {}
};

}  // namespace pool

#endif  // POOL_POOL_H_
