// A wrong solution of exercise 14: MapWithDeadline gives each item up
// with get(per_item) instead of giving it a .timeout. The stuck tasks run
// on and hold their workers; the items queued behind them wait too, and
// are reported as timed out although they never ran.

#include <tuple>

#include "exercises/14_timeouts/exercise.h"

namespace exercises {

DeadlineReport MapWithDeadline(pool::Pool& pool, long long (*fn)(long long),
                               const std::vector<long long>& items,
                               std::chrono::milliseconds per_item) {
  DeadlineReport report;
  std::vector<pool::AsyncResult<long long>> tasks;
  for (long long item : items) {
    tasks.push_back(pool.apply_async(fn, std::tuple{item}));
  }
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    try {
      report.results.push_back(tasks[i].get(per_item));
    } catch (const pool::TimeoutError&) {
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
  // Step 3. The rest is not needed: the tasks not started never will be.
  // (cancel() is false for one already running; its deadline ends it.)
  if (found.index) {
    for (std::size_t i = *found.index + 1; i < tasks.size(); ++i) {
      if (tasks[i].cancel()) ++found.cancelled;
    }
  }
  return found;
}

}  // namespace exercises
