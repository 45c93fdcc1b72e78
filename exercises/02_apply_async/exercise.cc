// Exercise 2: Pool::apply_async. Replace each TODO; see README.md.

#include "exercises/02_apply_async/exercise.h"

#include <stdexcept>

namespace exercises {

pool::AsyncResult<std::string> Submit(pool::Pool& /*pool*/,
                                      std::string (* /*fn*/)(std::string),
                                      std::string /*arg*/) {
  // TODO: submit fn(arg) with apply_async and return the result handle.
  // Do not wait for it.
  throw std::logic_error("TODO: Submit is not written yet");
}

pool::AsyncResult<std::string> SubmitWithCallback(
    pool::Pool& /*pool*/, std::string (* /*fn*/)(std::string),
    std::string /*arg*/,
    std::function<void(const std::string&)> /*on_result*/) {
  // TODO: as Submit, passing on_result as the callback.
  throw std::logic_error("TODO: SubmitWithCallback is not written yet");
}

std::vector<std::string> SubmitAllThenJoin(
    pool::Pool& /*pool*/, std::string (* /*fn*/)(std::string),
    const std::vector<std::string>& /*args*/) {
  // TODO:
  // Step 1. Submit fn(arg) for every arg; keep the AsyncResults.
  // Step 2. Close the pool, then join it.
  // Step 3. Return the results, in the order of args.
  throw std::logic_error("TODO: SubmitAllThenJoin is not written yet");
}

}  // namespace exercises
