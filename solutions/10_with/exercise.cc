// Exercise 10: a pool's lifetime, the reference solution.

#include "exercises/10_with/exercise.h"

#include <tuple>

namespace exercises {

std::vector<long long> MapInScopedPool(int processes,
                                       long long (*fn)(long long),
                                       const std::vector<long long>& items) {
  pool::Pool pool(processes);
  // map() waits for every result, so nothing is pending when the
  // destructor runs; the destructor then kills and reaps the workers.
  return pool.map(fn, items);
}

pool::AsyncResult<long long> SubmitInScopedPool(long long (*fn)(long long),
                                                long long x) {
  pool::Pool pool(1);
  // The handle shares the result's state with the pool, so it stays valid
  // after the pool is gone. If the task has not finished by the end of
  // this function, the destructor's terminate() cancels it and the handle
  // resolves with pool::CancelledError: the trap of Python's `with` block.
  return pool.apply_async(fn, std::tuple{x});
}

}  // namespace exercises
