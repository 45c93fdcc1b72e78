// A deliberately naive solution of exercise 03: MapInWorkers as one
// pool.apply per item, MapInChunks as one pool.map per chunk, waiting for
// each before sending the next. Both compute the right results in the
// workers and pass every test; both lose the performance points: each
// apply is a round trip that waits for the one before, and the chunks run
// one at a time instead of on every worker at once. See ../README.md.

#include "exercises/03_map/exercise.h"

#include <algorithm>

namespace exercises {

std::vector<long long> MapInWorkers(pool::Pool& pool,
                                    long long (*fn)(long long),
                                    const std::vector<long long>& items) {
  std::vector<long long> results;
  for (long long x : items) results.push_back(pool.apply(fn, x));
  return results;
}

std::vector<long long> MapInChunks(pool::Pool& pool, long long (*fn)(long long),
                                   const std::vector<long long>& items,
                                   int chunksize) {
  // The pool refuses chunksize < 1 itself (UsageError).
  if (chunksize < 1 || items.empty())
    return pool.map(fn, items, {.chunksize = chunksize});
  std::vector<long long> results;
  const std::size_t size = static_cast<std::size_t>(chunksize);
  for (std::size_t begin = 0; begin < items.size(); begin += size) {
    const std::size_t end = std::min(items.size(), begin + size);
    const std::vector<long long> chunk(items.begin() + begin,
                                       items.begin() + end);
    for (long long r : pool.map(fn, chunk, {.chunksize = chunksize}))
      results.push_back(r);
  }
  return results;
}

}  // namespace exercises
