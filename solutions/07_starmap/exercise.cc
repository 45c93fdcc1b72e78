// Exercise 7: Pool::starmap, the reference solution.

#include "exercises/07_starmap/exercise.h"

#include <algorithm>
#include <tuple>

namespace exercises {

std::vector<long long> StarmapPairs(
    pool::Pool& pool, long long (*fn)(long long, long long),
    const std::vector<std::pair<long long, long long>>& pairs) {
  // Each item becomes the tuple of fn's parameters; a pair converts.
  return pool.starmap(fn, pairs);
}

std::vector<long long> StarmapZip(pool::Pool& pool,
                                  long long (*fn)(long long, long long),
                                  const std::vector<long long>& xs,
                                  const std::vector<long long>& ys) {
  // Step 1. zip(xs, ys): one argument tuple per position, as many as the
  // shorter input has.
  const std::size_t n = std::min(xs.size(), ys.size());
  std::vector<std::tuple<long long, long long>> args;
  args.reserve(n);
  for (std::size_t i = 0; i < n; ++i) args.emplace_back(xs[i], ys[i]);
  // Step 2. Each tuple is unpacked into a call fn(x, y) in a worker.
  return pool.starmap(fn, args);
}

}  // namespace exercises
