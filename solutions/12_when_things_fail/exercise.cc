// Exercise 12: when things fail, the reference solution.

#include "exercises/12_when_things_fail/exercise.h"

#include <tuple>

namespace exercises {

Outcome RunAndClassify(pool::Pool& pool, long long (*fn)(long long),
                       long long x, std::chrono::milliseconds timeout) {
  // Step 1. Submit.
  pool::AsyncResult<long long> result = pool.apply_async(fn, std::tuple{x});
  // Step 2. Wait, at most `timeout`.
  try {
    return {Outcome::Kind::kValue, result.get(timeout), ""};
  } catch (const pool::TaskError& e) {
    // Step 3. The task threw: message() is its what(), type_name() its type.
    return {Outcome::Kind::kTaskError, 0, e.message()};
  } catch (const pool::WorkerDiedError& e) {
    // The worker was killed or exited; what() says how. The pool has
    // already forked a replacement.
    return {Outcome::Kind::kWorkerDied, 0, e.what()};
  } catch (const pool::TimeoutError&) {
    // Only the waiting gave up: the task is still running in its worker.
    return {Outcome::Kind::kTimeout, 0, ""};
  }
}

std::vector<std::optional<long long>> MapKeepingGoing(
    pool::Pool& pool, long long (*fn)(long long),
    const std::vector<long long>& items) {
  // imap reports each item on its own: next() throws that item's error, and
  // the following items can still be read. (Python's imap behaves alike.)
  pool::IMapIterator<long long> results = pool.imap(fn, items);
  std::vector<std::optional<long long>> out;
  out.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    try {
      out.push_back(results.next());
    } catch (const pool::TaskError&) {
      out.push_back(std::nullopt);
    } catch (const pool::WorkerDiedError&) {
      out.push_back(std::nullopt);
    }
  }
  return out;
}

}  // namespace exercises
