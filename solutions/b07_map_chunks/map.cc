// Step b07: map, in chunks, the reference solution.

#include "exercises/b07_map_chunks/map.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace bpool {

std::size_t DefaultChunksize(std::size_t items, int workers) {
  const std::size_t chunks = static_cast<std::size_t>(workers) * 4;
  std::size_t chunksize = items / chunks;
  if (items % chunks != 0) ++chunksize;
  return chunksize;
}

std::vector<std::int64_t> map(Pool& pool, Task fn,
                              const std::vector<std::int64_t>& items,
                              std::optional<int> chunksize) {
  if (chunksize && *chunksize < 1) {
    throw std::invalid_argument("chunksize must be 1 or more, not " +
                                std::to_string(*chunksize));
  }
  const std::size_t size = chunksize
                               ? static_cast<std::size_t>(*chunksize)
                               : DefaultChunksize(items.size(), pool.size());
  // Submit every chunk before waiting for any, so that all the workers
  // have work at once.
  std::vector<AsyncResult> chunks;
  for (std::size_t begin = 0; begin < items.size(); begin += size) {
    const std::size_t end = std::min(items.size(), begin + size);
    chunks.push_back(pool.submit(
        fn,
        std::vector<std::int64_t>(items.begin() + begin, items.begin() + end)));
  }
  // Then collect in input order: chunk k's results are items k*size on.
  std::vector<std::int64_t> results;
  results.reserve(items.size());
  for (const AsyncResult& chunk : chunks) {
    const std::vector<std::int64_t> part = chunk.get_all();
    results.insert(results.end(), part.begin(), part.end());
  }
  return results;
}

}  // namespace bpool
