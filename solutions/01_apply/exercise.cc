// Exercise 1: Pool::apply, the reference solution.

#include "exercises/01_apply/exercise.h"

namespace exercises {

long long ApplyNoArgs(pool::Pool& pool, long long (*fn)()) {
  // No arguments: Python's pool.apply(fn), args defaulting to ().
  return pool.apply(fn);
}

long long ApplyOne(pool::Pool& pool, long long (*fn)(long long), long long x) {
  // apply(fn, x) is shorthand for apply(fn, std::tuple{x}), Python's (x,).
  return pool.apply(fn, x);
}

long long ApplyTwo(pool::Pool& pool, long long (*fn)(long long, long long),
                   long long a, long long b) {
  // The arguments travel to the worker as one encoded tuple, in order.
  return pool.apply(fn, std::tuple{a, b});
}

}  // namespace exercises
