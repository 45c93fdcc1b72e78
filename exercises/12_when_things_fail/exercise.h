// exercises/12_when_things_fail/exercise.h: Exercise 12, when things fail.
//
// A task can fail in three ways, and each reaches the caller as its own
// pool::Error subclass:
//   - the task throws           -> pool::TaskError (type_name(), message())
//   - its worker process dies   -> pool::WorkerDiedError (the pool replaces
//                                  the worker and keeps going)
//   - get(timeout) runs out     -> pool::TimeoutError (the task keeps
//                                  running)
// Write the functions below in exercise.cc; README.md has the details.

#ifndef EXERCISES_12_WHEN_THINGS_FAIL_EXERCISE_H_
#define EXERCISES_12_WHEN_THINGS_FAIL_EXERCISE_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "pool/pool.h"

namespace exercises {

// How a task went.
struct Outcome {
  enum class Kind { kValue, kTaskError, kWorkerDied, kTimeout };
  Kind kind = Kind::kValue;
  // kValue: the task's result.
  long long value = 0;
  // kTaskError: the TaskError's message() (the task's what()).
  // kWorkerDied: the WorkerDiedError's what() (it says how the worker died).
  // kValue, kTimeout: empty.
  std::string detail;
};

// Runs fn(x) in a worker of `pool`, waits at most `timeout` for it, and
// reports how it went. Every pool::Error of these three kinds is caught
// and reported, not thrown.
Outcome RunAndClassify(pool::Pool& pool, long long (*fn)(long long),
                       long long x, std::chrono::milliseconds timeout);

// Runs fn over `items` in the workers and returns every result, in input
// order, with std::nullopt for each item whose task failed (threw, or its
// worker died). One failure must not lose the other results.
std::vector<std::optional<long long>> MapKeepingGoing(
    pool::Pool& pool, long long (*fn)(long long),
    const std::vector<long long>& items);

}  // namespace exercises

#endif  // EXERCISES_12_WHEN_THINGS_FAIL_EXERCISE_H_
