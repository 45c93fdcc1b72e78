// pool/internal/backend.h: what BasicPool (pool.h) needs besides an engine.
//
// The two backends (the process engine and the thread engine, with the job
// type each runs), the argument checks with Python's messages, and the
// errors for a pool used where it cannot work: in a forked child, or
// blocking in one of its own callbacks.

#ifndef POOL_INTERNAL_BACKEND_H_
#define POOL_INTERNAL_BACKEND_H_

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

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

// The engines behind Pool and ThreadPool, with the job type each runs.
// kEncodes: arguments and results cross a pipe, so they need a Codec.
struct ProcessBackend {
  using Engine = ProcessEngine;
  using JobBase = ProcessJob;
  template <class C>
  using Job = ProcessChunkJob<C>;
  static constexpr const char* kName = "Pool";
  static constexpr bool kEncodes = true;
  static std::unique_ptr<Engine> Start(int processes,
                                       std::function<void()> initializer,
                                       std::optional<int> maxtasksperchild,
                                       const std::string& trace) {
    return std::make_unique<Engine>(
        processes,
        WorkerConfig{std::move(initializer),
                     CheckMaxTasksPerChild(maxtasksperchild)},
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
  static std::unique_ptr<Engine> Start(int processes,
                                       std::function<void()> initializer,
                                       std::optional<int> maxtasksperchild,
                                       const std::string& trace) {
    if (maxtasksperchild) {
      throw UsageError("maxtasksperchild is not supported by ThreadPool");
    }
    return std::make_unique<Engine>(processes, std::move(initializer), trace);
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
