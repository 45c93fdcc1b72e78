// exercises/04_map_async/exercise.h: Exercise 4, Pool::map_async.
//
// Python's pool.map_async(func, iterable, chunksize, callback,
// error_callback) is map() without the waiting: it returns an AsyncResult at
// once. When all items are done, callback(list of results) runs once; if an
// item fails, error_callback(error) runs once instead. Write the functions
// below in exercise.cc; README.md has the details.

#ifndef EXERCISES_04_MAP_ASYNC_EXERCISE_H_
#define EXERCISES_04_MAP_ASYNC_EXERCISE_H_

#include <functional>
#include <utility>
#include <vector>

#include "pool/pool.h"

namespace exercises {

// Starts fn over `items` in the workers of `pool` and returns at once. When
// every item is done, on_results(all the results, in order) is called once;
// if a task throws, on_error(its error) is called once instead.
// Python: pool.map_async(fn, items, callback=on_results,
//                        error_callback=on_error)
pool::MapResult<long long> MapAsync(
    pool::Pool& pool, long long (*fn)(long long),
    const std::vector<long long>& items,
    std::function<void(const std::vector<long long>&)> on_results,
    std::function<void(const pool::Error&)> on_error);

// Computes {f(x) for x in items} and {g(x) for x in items} with two
// map_async calls that run at the same time: start both, then wait for
// both. Returns the two result vectors.
std::pair<std::vector<long long>, std::vector<long long>> MapTwoAtOnce(
    pool::Pool& pool, long long (*f)(long long), long long (*g)(long long),
    const std::vector<long long>& items);

}  // namespace exercises

#endif  // EXERCISES_04_MAP_ASYNC_EXERCISE_H_
