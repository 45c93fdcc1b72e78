// exercises/03_map/exercise.h: Exercise 3, Pool::map.
//
// Python's pool.map(func, iterable, chunksize) calls func on every item in
// the worker processes and returns the list of results in input order. The
// source article's second program maps its `action` over (50, 100, 150) and
// prints 1225, 4950, 11175. Write the functions below in exercise.cc;
// README.md has the details.

#ifndef EXERCISES_03_MAP_EXERCISE_H_
#define EXERCISES_03_MAP_EXERCISE_H_

#include <vector>

#include "pool/pool.h"

namespace exercises {

// Returns {fn(items[0]), fn(items[1]), ...}, computed in the workers of
// `pool`. Python: pool.map(fn, items)
std::vector<long long> MapInWorkers(pool::Pool& pool,
                                    long long (*fn)(long long),
                                    const std::vector<long long>& items);

// As MapInWorkers, sending the items to the workers `chunksize` at a time.
// Python: pool.map(fn, items, chunksize)
std::vector<long long> MapInChunks(pool::Pool& pool, long long (*fn)(long long),
                                   const std::vector<long long>& items,
                                   int chunksize);

}  // namespace exercises

#endif  // EXERCISES_03_MAP_EXERCISE_H_
