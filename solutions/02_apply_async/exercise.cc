// Exercise 2: Pool::apply_async, the reference solution.

#include "exercises/02_apply_async/exercise.h"

#include <tuple>
#include <utility>

namespace exercises {

pool::AsyncResult<std::string> Submit(pool::Pool& pool,
                                      std::string (*fn)(std::string),
                                      std::string arg) {
  // The arguments are always a tuple, Python's args=(arg,).
  return pool.apply_async(fn, std::tuple{std::move(arg)});
}

pool::AsyncResult<std::string> SubmitWithCallback(
    pool::Pool& pool, std::string (*fn)(std::string), std::string arg,
    std::function<void(const std::string&)> on_result) {
  return pool.apply_async(fn, std::tuple{std::move(arg)},
                          {.callback = std::move(on_result)});
}

std::vector<std::string> SubmitAllThenJoin(
    pool::Pool& pool, std::string (*fn)(std::string),
    const std::vector<std::string>& args) {
  // Step 1. Submit everything first: apply_async does not wait, so the
  // tasks run side by side in the workers.
  std::vector<pool::AsyncResult<std::string>> pending;
  pending.reserve(args.size());
  for (const std::string& arg : args) {
    pending.push_back(pool.apply_async(fn, std::tuple{arg}));
  }
  // Step 2. close(): no more work; the queued tasks still run. join():
  // wait until they have, and the workers have exited.
  pool.close();
  pool.join();
  // Step 3. Every result is in by now; get() does not block.
  std::vector<std::string> results;
  results.reserve(pending.size());
  for (const auto& result : pending) results.push_back(result.get());
  return results;
}

}  // namespace exercises
