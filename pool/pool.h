// pool/pool.h: a process pool with the API of Python's multiprocessing.Pool.
//
//   ```cpp
//   pool::Pool pool(4);                                // Pool(processes=4)
//   int r = pool.apply(square, 7);                     // apply(square, (7,))
//   auto a = pool.apply_async(square, std::tuple{7});  // apply_async
//   std::vector<int> v = pool.map(square, xs);         // map(square, xs)
//   auto m = pool.map_async(square, xs,                // map_async(square, xs,
//                           {.chunksize = 8,           //   chunksize=8,
//                            .callback = [](const std::vector<int>&) {}});
//   for (int x : pool.imap(square, xs)) r += x;        // imap(square, xs)
//   pool.close();
//   pool.join();
//   ```
//
// Python's keyword arguments are options structs written with designated
// initializers, in Python's order: see "Keyword arguments" below.
//
// Processes. The constructor forks a fork server, which forks the workers
// (pool/README.md says why), and waits until all are running. Each
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
// pool/README.md ("Fork safety").
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

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ranges>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

// task.h first, so that a compile error in a call (reported from task.h)
// shows one line of include chain, not five.
// clang-format off
#include "pool/internal/task.h"
// clang-format on
#include "pool/async_result.h"
#include "pool/codec.h"
#include "pool/errors.h"
#include "pool/internal/arguments.h"
#include "pool/internal/backend.h"
#include "pool/internal/context.h"
#include "pool/internal/misuse.h"
#include "pool/internal/result_state.h"

namespace pool {

// Construction options: Python's Pool(processes, initializer, initargs,
// maxtasksperchild). An option left unset takes Python's default; one that
// is set must be at least 1, or the constructor throws UsageError.
struct Options {
  // The number of workers. Unset: one per CPU (Python's processes=None,
  // os.cpu_count()). Below 1: UsageError("Number of processes must be at
  // least 1"), as Python raises ValueError for Pool(0).
  std::optional<int> processes{};
  // Runs once in each worker before its first task. Unlike a task it may be
  // any callable, captures included: it runs in a fork of the parent, which
  // has a copy of everything it captured. Bind arguments by capturing them
  // (Python's initargs): [=] { Setup(path, level); }.
  std::function<void()> initializer{};
  // A worker exits after this many tasks and is replaced. Unset: never
  // (Python's None). A map chunk counts as one task, as in Python. Below 1:
  // UsageError. Pool only; a ThreadPool throws UsageError if it is set.
  std::optional<int> maxtasksperchild{};

  // Resource limits of each worker, set with setrlimit() in the worker
  // before its initializer runs. Not in Python. A task that exceeds one
  // fails alone, with the reason; the rest of the pool is untouched.
  // Pool only: a ThreadPool throws UsageError if one is set (its threads
  // share the program's limits). 0: UsageError.
  //
  // memory_limit: the bytes of address space each worker may map
  // (RLIMIT_AS), everything included: the copy of this program that the
  // worker starts as, stacks, the pool's buffers, the task's data. An
  // allocation beyond it fails, so a task's std::bad_alloc becomes its
  // TaskError and the worker goes on. It must exceed what this process
  // maps already, or the constructor throws UsageError saying how much
  // that is. It is set as the hard limit too, so a task cannot lift it
  // (unless it has CAP_SYS_RESOURCE, as root outside a container does: a
  // privileged task can raise any limit). (The sanitizer runtimes reserve
  // terabytes of address space: under ASan or TSan no useful value exists.)
  std::optional<std::size_t> memory_limit{};
  // cpu_time_limit: the CPU time one task (a map chunk) may use, in whole
  // seconds as RLIMIT_CPU counts it (a task gets up to a second more).
  // Past it the kernel kills the worker with SIGXCPU: the task fails with
  // WorkerDiedError ("... SIGXCPU: CPU time limit exceeded") and the worker
  // is replaced. RLIMIT_CPU counts the whole worker's time, so before each
  // task the worker moves its soft limit to the time used so far plus this
  // budget (a system call or two per task), under a hard limit of twice the
  // budget plus 2 s that a task cannot raise (the same exception as above;
  // a task that ignores SIGXCPU is SIGKILLed there). A worker too close to
  // that hard limit to give a task a whole budget retires before it and is
  // replaced, so that no task pays for the CPU time of those before it. For
  // wall-clock time (a task that sleeps or waits), use a task's `.timeout`.
  std::optional<std::chrono::seconds> cpu_time_limit{};

  // Record what the pool does and write it to this file, in Chrome's Trace
  // Event Format (open it in ui.perfetto.dev, or draw it with
  // tools/trace_view.py; pool/README.md, "Tracing", describes it). Empty:
  // the path in the environment variable POOL_TRACE, if set; otherwise no
  // tracing, at the cost of one branch per event. The file is written, by
  // this process, when the pool is terminated (terminate(), or the
  // destructor) and when join() returns, each time with everything
  // recorded so far, including tasks whose worker died. Pools alive at the
  // same time with the same path share the file (lesson 11 draws a Pool
  // and a ThreadPool side by side); a pool given the path after those are
  // gone writes PATH with ".2" (".3", ...) before the extension; a forked
  // child writes PATH.PID. A file that cannot be written is reported on
  // stderr and does not fail the pool.
  std::string trace{};
};

// The number of CPUs, as Python's os.cpu_count(); at least 1.
int CpuCount();

// A callback: callback(result) on success. It takes the result as
// `const R&`, or nothing when R is void. Anything callable that way
// converts to it; anything else is a compile error that says so.
template <class R>
class Callback {
  using Function = typename internal::CallbackFunction<R>::type;
  // Whether G can be called with the result (internal::Checked's verdict).
  template <class G>
  static constexpr bool Fits() {
    if constexpr (std::is_void_v<R>) {
      return std::is_invocable_v<G&>;
    } else {
      return std::is_invocable_v<G&, const R&>;
    }
  }
  template <class G>
  using Check = std::conditional_t<
      Fits<G>(), internal::Fine,
      internal::Verdict<internal::Problem::kCallbackType, R>>;

 public:
  Callback() = default;
  Callback(std::nullptr_t) {}  // NOLINT: "no callback", as Python's None.
  template <class G>
  requires(!std::is_same_v<std::remove_cvref_t<G>, Callback> &&
           !std::is_same_v<std::remove_cvref_t<G>, std::nullptr_t>)
      Callback(G&& g)  // NOLINT: converts like std::function.
      : function_(internal::Checked<Check<G>, Function>(
            [&](auto) { return Function(std::forward<G>(g)); })) {}
  explicit operator bool() const { return static_cast<bool>(function_); }
  // The std::function it holds (empty if none).
  const Function& function() const& { return function_; }
  Function function() && { return std::move(function_); }

 private:
  Function function_;
};

// An error_callback: error_callback(error) on failure, with the pool::Error
// (see errors.h) the result fails with.
class ErrorCallback {
  using Function = std::function<void(const Error&)>;
  template <class G>
  using Check = std::conditional_t<
      std::is_invocable_v<G&, const Error&>, internal::Fine,
      internal::Verdict<internal::Problem::kErrorCallbackType, G>>;

 public:
  ErrorCallback() = default;
  ErrorCallback(std::nullptr_t) {}  // NOLINT: "no callback".
  template <class G>
  requires(!std::is_same_v<std::remove_cvref_t<G>, ErrorCallback> &&
           !std::is_same_v<std::remove_cvref_t<G>, std::nullptr_t>)
      ErrorCallback(G&& g)  // NOLINT: converts like std::function.
      : function_(internal::Checked<Check<G>, Function>(
            [&](auto) { return Function(std::forward<G>(g)); })) {}
  explicit operator bool() const { return static_cast<bool>(function_); }
  const Function& function() const& { return function_; }
  Function function() && { return std::move(function_); }

 private:
  Function function_;
};

// A task's time limit, the `.timeout` of every method that submits work:
// any std::chrono duration (`{.timeout = 200ms}`, `{.timeout = 1.5s}`),
// rounded up to whole nanoseconds; durations beyond 100 years count as 100
// years. Zero or negative: UsageError when the call is made. The rules are
// under "Timeouts" below.
class Timeout {
 public:
  template <class Rep, class Period>
  Timeout(std::chrono::duration<Rep, Period> d)  // NOLINT: converts.
      : ns_(Clamp(d)) {}
  std::chrono::nanoseconds duration() const { return ns_; }

 private:
  template <class Rep, class Period>
  static std::chrono::nanoseconds Clamp(std::chrono::duration<Rep, Period> d) {
    // Compared as doubles, so that no unit's range overflows.
    constexpr std::chrono::hours kMax{24 * 365 * 100};
    const std::chrono::duration<double> seconds = d;
    if (seconds >= kMax) return kMax;
    if (seconds <= -kMax) return -kMax;
    return std::chrono::ceil<std::chrono::nanoseconds>(d);
  }

  std::chrono::nanoseconds ns_;
};

// --- Keyword arguments
// ---------------------------------------------------------
//
// Python's keyword arguments are an options struct per method, written with
// designated initializers in Python's order (C++ requires the declared
// order). Leave out what you do not need:
//
//   ```cpp
//   pool::Pool pool(2);
//   auto r = pool.apply_async(square, std::tuple{7},
//                             {.error_callback = [](const pool::Error& e) {
//                               std::fprintf(stderr, "%s\n", e.what());
//                             }});
//   auto it = pool.imap_unordered(square, xs, {.chunksize = 4});
//   ```
//
// chunksize is a std::optional<int> everywhere: unset means the method's
// Python default, and a value below 1 throws UsageError("Chunksize must be
// 1+, not 0") when the call is made.
//
// Timeouts. `.timeout`, in every method's options, is not in Python's Pool
// (pebble's schedule(timeout=) is the nearest): a task that runs longer is
// killed, where AsyncResult::get(timeout) only stops waiting and leaves it
// running. The rules:
//   * The clock starts when the task starts in its worker: time spent in
//     the queue does not count. For map, starmap and imap the task is a
//     chunk, so the limit is per chunk of `chunksize` items.
//   * At the deadline the worker is SIGKILLed and replaced. That task, and
//     only it, fails with TaskTimeoutError (errors.h): error_callback gets
//     it, map fails at the chunk's first index as for any error, imap
//     yields it at each of the chunk's positions. Tasks queued behind it on
//     that worker go to another worker, as after any death.
//   * A task that finishes at its deadline has exactly one outcome: its
//     value if the whole reply left the worker before the parent stopped it
//     from starting another task, TaskTimeoutError otherwise.
//   * The pool's handler thread acts on the deadline, between callbacks: a
//     callback that runs long delays it (another reason to keep them
//     short).
//   * A ThreadPool cannot kill a thread: any `.timeout` given to it throws
//     UsageError when the call is made.
//   * With a timeout, apply() takes the handler thread's path (pool/
//     README.md, "Three choices that cost speed"), which can watch the
//     clock.
//
//   ```cpp
//   using namespace std::chrono_literals;
//   pool::Pool pool(2);
//   auto r = pool.apply_async(square, std::tuple{7}, {.timeout = 2s});
//   try {
//     std::printf("%d\n", r.get());
//   } catch (const pool::TaskTimeoutError& e) {
//     std::printf("%s\n", e.what());  // "task 1 ran past its timeout ..."
//   }
//   std::vector<int> v = pool.map(square, xs, {.timeout = 500ms});
//   ```

// apply(func, args, {timeout}).
struct ApplyOptions {
  std::optional<Timeout> timeout{};
};

// apply_async(func, args, {callback, error_callback, timeout}).
template <class R>
struct ApplyAsyncOptions {
  Callback<R> callback{};
  ErrorCallback error_callback{};
  std::optional<Timeout> timeout{};
};

// map / starmap(func, iterable, {chunksize, timeout}). Unset chunksize:
// Python's len(iterable) / (4 * processes), rounded up.
struct MapOptions {
  std::optional<int> chunksize{};
  std::optional<Timeout> timeout{};
};

// map_async / starmap_async(func, iterable, {chunksize, callback,
// error_callback}). The callback gets the whole std::vector of results
// (nothing, for a task returning void); the error_callback the error of the
// lowest failing index.
template <class R>
struct MapAsyncOptions {
  std::optional<int> chunksize{};
  Callback<std::conditional_t<std::is_void_v<R>, void, std::vector<R>>>
      callback{};
  ErrorCallback error_callback{};
  std::optional<Timeout> timeout{};
};

// imap / imap_unordered(func, iterable, {chunksize, buffersize, timeout}).
// Unset chunksize: 1, as in Python. buffersize: how many chunks may be
// submitted ahead of the consumer; unset: 32 per worker (see imap() below).
struct IMapOptions {
  std::optional<int> chunksize{};
  std::optional<int> buffersize{};
  std::optional<Timeout> timeout{};
};

// The API shared by Pool (processes) and ThreadPool (threads).
//
// Every method checks its arguments at compile time: a task that is not a
// plain function or a captureless lambda, arguments that do not fit its
// parameters, a type without a Codec (Pool only), a callback of the wrong
// type and options in the wrong place are each one compile error whose
// message says what is wrong ("pool: the task (first argument) has state:
// ..."). The catch-all overloads marked "misuse" below exist only for that.
template <class Backend>
class BasicPool {
  static constexpr bool kEncodes = Backend::kEncodes;
  static constexpr internal::CallStyle kOne = internal::CallStyle::kOne;
  static constexpr internal::CallStyle kStar = internal::CallStyle::kStar;
  template <class F>
  using R = internal::ResultOf<F>;
  // What map() returns: the results, or nothing for a task returning void.
  template <class F>
  using MapValue = std::conditional_t<std::is_void_v<R<F>>, void,
                                      std::vector<internal::Stored<R<F>>>>;
  // A braced list of items for task F: map(fn, {1, 2, 3}).
  template <class F, internal::CallStyle kStyle>
  using List = std::initializer_list<internal::ListItem<F, kStyle>>;
  // The compile-time checks of a call (internal/task.h); each public method
  // passes its check and its body to internal::Checked.
  template <class F, class... A>
  using ApplyCheck = internal::ApplyCheck<kEncodes, F, A...>;
  template <internal::CallStyle kStyle, bool kForward, class F, class Items>
  using MapCheck = internal::MapCheck<kEncodes, kStyle, kForward, F, Items>;
  template <internal::Problem kMisuse>
  using Misuse = internal::Verdict<kMisuse>;

 public:
  // Starts options.processes workers. Throws UsageError if an option is out
  // of range (see Options).
  explicit BasicPool(const Options& options)
      : creator_(internal::CurrentPid()),
        engine_(Backend::Start(
            internal::CheckProcesses(options.processes), options.initializer,
            options.maxtasksperchild,
            internal::CheckLimits(options.memory_limit, options.cpu_time_limit),
            options.trace)) {}
  // Starts `processes` workers, as Pool(processes) in Python. Throws
  // UsageError if processes < 1.
  explicit BasicPool(int processes)
      : BasicPool(Options{.processes = processes}) {}
  // One worker per CPU.
  BasicPool() : BasicPool(Options{}) {}

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
  // apply(func, args); `options.timeout` as under "Timeouts" above. Throws
  // the task's error.
  template <class F, class... A>
  R<F> apply(F fn, std::tuple<A...> args, ApplyOptions options = {}) {
    return internal::Checked<ApplyCheck<F, A...>, R<F>>([&](auto) {
      CheckCanBlock("apply()");
      // The engine may run it on this thread (ProcessEngine::Apply).
      return SubmitApply(fn, std::move(args),
                         {.timeout = std::move(options.timeout)},
                         /*blocking=*/true, "apply()")
          .take("apply()");
    });
  }
  // Convenience: apply(fn, a, b) is apply(fn, std::tuple{a, b}).
  template <class F, class... A>
  requires(!(sizeof...(A) == 1 &&
             (internal::IsTuple<std::decay_t<A>>::value && ...)) &&
           !(std::is_same_v<std::decay_t<A>, ApplyOptions> ||
             ...)) R<F> apply(F fn, A&&... args) {
    using Args = std::tuple<std::decay_t<A>...>;
    return internal::Checked<ApplyCheck<F, std::decay_t<A>...>, R<F>>(
        [&](auto) { return apply(fn, Args(std::forward<A>(args)...)); });
  }

  // Submits fn(args...) and returns at once, like Python's
  // apply_async(func, args, callback=..., error_callback=...). See the top
  // of this file for where the callbacks run.
  template <class F, class... A>
  AsyncResult<R<F>> apply_async(F fn, std::tuple<A...> args = {},
                                ApplyAsyncOptions<R<F>> options = {}) {
    return internal::Checked<ApplyCheck<F, A...>, AsyncResult<R<F>>>([&](auto) {
      CheckCreator("apply_async()");
      return SubmitApply(fn, std::move(args), std::move(options),
                         /*blocking=*/false, "apply_async()");
    });
  }
  // Misuse: arguments not as a std::tuple, or callbacks outside the options.
  template <class F, class... Rest>
  requires(!internal::ApplyAsyncFits<ApplyAsyncOptions<R<F>>, Rest...>::value)
      AsyncResult<R<F>> apply_async(F, Rest&&...) {
    return internal::Checked<Misuse<internal::Problem::kApplyAsyncShape>,
                             AsyncResult<R<F>>>();
  }

  // --- map / starmap ---------------------------------------------------------

  // Calls fn(x) for every x of `items` in the workers and returns the results
  // in order, like Python's map(func, iterable, chunksize). For a task
  // returning void, returns nothing (it still waits, and throws the error of
  // the lowest failing item).
  template <class F, class Items>
  MapValue<F> map(F fn, const Items& items, MapOptions options = {}) {
    return internal::Checked<MapCheck<kOne, true, F, Items>, MapValue<F>>(
        [&](auto) { return Map<kOne>(fn, items, options, "map()"); });
  }
  // map(fn, {1, 2, 3}): a braced list of items.
  template <class F>
  MapValue<F> map(F fn, List<F, kOne> items, MapOptions options = {}) {
    return internal::Checked<MapCheck<kOne, true, F, List<F, kOne>>,
                             MapValue<F>>(
        [&](auto) { return Map<kOne>(fn, items, options, "map()"); });
  }
  // Misuse: chunksize or callbacks outside the options.
  template <class F, class Items, class... Rest>
  requires(!internal::kOptionsFit<MapOptions, Rest...>) MapValue<F> map(
      F, Items&&, Rest&&...) {
    return internal::Checked<Misuse<internal::Problem::kMapShape>,
                             MapValue<F>>();
  }

  // map() without waiting, like Python's map_async(func, iterable,
  // chunksize, callback, error_callback): returns a MapResult whose get() is
  // the vector.
  template <class F, class Items>
  MapResult<R<F>> map_async(F fn, const Items& items,
                            MapAsyncOptions<R<F>> options = {}) {
    return internal::Checked<MapCheck<kOne, true, F, Items>, MapResult<R<F>>>(
        [&](auto) {
          return MapAsync<kOne>(fn, items, std::move(options), "map_async()");
        });
  }
  template <class F>
  MapResult<R<F>> map_async(F fn, List<F, kOne> items,
                            MapAsyncOptions<R<F>> options = {}) {
    return internal::Checked<MapCheck<kOne, true, F, List<F, kOne>>,
                             MapResult<R<F>>>([&](auto) {
      return MapAsync<kOne>(fn, items, std::move(options), "map_async()");
    });
  }
  // Misuse: chunksize or callbacks outside the options.
  template <class F, class Items, class... Rest>
  requires(!internal::kOptionsFit<MapAsyncOptions<R<F>>, Rest...>)
      MapResult<R<F>> map_async(F, Items&&, Rest&&...) {
    return internal::Checked<Misuse<internal::Problem::kMapAsyncShape>,
                             MapResult<R<F>>>();
  }

  // Like map, but each item is a tuple unpacked into the call, like
  // Python's starmap(func, iterable, chunksize):
  //
  //   ```cpp
  //   pool::ThreadPool pool(2);
  //   std::vector<int> sums = pool.starmap(add, {{1, 2}, {3, 4}});  // {3, 7}
  //   ```
  template <class F, class Items>
  MapValue<F> starmap(F fn, const Items& items, MapOptions options = {}) {
    return internal::Checked<MapCheck<kStar, true, F, Items>, MapValue<F>>(
        [&](auto) { return Map<kStar>(fn, items, options, "starmap()"); });
  }
  template <class F>
  MapValue<F> starmap(F fn, List<F, kStar> items, MapOptions options = {}) {
    return internal::Checked<MapCheck<kStar, true, F, List<F, kStar>>,
                             MapValue<F>>(
        [&](auto) { return Map<kStar>(fn, items, options, "starmap()"); });
  }
  // Misuse: chunksize or callbacks outside the options.
  template <class F, class Items, class... Rest>
  requires(!internal::kOptionsFit<MapOptions, Rest...>) MapValue<F> starmap(
      F, Items&&, Rest&&...) {
    return internal::Checked<Misuse<internal::Problem::kMapShape>,
                             MapValue<F>>();
  }
  // starmap() without waiting, with map_async's options.
  template <class F, class Items>
  MapResult<R<F>> starmap_async(F fn, const Items& items,
                                MapAsyncOptions<R<F>> options = {}) {
    return internal::Checked<MapCheck<kStar, true, F, Items>, MapResult<R<F>>>(
        [&](auto) {
          return MapAsync<kStar>(fn, items, std::move(options),
                                 "starmap_async()");
        });
  }
  template <class F>
  MapResult<R<F>> starmap_async(F fn, List<F, kStar> items,
                                MapAsyncOptions<R<F>> options = {}) {
    return internal::Checked<MapCheck<kStar, true, F, List<F, kStar>>,
                             MapResult<R<F>>>([&](auto) {
      return MapAsync<kStar>(fn, items, std::move(options), "starmap_async()");
    });
  }
  // Misuse: chunksize or callbacks outside the options.
  template <class F, class Items, class... Rest>
  requires(!internal::kOptionsFit<MapAsyncOptions<R<F>>, Rest...>)
      MapResult<R<F>> starmap_async(F, Items&&, Rest&&...) {
    return internal::Checked<Misuse<internal::Problem::kMapAsyncShape>,
                             MapResult<R<F>>>();
  }

  // --- imap ------------------------------------------------------------------

  // A lazy map, like Python's imap(func, iterable, chunksize): results come
  // out one at a time, in input order. Input is read only as results are
  // consumed, at most `buffersize` chunks ahead (default: 32 per worker), so
  // an endless or huge range is fine. An lvalue range must outlive the
  // iterator; an rvalue one is moved in. Throws UsageError("Pool not
  // running") after close() or terminate(), as Python does. If reading the
  // input throws, see IMapIterator::next().
  template <class F, class Items>
  IMapIterator<R<F>> imap(F fn, Items&& items, IMapOptions options = {}) {
    return internal::Checked<MapCheck<kOne, false, F, Items>,
                             IMapIterator<R<F>>>([&](auto) {
      return IMap(/*ordered=*/true, fn, std::forward<Items>(items), options,
                  "imap()");
    });
  }
  // Misuse: chunksize or buffersize outside the options.
  template <class F, class Items, class... Rest>
  requires(!internal::kOptionsFit<IMapOptions, Rest...>)
      IMapIterator<R<F>> imap(F, Items&&, Rest&&...) {
    return internal::Checked<Misuse<internal::Problem::kIMapShape>,
                             IMapIterator<R<F>>>();
  }
  // Like imap, but results come out as they finish.
  template <class F, class Items>
  IMapIterator<R<F>> imap_unordered(F fn, Items&& items,
                                    IMapOptions options = {}) {
    return internal::Checked<MapCheck<kOne, false, F, Items>,
                             IMapIterator<R<F>>>([&](auto) {
      return IMap(/*ordered=*/false, fn, std::forward<Items>(items), options,
                  "imap_unordered()");
    });
  }
  // Misuse: chunksize or buffersize outside the options.
  template <class F, class Items, class... Rest>
  requires(!internal::kOptionsFit<IMapOptions, Rest...>)
      IMapIterator<R<F>> imap_unordered(F, Items&&, Rest&&...) {
    return internal::Checked<Misuse<internal::Problem::kIMapShape>,
                             IMapIterator<R<F>>>();
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
  internal::Origin origin() const {
    return {engine_.get(), creator_, Backend::kWaitSpins};
  }

  // A call's `.timeout` as the engine takes it (zero: none). UsageError if
  // it is not positive, or for a ThreadPool, which cannot stop a thread.
  static std::chrono::nanoseconds TimeoutOf(const std::optional<Timeout>& t,
                                            const char* method) {
    if (!t) return std::chrono::nanoseconds::zero();
    if constexpr (!Backend::kKillsTasks) {
      internal::ThrowTimeoutUnsupported(Backend::kName, method);
    } else {
      if (t->duration() <= std::chrono::nanoseconds::zero()) {
        internal::ThrowTimeoutNotPositive(method, t->duration());
      }
      return t->duration();
    }
  }
  // Gives `job` its timeout (a ThreadPool's jobs have none).
  template <class Job>
  static void SetTimeout(Job& job, std::chrono::nanoseconds timeout) {
    if constexpr (Backend::kKillsTasks) job.set_timeout(timeout);
  }

  // apply_async(), and apply() with `blocking`: the engine may then run the
  // call from this thread (ProcessEngine::Apply).
  template <class F, class... A>
  AsyncResult<R<F>> SubmitApply(F fn, std::tuple<A...> args,
                                ApplyAsyncOptions<R<F>> options, bool blocking,
                                const char* method) {
    using C = internal::Call<internal::FnPtr<F>, internal::CallStyle::kStar>;
    const std::chrono::nanoseconds timeout = TimeoutOf(options.timeout, method);
    auto state = std::make_shared<internal::ApplyState<internal::Stored<R<F>>>>(
        origin(), Backend::CancelWakerOf(*engine_),
        Adapt<R<F>>(std::move(options.callback)),
        std::move(options.error_callback).function());
    typename C::Item item(std::move(args));
    auto job = std::make_unique<typename Backend::template Job<C>>(
        internal::ToFunctionPointer(fn), &item, &item + 1, 0, state);
    SetTimeout(*job, timeout);
    if (blocking) {
      engine_->Apply(std::move(job));
    } else {
      engine_->Submit(std::move(job));
    }
    return AsyncResult<R<F>>(std::move(state));
  }

  // A Callback<T> as the state's callback, which takes the stored value
  // (Unit for void).
  template <class T>
  static std::function<void(const internal::Stored<T>&)> Adapt(
      Callback<T> callback) {
    if (!callback) return nullptr;
    if constexpr (std::is_void_v<T>) {
      return
          [f = std::move(callback).function()](const internal::Unit&) { f(); };
    } else {
      return std::move(callback).function();
    }
  }

  // The calls behind the public methods, once these checked the call.
  template <internal::CallStyle kStyle, class F, class Items>
  MapValue<F> Map(F fn, const Items& items, const MapOptions& options,
                  const char* method) {
    CheckCanBlock(method);
    return MapImpl<kStyle>(fn, items,
                           MapAsyncOptions<R<F>>{.chunksize = options.chunksize,
                                                 .timeout = options.timeout},
                           method)
        .take(method);
  }
  template <internal::CallStyle kStyle, class F, class Items>
  MapResult<R<F>> MapAsync(F fn, const Items& items,
                           MapAsyncOptions<R<F>> options, const char* method) {
    CheckCreator(method);
    return MapImpl<kStyle>(fn, items, std::move(options), method);
  }

  template <internal::CallStyle kStyle, class F, class Items>
  MapResult<R<F>> MapImpl(F fn, const Items& items,
                          MapAsyncOptions<R<F>> options, const char* method) {
    using T = internal::Stored<R<F>>;
    using C = internal::Call<internal::FnPtr<F>, kStyle>;
    using Value = internal::MapValue<T>;
    const std::chrono::nanoseconds timeout = TimeoutOf(options.timeout, method);
    const std::size_t size =
        static_cast<std::size_t>(std::ranges::distance(items));
    const std::size_t chunk =
        options.chunksize ? internal::CheckChunksize(options.chunksize)
                          : internal::DefaultChunksize(size, processes());
    const std::size_t chunks = size == 0 ? 0 : (size + chunk - 1) / chunk;
    auto state = std::make_shared<internal::MapState<T>>(
        origin(), Backend::CancelWakerOf(*engine_), size, chunk, chunks,
        Adapt<std::conditional_t<std::is_void_v<R<F>>, void, Value>>(
            std::move(options.callback)),
        std::move(options.error_callback).function());
    if (size == 0) {
      state->Finish();
      return MapResult<R<F>>(std::move(state));
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
      SetTimeout(*jobs.back(), timeout);
      it = next;
    }
    engine_->Submit(std::move(jobs));
    return MapResult<R<F>>(std::move(state));
  }

  template <class F, class Items>
  IMapIterator<R<F>> IMap(bool ordered, F fn, Items&& items,
                          const IMapOptions& options, const char* method) {
    CheckCreator(method);
    using T = internal::Stored<R<F>>;
    using C = internal::Call<internal::FnPtr<F>, internal::CallStyle::kOne>;
    using State = internal::IMapState<T>;
    const std::size_t chunk = internal::CheckChunksize(options.chunksize);
    const std::size_t buffer = internal::CheckBuffersize(
        options.buffersize, 32 * static_cast<std::size_t>(processes()));
    const std::chrono::nanoseconds timeout = TimeoutOf(options.timeout, method);
    // Python checks at the call; the engine would only say so when the
    // first chunk is submitted.
    if (!running_) {
      throw UsageError("Pool not running");
    }
    auto state =
        std::make_shared<State>(origin(), Backend::CancelWakerOf(*engine_),
                                ordered, chunk, chunk * buffer);
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
        [feed, weak, fptr, chunk, timeout](const std::shared_ptr<State>& self) {
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
            SetTimeout(*jobs.back(), timeout);
            self->AddSubmitted(items.size());
            try {
              engine->Submit(std::move(jobs));
            } catch (...) {
              self->WithdrawSubmitted(items.size());
              throw;
            }
            feed->next_index += items.size();
          }
          return step;
        });
    return IMapIterator<R<F>>(std::move(state));
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
};

}  // namespace pool

#endif  // POOL_POOL_H_
