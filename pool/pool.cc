#include "pool/pool.h"

#include <unistd.h>

#include <string>

namespace pool {

int CpuCount() {
  const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

namespace internal {

std::size_t DefaultChunksize(std::size_t items, int processes) {
  // CPython: chunksize, extra = divmod(len(iterable), len(self._pool) * 4);
  // if extra: chunksize += 1. An empty input gives 0 there; here it gives 1,
  // which is never used (an empty map makes no chunks).
  const std::size_t per = static_cast<std::size_t>(processes) * 4;
  const std::size_t chunk = items / per + (items % per != 0 ? 1 : 0);
  return chunk == 0 ? 1 : chunk;
}

std::size_t CheckChunksize(std::optional<int> chunksize) {
  if (!chunksize || *chunksize < 1) {
    throw UsageError("Chunksize must be 1+, not " +
                     (chunksize ? std::to_string(*chunksize) : "None"));
  }
  return static_cast<std::size_t>(*chunksize);
}

int CheckProcesses(int processes) {
  if (processes < 1) {
    throw UsageError("Number of processes must be at least 1");
  }
  return processes;
}

}  // namespace internal
}  // namespace pool
