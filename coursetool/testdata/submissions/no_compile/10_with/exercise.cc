// A submission that does not compile: a misspelled type.

#include "exercises/10_with/exercise.h"

namespace exercises {

std::vector<long long> MapInScopedPool(int processes,
                                       long long (*fn)(long long),
                                       const std::vector<long long>& items) {
  pool::Pol pool(processes);
  return pool.map(fn, items);
}

pool::AsyncResult<long long> SubmitInScopedPool(long long (*fn)(long long),
                                                long long x) {
  pool::Pool pool(1);
  return pool.apply_async(fn, std::tuple{x});
}

}  // namespace exercises
