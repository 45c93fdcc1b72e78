#include "pool/internal/arguments.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "pool/errors.h"

namespace pool {

// pool::CpuCount, declared (and documented) in pool/pool.h, where users find
// it. Defined here, beside its one other caller, because //pool/internal
// cannot depend on //pool.
int CpuCount() {
  const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

namespace internal {

int CheckProcesses(std::optional<int> processes) {
  if (!processes) return CpuCount();
  if (*processes < 1) {
    throw UsageError("Number of processes must be at least 1");
  }
  return *processes;
}

std::size_t CheckChunksize(std::optional<int> chunksize) {
  if (!chunksize) return 1;
  if (*chunksize < 1) {
    throw UsageError("Chunksize must be 1+, not " + std::to_string(*chunksize));
  }
  return static_cast<std::size_t>(*chunksize);
}

int CheckMaxTasksPerChild(std::optional<int> maxtasksperchild) {
  if (!maxtasksperchild) return 0;  // The engine's "never".
  if (*maxtasksperchild < 1) {
    throw UsageError("maxtasksperchild must be a positive int or unset, not " +
                     std::to_string(*maxtasksperchild));
  }
  return *maxtasksperchild;
}

std::size_t CheckBuffersize(std::optional<int> buffersize,
                            std::size_t default_chunks) {
  if (!buffersize) return default_chunks;
  if (*buffersize < 1) {
    throw UsageError("buffersize must be 1+ (or unset for the default), not " +
                     std::to_string(*buffersize));
  }
  return static_cast<std::size_t>(*buffersize);
}

std::size_t DefaultChunksize(std::size_t items, int processes) {
  // CPython: chunksize, extra = divmod(len(iterable), len(self._pool) * 4);
  // if extra: chunksize += 1. An empty input gives 0 there; here it gives 1,
  // which is never used (an empty map makes no chunks).
  const std::size_t per = static_cast<std::size_t>(processes) * 4;
  const std::size_t chunk = items / per + (items % per != 0 ? 1 : 0);
  return chunk == 0 ? 1 : chunk;
}

namespace {

// What this process maps now (VmSize), in bytes; 0 if unknown.
std::uint64_t MappedBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "re");
  if (f == nullptr) return 0;
  unsigned long long pages = 0;
  const int n = std::fscanf(f, "%llu", &pages);
  std::fclose(f);
  const long page = ::sysconf(_SC_PAGESIZE);
  return n == 1 && page > 0 ? pages * static_cast<std::uint64_t>(page) : 0;
}

std::string Mebibytes(std::uint64_t bytes) {
  return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB";
}

}  // namespace

WorkerLimits CheckLimits(std::optional<std::size_t> memory_limit,
                         std::optional<std::chrono::seconds> cpu_time_limit) {
  WorkerLimits limits;
  if (memory_limit) {
    if (*memory_limit == 0) {
      throw UsageError("memory_limit must be more than 0 bytes (or unset)");
    }
    const std::uint64_t mapped = MappedBytes();
    if (*memory_limit <= mapped) {
      throw UsageError(
          "memory_limit of " + std::to_string(*memory_limit) + " bytes (" +
          Mebibytes(*memory_limit) + ") is below the " + Mebibytes(mapped) +
          " this process maps already (VmSize in /proc/self/status); each "
          "worker starts as a copy of it. Allow that much plus what a task "
          "needs.");
    }
    limits.memory_bytes = *memory_limit;
  }
  if (cpu_time_limit) {
    if (cpu_time_limit->count() <= 0) {
      throw UsageError("cpu_time_limit must be at least 1s (or unset), not " +
                       std::to_string(cpu_time_limit->count()) + "s");
    }
    // The worker sets a hard limit of twice the budget plus 2 s (CpuBudget,
    // worker.cc); it cannot raise the hard limit it inherits.
    const std::int64_t needed = 2 * cpu_time_limit->count() + 2;
    rlimit lim{};
    if (::getrlimit(RLIMIT_CPU, &lim) == 0 && lim.rlim_max != RLIM_INFINITY &&
        lim.rlim_max < static_cast<rlim_t>(needed)) {
      throw UsageError(
          "cpu_time_limit of " + std::to_string(cpu_time_limit->count()) +
          "s needs a hard RLIMIT_CPU of at least " + std::to_string(needed) +
          "s (twice the limit plus 2), "
          "and this process's is " +
          std::to_string(lim.rlim_max) + "s");
    }
    limits.cpu_seconds = cpu_time_limit->count();
  }
  return limits;
}

}  // namespace internal
}  // namespace pool
