// exercises/10_with/exercise.h: Exercise 10, a pool's lifetime (Python's
// `with`).
//
// Python's `with Pool(4) as pool:` makes sure the pool is cleaned up when
// the block ends, and that clean-up is terminate(), not close() + join():
// work still pending when the block ends is abandoned. In C++ a pool::Pool
// on the stack does the same in its destructor. Write the functions below
// in exercise.cc; README.md has the details.

#ifndef EXERCISES_10_WITH_EXERCISE_H_
#define EXERCISES_10_WITH_EXERCISE_H_

#include <vector>

#include "pool/pool.h"

namespace exercises {

// Creates a pool of `processes` workers that lives only inside this
// function, maps fn over `items` with it, and returns the results.
// Python: with Pool(processes) as pool: return pool.map(fn, items)
std::vector<long long> MapInScopedPool(int processes,
                                       long long (*fn)(long long),
                                       const std::vector<long long>& items);

// Creates a one-worker pool that lives only inside this function, submits
// fn(x) with apply_async and returns the AsyncResult without waiting for
// it. (The pool ends with the function; the handle outlives it.)
// Python: with Pool(1) as pool: return pool.apply_async(fn, (x,))
pool::AsyncResult<long long> SubmitInScopedPool(long long (*fn)(long long),
                                                long long x);

}  // namespace exercises

#endif  // EXERCISES_10_WITH_EXERCISE_H_
