// Exercise 4: Pool::map_async, the reference solution.

#include "exercises/04_map_async/exercise.h"

#include <optional>

namespace exercises {

pool::MapResult<long long> MapAsync(
    pool::Pool& pool, long long (*fn)(long long),
    const std::vector<long long>& items,
    std::function<void(const std::vector<long long>&)> on_results,
    std::function<void(const pool::Error&)> on_error) {
  // No .chunksize: the default, as in Python when it is omitted.
  // The callbacks run later, in this process, on the pool's handler thread.
  return pool.map_async(fn, items,
                        {.callback = std::move(on_results),
                         .error_callback = std::move(on_error)});
}

std::pair<std::vector<long long>, std::vector<long long>> MapTwoAtOnce(
    pool::Pool& pool, long long (*f)(long long), long long (*g)(long long),
    const std::vector<long long>& items) {
  // Step 1. Both jobs are queued before either is waited for, so their
  // chunks share the workers.
  pool::MapResult<long long> fs = pool.map_async(f, items);
  pool::MapResult<long long> gs = pool.map_async(g, items);
  // Step 2. get() returns a reference into the result; copy it out.
  return {fs.get(), gs.get()};
}

}  // namespace exercises
