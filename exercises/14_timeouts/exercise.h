// exercises/14_timeouts/exercise.h: Exercise 14, tasks that may never end.
//
// get(timeout) only stops waiting: a task that never returns keeps its
// worker, and the tasks queued behind it wait too. `.timeout` in a call's
// options kills the worker at the deadline and fails only that task, with
// pool::TaskTimeoutError; cancel() stops a task that has not started
// (lesson 14). Write the functions below in exercise.cc; README.md has the
// details.

#ifndef EXERCISES_14_TIMEOUTS_EXERCISE_H_
#define EXERCISES_14_TIMEOUTS_EXERCISE_H_

#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

#include "pool/pool.h"

namespace exercises {

// What became of each item of a map with a deadline per item.
struct DeadlineReport {
  // One per item, in input order: fn(item) if its task finished within
  // its deadline; std::nullopt if it ran past it, threw, or its worker
  // died.
  std::vector<std::optional<long long>> results;
  // The indices of the items whose task ran past its deadline, ascending.
  std::vector<std::size_t> timed_out;
};

// Runs fn on every item in the workers of `pool`, each item a task of its
// own that may run for at most `per_item` once it has started (time in
// the queue does not count), and reports what finished and what did not.
// A task past its deadline must be stopped, not only given up on: when
// this returns, no task of this call still holds a worker, and the pool is
// as usable as before.
DeadlineReport MapWithDeadline(pool::Pool& pool, long long (*fn)(long long),
                               const std::vector<long long>& items,
                               std::chrono::milliseconds per_item);

// What FindFirst found.
struct Found {
  // The index of the answer; std::nullopt if no item is one.
  std::optional<std::size_t> index;
  // How many of the tasks after the answer were cancelled before they
  // started (cancel() returned true).
  std::size_t cancelled = 0;
};

// Submits fn(item) for every item, each with `per_item` as its deadline,
// then looks at the results in input order: the answer is the first item
// whose task returned a nonzero value within its deadline (a task that ran
// past it, threw or died counts as "no"). Once the answer is known, every
// later task that has not started is cancelled: it never runs. Returns
// without waiting for the tasks still running; their deadlines end them.
Found FindFirst(pool::Pool& pool, long long (*fn)(long long),
                const std::vector<long long>& items,
                std::chrono::milliseconds per_item);

}  // namespace exercises

#endif  // EXERCISES_14_TIMEOUTS_EXERCISE_H_
