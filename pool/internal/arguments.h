// pool/internal/arguments.h: the checks of a pool's numeric options, with
// Python's messages ("Number of processes must be at least 1", "Chunksize
// must be 1+, not 0"), and their defaults. Each returns the value to use (the
// default when unset) or throws UsageError; pool.h calls them before anything
// starts, so the engines can take their arguments as given.

#ifndef POOL_INTERNAL_ARGUMENTS_H_
#define POOL_INTERNAL_ARGUMENTS_H_

#include <chrono>
#include <cstddef>
#include <optional>

#include "pool/internal/worker.h"

namespace pool::internal {

// processes: unset is pool::CpuCount(); otherwise at least 1.
int CheckProcesses(std::optional<int> processes);
// chunksize: unset is 1; otherwise at least 1.
std::size_t CheckChunksize(std::optional<int> chunksize);
// maxtasksperchild: unset is 0, the engine's "never"; otherwise at least 1.
int CheckMaxTasksPerChild(std::optional<int> maxtasksperchild);
// buffersize: unset is `default_chunks`; otherwise at least 1.
std::size_t CheckBuffersize(std::optional<int> buffersize,
                            std::size_t default_chunks);

// Python's default map chunksize: len / (4 * processes), rounded up.
std::size_t DefaultChunksize(std::size_t items, int processes);

// Options::memory_limit and cpu_time_limit (pool.h) as the worker applies
// them: UsageError for 0, for a memory limit below what this process maps
// already (a worker starts as a copy of it), and for a CPU time limit whose
// hard limit (worker.cc, CpuBudget) exceeds the one this process has.
WorkerLimits CheckLimits(std::optional<std::size_t> memory_limit,
                         std::optional<std::chrono::seconds> cpu_time_limit);

}  // namespace pool::internal

#endif  // POOL_INTERNAL_ARGUMENTS_H_
