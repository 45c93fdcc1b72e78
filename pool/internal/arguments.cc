#include "pool/internal/arguments.h"

#include <unistd.h>

#include <cstddef>
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

}  // namespace internal
}  // namespace pool
