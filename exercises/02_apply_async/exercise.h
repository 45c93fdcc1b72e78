// exercises/02_apply_async/exercise.h: Exercise 2, Pool::apply_async.
//
// Python's pool.apply_async(func, args, callback=...) submits func(*args) and
// returns at once with an AsyncResult; the caller collects the result later
// with get(). The source article's first program submits one task three
// times (with a default, a positional and a keyword argument) and then calls
// close() and join(). Write the functions below in exercise.cc; README.md
// has the details.

#ifndef EXERCISES_02_APPLY_ASYNC_EXERCISE_H_
#define EXERCISES_02_APPLY_ASYNC_EXERCISE_H_

#include <functional>
#include <string>
#include <vector>

#include "pool/pool.h"

namespace exercises {

// Submits fn(arg) to `pool` and returns its AsyncResult at once, without
// waiting for the task. Python: pool.apply_async(fn, (arg,))
pool::AsyncResult<std::string> Submit(pool::Pool& pool,
                                      std::string (*fn)(std::string),
                                      std::string arg);

// As Submit, and on_result(result) is called (in this process) when the
// task has finished. Python: pool.apply_async(fn, (arg,), callback=...)
pool::AsyncResult<std::string> SubmitWithCallback(
    pool::Pool& pool, std::string (*fn)(std::string), std::string arg,
    std::function<void(const std::string&)> on_result);

// The article's program: submits fn(arg) for every arg with apply_async --
// all of them before waiting for any -- then closes the pool, joins it, and
// returns the results in the order of `args`.
std::vector<std::string> SubmitAllThenJoin(
    pool::Pool& pool, std::string (*fn)(std::string),
    const std::vector<std::string>& args);

}  // namespace exercises

#endif  // EXERCISES_02_APPLY_ASYNC_EXERCISE_H_
