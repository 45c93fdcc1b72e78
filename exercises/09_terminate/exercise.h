// exercises/09_terminate/exercise.h: Exercise 9, Pool::terminate.
//
// Python's pool.terminate() stops the pool at once: the workers are killed,
// and whatever was queued or running is abandoned. In this pool every
// result that was not finished then fails with pool::CancelledError (in
// Python it would stay pending forever). Write the functions below in
// exercise.cc; README.md has the details.

#ifndef EXERCISES_09_TERMINATE_EXERCISE_H_
#define EXERCISES_09_TERMINATE_EXERCISE_H_

#include <vector>

#include "pool/pool.h"

namespace exercises {

// Stops `pool` now, abandoning queued and running work, and returns once
// its workers are gone. Python: pool.terminate(); pool.join()
void StopNow(pool::Pool& pool);

// Runs fn over `items` in the workers, takes the first result to finish
// (whichever item it belongs to), stops the pool at once -- the other
// results are not needed -- and returns that first result.
long long FirstThenStop(pool::Pool& pool, long long (*fn)(long long),
                        const std::vector<long long>& items);

}  // namespace exercises

#endif  // EXERCISES_09_TERMINATE_EXERCISE_H_
