// A wrong solution of exercise 04 that used to pass: MapTwoAtOnce on a
// pool::ThreadPool of its own, so the items run on threads of the caller.

#include <optional>

#include "exercises/04_map_async/exercise.h"

namespace exercises {

pool::MapResult<long long> MapAsync(
    pool::Pool& pool, long long (*fn)(long long),
    const std::vector<long long>& items,
    std::function<void(const std::vector<long long>&)> on_results,
    std::function<void(const pool::Error&)> on_error) {
  return pool.map_async(fn, items,
                        {.callback = std::move(on_results),
                         .error_callback = std::move(on_error)});
}

std::pair<std::vector<long long>, std::vector<long long>> MapTwoAtOnce(
    pool::Pool& /*pool*/, long long (*f)(long long), long long (*g)(long long),
    const std::vector<long long>& items) {
  pool::ThreadPool threads(8);
  pool::MapResult<long long> fs = threads.map_async(f, items);
  pool::MapResult<long long> gs = threads.map_async(g, items);
  return {fs.get(), gs.get()};
}

}  // namespace exercises
