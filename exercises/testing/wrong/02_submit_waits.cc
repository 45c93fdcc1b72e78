// A wrong solution of exercise 02: Submit waits for its task before
// returning (it took 20 s and more to fail).

#include <tuple>
#include <utility>

#include "exercises/02_apply_async/exercise.h"

namespace exercises {

pool::AsyncResult<std::string> Submit(pool::Pool& pool,
                                      std::string (*fn)(std::string),
                                      std::string arg) {
  pool::AsyncResult<std::string> r =
      pool.apply_async(fn, std::tuple{std::move(arg)});
  r.wait();
  return r;
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
  // Waits for each task before submitting the next.
  std::vector<std::string> results;
  for (const std::string& arg : args) {
    results.push_back(pool.apply_async(fn, std::tuple{arg}).get());
  }
  pool.close();
  pool.join();
  return results;
}

}  // namespace exercises
