// A wrong solution of exercise 04 that used to pass: MapTwoAtOnce with one
// std::async per item, so the items run on threads of the caller and never
// touch the pool.

#include <future>
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
  std::vector<std::future<long long>> fs, gs;
  for (long long x : items) fs.push_back(std::async(std::launch::async, f, x));
  for (long long x : items) gs.push_back(std::async(std::launch::async, g, x));
  std::pair<std::vector<long long>, std::vector<long long>> out;
  for (auto& r : fs) out.first.push_back(r.get());
  for (auto& r : gs) out.second.push_back(r.get());
  return out;
}

}  // namespace exercises
