// exercises/01_apply/exercise.h: Exercise 1, Pool::apply.
//
// Python's pool.apply(func, args) runs func(*args) in one of the pool's
// worker processes and blocks until it returns, then hands back its result.
// Write the three functions below in exercise.cc, each with one call to
// pool.apply. README.md has the details.

#ifndef EXERCISES_01_APPLY_EXERCISE_H_
#define EXERCISES_01_APPLY_EXERCISE_H_

#include "pool/pool.h"

namespace exercises {

// Runs fn() in a worker of `pool` and returns its result.
// Python: pool.apply(fn)
long long ApplyNoArgs(pool::Pool& pool, long long (*fn)());

// Runs fn(x) in a worker of `pool` and returns its result.
// Python: pool.apply(fn, (x,))
long long ApplyOne(pool::Pool& pool, long long (*fn)(long long), long long x);

// Runs fn(a, b) in a worker of `pool` and returns its result.
// Python: pool.apply(fn, (a, b))
long long ApplyTwo(pool::Pool& pool, long long (*fn)(long long, long long),
                   long long a, long long b);

}  // namespace exercises

#endif  // EXERCISES_01_APPLY_EXERCISE_H_
