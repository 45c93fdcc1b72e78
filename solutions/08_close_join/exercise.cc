// Exercise 8: Pool::close and join, the reference solution.

#include "exercises/08_close_join/exercise.h"

#include <tuple>

namespace exercises {

void FinishAndShutDown(pool::Pool& pool) {
  // close() first: it only flips the pool to "no new work" and returns.
  // join() then waits for the queue to drain and the workers to exit;
  // called first, it throws UsageError("Pool is still running").
  pool.close();
  pool.join();
}

std::optional<pool::AsyncResult<long long>> TrySubmit(
    pool::Pool& pool, long long (*fn)(long long), long long x) {
  try {
    return pool.apply_async(fn, std::tuple{x});
  } catch (const pool::UsageError&) {
    // "Pool not running": close() or terminate() came first. (Python
    // raises ValueError here.)
    return std::nullopt;
  }
}

}  // namespace exercises
