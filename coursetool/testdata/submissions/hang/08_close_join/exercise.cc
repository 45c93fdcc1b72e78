// A hostile submission: FinishAndShutDown never returns; TrySubmit is
// correct.

#include "exercises/08_close_join/exercise.h"

#include <unistd.h>

#include <tuple>

namespace exercises {

void FinishAndShutDown(pool::Pool& /*pool*/) {
  for (;;) ::pause();
}

std::optional<pool::AsyncResult<long long>> TrySubmit(
    pool::Pool& pool, long long (*fn)(long long), long long x) {
  try {
    return pool.apply_async(fn, std::tuple{x});
  } catch (const pool::UsageError&) {
    return std::nullopt;
  }
}

}  // namespace exercises
