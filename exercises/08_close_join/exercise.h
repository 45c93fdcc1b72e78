// exercises/08_close_join/exercise.h: Exercise 8, Pool::close and join.
//
// Python's pool.close() stops the pool from accepting new work; what is
// already queued still runs. pool.join() then waits until it has, and the
// workers have exited. join() before close() is an error ("Pool is still
// running"), and so is submitting work after close() ("Pool not running").
// Write the functions below in exercise.cc; README.md has the details.

#ifndef EXERCISES_08_CLOSE_JOIN_EXERCISE_H_
#define EXERCISES_08_CLOSE_JOIN_EXERCISE_H_

#include <optional>

#include "pool/pool.h"

namespace exercises {

// Lets every task already submitted to `pool` finish, then shuts the pool
// down: returns once the work is done and the workers have exited.
// Python: pool.close(); pool.join()
void FinishAndShutDown(pool::Pool& pool);

// Submits fn(x) to `pool` and returns its AsyncResult, or std::nullopt if
// the pool no longer accepts work (it was closed or terminated).
// Python: try: return pool.apply_async(fn, (x,))
//         except ValueError: return None
std::optional<pool::AsyncResult<long long>> TrySubmit(
    pool::Pool& pool, long long (*fn)(long long), long long x);

}  // namespace exercises

#endif  // EXERCISES_08_CLOSE_JOIN_EXERCISE_H_
