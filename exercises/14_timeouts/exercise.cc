// Exercise 14: tasks that may never end. Replace each TODO; see README.md.

#include "exercises/14_timeouts/exercise.h"

#include <stdexcept>

namespace exercises {

DeadlineReport MapWithDeadline(pool::Pool& /*pool*/,
                               long long (* /*fn*/)(long long),
                               const std::vector<long long>& /*items*/,
                               std::chrono::milliseconds /*per_item*/) {
  // TODO: one task per item, each with {.timeout = per_item} (imap with
  // chunksize 1, or apply_async per item); then one result per item, in
  // input order: a value, or std::nullopt for pool::TaskTimeoutError (also
  // recorded in timed_out), pool::TaskError and pool::WorkerDiedError.
  throw std::logic_error("TODO: MapWithDeadline is not written yet");
}

Found FindFirst(pool::Pool& /*pool*/, long long (* /*fn*/)(long long),
                const std::vector<long long>& /*items*/,
                std::chrono::milliseconds /*per_item*/) {
  // TODO: apply_async every item with {.timeout = per_item}; get() them in
  // input order, a failure counting as "no"; at the first nonzero value,
  // cancel() every later result and count the ones that return true.
  throw std::logic_error("TODO: FindFirst is not written yet");
}

}  // namespace exercises
