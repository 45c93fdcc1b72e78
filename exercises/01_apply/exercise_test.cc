// Tests for Exercise 1 (Pool::apply). They run against exercises/01_apply
// (your code) and against solutions/01_apply (the reference).

#include "exercises/01_apply/exercise.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "exercises/testing/checks.h"
#include "exercises/testing/explain.h"
#include "pool/pool.h"

namespace exercises {
namespace {

using ::exercises::testing::RanInAWorker;

// Tasks. They are plain functions: they run in the worker processes.

// The article's action: 0 + 1 + ... + (max - 1).
long long SumBelow(long long max) {
  long long sum = 0;
  for (long long i = 0; i < max; ++i) sum += i;
  return sum;
}
long long OwnPid() { return ::getpid(); }
long long OwnPidIgnoring(long long) { return ::getpid(); }
long long OwnPidIgnoringBoth(long long, long long) { return ::getpid(); }
// Not symmetric, so swapped arguments show.
long long Place(long long a, long long b) { return a * 1000 + b; }
long long FailIfNegative(long long x) {
  if (x < 0) throw std::invalid_argument("negative: " + std::to_string(x));
  return x;
}

class ApplyTest : public ::testing::Test {
 protected:
  pool::Pool pool_{4};
};

// ApplyOne returns fn(x), the same value a plain call gives, for any x.
TEST_F(ApplyTest, ApplyOneMatchesPlainCall) {
  for (long long x : {0LL, 1LL, 50LL, 100LL, 150LL, 7777LL, -3LL}) {
    EXPECT_EQ(ApplyOne(pool_, SumBelow, x), SumBelow(x))
        << "ApplyOne(pool, fn, " << x
        << Explain(") should return fn(", ") 应当返回 fn(") << x << ")";
  }
}

// ApplyOne runs the task in a worker process, not in the caller.
TEST_F(ApplyTest, ApplyOneRunsInAWorker) {
  const long long pid = ApplyOne(pool_, OwnPidIgnoring, 0);
  EXPECT_TRUE(RanInAWorker("ApplyOne", pid, pool_.worker_pids()));
}

// ApplyTwo passes both arguments, in order.
TEST_F(ApplyTest, ApplyTwoPassesArgumentsInOrder) {
  const std::vector<std::pair<long long, long long>> cases = {
      {1, 2}, {2, 1}, {0, 999}, {-4, 7}, {123, 456}};
  for (const auto& [a, b] : cases) {
    EXPECT_EQ(ApplyTwo(pool_, Place, a, b), Place(a, b))
        << "ApplyTwo(pool, fn, " << a << ", " << b
        << Explain(") should return fn(", ") 应当返回 fn(") << a << ", " << b
        << Explain("), the arguments in that order", ")，参数按这个顺序");
  }
}

// ApplyTwo runs the task in a worker process, not in the caller.
TEST_F(ApplyTest, ApplyTwoRunsInAWorker) {
  const long long pid = ApplyTwo(pool_, OwnPidIgnoringBoth, 1, 2);
  EXPECT_TRUE(RanInAWorker("ApplyTwo", pid, pool_.worker_pids()));
}

// ApplyNoArgs runs a task that takes no arguments in a worker process.
TEST_F(ApplyTest, ApplyNoArgsRunsInAWorker) {
  const long long pid = ApplyNoArgs(pool_, OwnPid);
  EXPECT_TRUE(RanInAWorker("ApplyNoArgs", pid, pool_.worker_pids()));
}

// A task's exception comes back to the caller as pool::TaskError; the
// functions let it through instead of hiding it.
TEST_F(ApplyTest, ApplyOneLetsTaskErrorsThrough) {
  EXPECT_EQ(ApplyOne(pool_, FailIfNegative, 5), 5);
  try {
    (void)ApplyOne(pool_, FailIfNegative, -2);
    ADD_FAILURE() << Explain(
        "The task threw, so ApplyOne should have thrown pool::TaskError; it "
        "returned normally. Let the error through: no try/catch around "
        "pool.apply.",
        "任务抛出了异常，所以 ApplyOne 应当抛出 "
        "pool::TaskError；它却正常返回了。让错误传出来：不要在 pool.apply "
        "外面包 "
        "try/catch。");
  } catch (const pool::TaskError& e) {
    EXPECT_EQ(e.message(), "negative: -2")
        << Explain("the TaskError should carry the task's own message",
                   "TaskError 应当带有任务自己的消息");
  }
}

}  // namespace
}  // namespace exercises
