// A wrong solution of exercise 14: FindFirst finds the answer but cancels
// nothing: every task after it still runs, for nothing.

#include <tuple>

#include "exercises/14_timeouts/exercise.h"

namespace exercises {

DeadlineReport MapWithDeadline(pool::Pool& pool, long long (*fn)(long long),
                               const std::vector<long long>& items,
                               std::chrono::milliseconds per_item) {
  DeadlineReport report;
  // Step 1. One task per item (chunksize 1: with larger chunks, one slow
  // item would take its whole chunk down with it), each with its deadline.
  // At a deadline the pool kills that worker and starts another: nothing
  // is left running.
  auto results = pool.imap(fn, items, {.chunksize = 1, .timeout = per_item});
  // Step 2. One result per item, in input order; each failure stands in
  // its own place and the iteration goes on.
  for (std::size_t i = 0; i < items.size(); ++i) {
    try {
      report.results.push_back(results.next());
    } catch (const pool::TaskTimeoutError&) {
      report.results.push_back(std::nullopt);
      report.timed_out.push_back(i);
    } catch (const pool::TaskError&) {
      report.results.push_back(std::nullopt);
    } catch (const pool::WorkerDiedError&) {
      report.results.push_back(std::nullopt);
    }
  }
  return report;
}

Found FindFirst(pool::Pool& pool, long long (*fn)(long long),
                const std::vector<long long>& items,
                std::chrono::milliseconds per_item) {
  // Step 1. Everything submitted at once, each with its own deadline.
  std::vector<pool::AsyncResult<long long>> tasks;
  for (long long item : items) {
    tasks.push_back(
        pool.apply_async(fn, std::tuple{item}, {.timeout = per_item}));
  }
  // Step 2. In input order: get() waits at most until the task's deadline
  // (plus its time in the queue), because the pool ends it there.
  Found found;
  for (std::size_t i = 0; i < tasks.size() && !found.index; ++i) {
    try {
      if (tasks[i].get() != 0) found.index = i;
    } catch (const pool::TaskTimeoutError&) {
    } catch (const pool::TaskError&) {
    } catch (const pool::WorkerDiedError&) {
    }
  }
  return found;
}

}  // namespace exercises
