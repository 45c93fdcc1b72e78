// Exercise 3: Pool::map, the reference solution.

#include "exercises/03_map/exercise.h"

namespace exercises {

std::vector<long long> MapInWorkers(pool::Pool& pool,
                                    long long (*fn)(long long),
                                    const std::vector<long long>& items) {
  // The items are split into chunks (by default len / (4 * processes),
  // rounded up); each chunk is one task for one worker. The results come
  // back in input order whichever chunk finishes first.
  return pool.map(fn, items);
}

std::vector<long long> MapInChunks(pool::Pool& pool, long long (*fn)(long long),
                                   const std::vector<long long>& items,
                                   int chunksize) {
  // Bigger chunks: fewer round trips, coarser load balancing. The pool
  // rejects chunksize < 1 with pool::UsageError, as Python raises
  // ValueError.
  return pool.map(fn, items, {.chunksize = chunksize});
}

}  // namespace exercises
