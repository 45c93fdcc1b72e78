// Exercise 9: Pool::terminate, the reference solution.

#include "exercises/09_terminate/exercise.h"

#include <optional>

namespace exercises {

void StopNow(pool::Pool& pool) {
  // terminate() kills the workers (SIGKILL, which a task cannot ignore),
  // resolves every unfinished result with pool::CancelledError and returns
  // when no worker is left. The join() that Python needs afterwards is
  // harmless here: it returns at once.
  pool.terminate();
  pool.join();
}

long long FirstThenStop(pool::Pool& pool, long long (*fn)(long long),
                        const std::vector<long long>& items) {
  // Step 1. imap_unordered yields results in completion order; imap would
  // wait for the first item even if another finished long before it.
  pool::IMapIterator<long long> results = pool.imap_unordered(fn, items);
  // Step 2. The first to finish. (A real program would check for nullopt,
  // the empty input; the exercise always has items.)
  const std::optional<long long> first = results.next();
  // Step 3. Nobody wants the others: kill them instead of waiting.
  pool.terminate();
  return first.value();
}

}  // namespace exercises
