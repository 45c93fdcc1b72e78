// pool/internal/backend.h: what BasicPool (pool.h) needs besides an engine.
//
// The two backends (the process engine and the thread engine, with the job
// type each runs), the argument checks with Python's messages, and the
// errors for a pool used where it cannot work: in a forked child, or
// blocking in one of its own callbacks.

#ifndef POOL_INTERNAL_BACKEND_H_
#define POOL_INTERNAL_BACKEND_H_

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

#include "pool/errors.h"
#include "pool/internal/job.h"
#include "pool/internal/process_engine.h"
#include "pool/internal/thread_engine.h"

namespace pool {

// The number of CPUs (documented in pool.h, where users find it).
int CpuCount();

namespace internal {

// Python's checks and messages: "Number of processes must be at least 1",
// "Chunksize must be 1+, not 0", "maxtasksperchild must be a positive int
// or None". Each returns the value to use (the default when unset).
int CheckProcesses(std::optional<int> processes);
std::size_t CheckChunksize(std::optional<int> chunksize);
int CheckMaxTasksPerChild(std::optional<int> maxtasksperchild);
// buffersize: unset is `default_chunks`; otherwise at least 1.
std::size_t CheckBuffersize(std::optional<int> buffersize,
                            std::size_t default_chunks);

// Python's default map chunksize: len / (4 * processes), rounded up.
std::size_t DefaultChunksize(std::size_t items, int processes);

// Options::memory_limit and cpu_time_limit (pool.h) as the worker applies
// them: UsageError for 0, and for a memory limit below what this process
// maps already (a worker starts as a copy of it).
WorkerLimits CheckLimits(std::optional<std::size_t> memory_limit,
                         std::optional<std::chrono::seconds> cpu_time_limit);

// The UsageError for a `.timeout` given to `kind::method` of a pool that
// cannot stop a running task (a ThreadPool).
[[noreturn]] void ThrowTimeoutUnsupported(const char* kind, const char* method);
// The UsageError for a `.timeout` that is zero or negative.
[[noreturn]] void ThrowTimeoutNotPositive(const char* method,
                                          std::chrono::nanoseconds timeout);

// The engines behind Pool and ThreadPool, with the job type each runs.
// kEncodes: arguments and results cross a pipe, so they need a Codec.
// kKillsTasks: a running task can be stopped (`.timeout`).
struct ProcessBackend {
  using Engine = ProcessEngine;
  using JobBase = ProcessJob;
  template <class C>
  using Job = ProcessChunkJob<C>;
  static constexpr const char* kName = "Pool";
  static constexpr bool kEncodes = true;
  static constexpr bool kKillsTasks = true;
  static std::unique_ptr<Engine> Start(int processes,
                                       std::function<void()> initializer,
                                       std::optional<int> maxtasksperchild,
                                       WorkerLimits limits) {
    return std::make_unique<Engine>(
        processes,
        WorkerConfig{std::move(initializer),
                     CheckMaxTasksPerChild(maxtasksperchild), limits});
  }
};
struct ThreadBackend {
  using Engine = ThreadEngine;
  using JobBase = ThreadJob;
  template <class C>
  using Job = ThreadChunkJob<C>;
  static constexpr const char* kName = "ThreadPool";
  static constexpr bool kEncodes = false;
  static constexpr bool kKillsTasks = false;
  static std::unique_ptr<Engine> Start(int processes,
                                       std::function<void()> initializer,
                                       std::optional<int> maxtasksperchild,
                                       WorkerLimits limits) {
    if (maxtasksperchild) {
      throw UsageError("maxtasksperchild is not supported by ThreadPool");
    }
    if (limits.memory_bytes != 0 || limits.cpu_seconds != 0) {
      throw UsageError(
          "memory_limit and cpu_time_limit are not supported by ThreadPool: "
          "its threads share the limits of the whole program; use a Pool");
    }
    return std::make_unique<Engine>(processes, std::move(initializer));
  }
};

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

}  // namespace internal
}  // namespace pool

#endif  // POOL_INTERNAL_BACKEND_H_
