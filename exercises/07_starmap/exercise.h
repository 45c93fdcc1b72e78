// exercises/07_starmap/exercise.h: Exercise 7, Pool::starmap.
//
// Python's pool.starmap(func, iterable) is map for functions of several
// parameters: each item is a tuple, unpacked into the call, so
// starmap(f, [(1, 2), (3, 4)]) is [f(1, 2), f(3, 4)]. Write the functions
// below in exercise.cc; README.md has the details.

#ifndef EXERCISES_07_STARMAP_EXERCISE_H_
#define EXERCISES_07_STARMAP_EXERCISE_H_

#include <utility>
#include <vector>

#include "pool/pool.h"

namespace exercises {

// Returns {fn(a, b) for each (a, b) in pairs}, in order, computed in the
// workers of `pool`. Python: pool.starmap(fn, pairs)
std::vector<long long> StarmapPairs(
    pool::Pool& pool, long long (*fn)(long long, long long),
    const std::vector<std::pair<long long, long long>>& pairs);

// Returns {fn(xs[0], ys[0]), fn(xs[1], ys[1]), ...}, stopping at the end of
// the shorter vector, computed in the workers of `pool`.
// Python: pool.starmap(fn, zip(xs, ys))
std::vector<long long> StarmapZip(pool::Pool& pool,
                                  long long (*fn)(long long, long long),
                                  const std::vector<long long>& xs,
                                  const std::vector<long long>& ys);

}  // namespace exercises

#endif  // EXERCISES_07_STARMAP_EXERCISE_H_
