// pool/internal/backend.h: the two engines behind BasicPool (pool.h), as
// BasicPool sees them: ProcessBackend for Pool, ThreadBackend for
// ThreadPool, each naming its engine and the job type it runs and starting
// it; and Abandon, what BasicPool does with its engine in a forked child.

#ifndef POOL_INTERNAL_BACKEND_H_
#define POOL_INTERNAL_BACKEND_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "pool/errors.h"
#include "pool/internal/arguments.h"
#include "pool/internal/job.h"
#include "pool/internal/process_engine.h"
#include "pool/internal/thread_engine.h"

namespace pool::internal {

// kEncodes: arguments and results cross a pipe, so they need a Codec.
// kKillsTasks: a running task can be stopped (`.timeout`).
// kWaitSpins: Origin::spin (context.h) for the pool's results.
// Start(): `processes` is already checked (CheckProcesses); the other
// options are checked here, where what they mean depends on the engine.
struct ProcessBackend {
  using Engine = ProcessEngine;
  using JobBase = ProcessJob;
  template <class C>
  using Job = ProcessChunkJob<C>;
  static constexpr const char* kName = "Pool";
  static constexpr bool kEncodes = true;
  static constexpr bool kKillsTasks = true;
  static constexpr bool kWaitSpins = false;
  // What its results' sinks wake when cancel() cancels a queued chunk.
  static std::shared_ptr<CancelWaker> CancelWakerOf(Engine& engine) {
    return engine.cancel_waker();
  }
  static std::unique_ptr<Engine> Start(int processes,
                                       std::function<void()> initializer,
                                       std::optional<int> maxtasksperchild,
                                       WorkerLimits limits,
                                       const std::string& trace) {
    return std::make_unique<Engine>(
        processes,
        WorkerConfig{std::move(initializer),
                     CheckMaxTasksPerChild(maxtasksperchild), limits},
        trace);
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
  static constexpr bool kWaitSpins = true;
  // Its threads look at a chunk's cancel() as they take it: none to wake.
  static std::shared_ptr<CancelWaker> CancelWakerOf(Engine&) { return nullptr; }
  static std::unique_ptr<Engine> Start(int processes,
                                       std::function<void()> initializer,
                                       std::optional<int> maxtasksperchild,
                                       WorkerLimits limits,
                                       const std::string& trace) {
    if (maxtasksperchild) {
      throw UsageError("maxtasksperchild is not supported by ThreadPool");
    }
    if (limits.memory_bytes != 0 || limits.cpu_seconds != 0) {
      throw UsageError(
          "memory_limit and cpu_time_limit are not supported by ThreadPool: "
          "its threads share the limits of the whole program; use a Pool");
    }
    return std::make_unique<Engine>(processes, std::move(initializer), trace);
  }
};

// Keeps `engine` from ever being destroyed (and reachable, so that leak
// checkers do not report it): for a pool destroyed in a forked child, where
// its destructor would wait for threads and locks of the parent.
void Abandon(std::shared_ptr<void> engine) noexcept;

}  // namespace pool::internal

#endif  // POOL_INTERNAL_BACKEND_H_
