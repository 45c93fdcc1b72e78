// Tests for Exercise 10 (a pool's lifetime). They run against
// exercises/10_with (your code) and solutions/10_with.

#include "exercises/10_with/exercise.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <vector>

#include "exercises/testing/checks.h"
#include "exercises/testing/gate.h"
#include "pool/pool.h"
#include "pool/test_util.h"

namespace exercises {
namespace {

using ::exercises::testing::Gate;
using ::exercises::testing::NobodyGaveUp;
using ::exercises::testing::WaitAtGate;
using ::pool::testing::HasNoChildren;

// Tasks. They are plain functions: they run in the worker processes.

long long Cube(long long x) { return x * x * x; }
long long OwnPid(long long) { return ::getpid(); }
long long CubeAfterGate(long long x) { return WaitAtGate() ? x * x * x : -1; }

// Results equal a plain loop, for several inputs and pool sizes.
TEST(WithTest, MapInScopedPoolMatchesAPlainLoop) {
  for (int processes : {1, 2, 4}) {
    std::vector<long long> items, expected;
    for (long long x = -5; x < 20 * processes; ++x) {
      items.push_back(x);
      expected.push_back(Cube(x));
    }
    EXPECT_EQ(MapInScopedPool(processes, Cube, items), expected)
        << "with " << processes
        << " processes: the results should be fn of each item, in order";
  }
}

// The pool has the requested number of workers: with one worker, one
// process (not this one) computes every item; with three, at most three.
TEST(WithTest, MapInScopedPoolUsesThatManyWorkers) {
  const std::vector<long long> one =
      MapInScopedPool(1, OwnPid, std::vector<long long>(20, 0));
  ASSERT_EQ(one.size(), 20u) << "one result per item";
  EXPECT_NE(one.front(), ::getpid())
      << "the items ran in this test's own process: make a pool::Pool and "
         "map with it";
  EXPECT_EQ(std::set<long long>(one.begin(), one.end()).size(), 1u)
      << "MapInScopedPool(1, ...) should use a pool of 1 process";
  const std::vector<long long> three =
      MapInScopedPool(3, OwnPid, std::vector<long long>(60, 0));
  EXPECT_LE(std::set<long long>(three.begin(), three.end()).size(), 3u)
      << "MapInScopedPool(3, ...) should use a pool of 3 processes";
  EXPECT_EQ(std::count(three.begin(), three.end(), ::getpid()), 0)
      << "items ran in this test's own process, not in the pool";
}

// The pool does not outlive the function: when it returns, every process
// the pool started is gone.
TEST(WithTest, MapInScopedPoolLeavesNoProcessBehind) {
  EXPECT_EQ(MapInScopedPool(2, Cube, {1, 2, 3}),
            (std::vector<long long>{1, 8, 27}));
  EXPECT_TRUE(HasNoChildren())
      << "a process of the pool is still alive after MapInScopedPool "
         "returned: make the pool a local variable (no new, no static), so "
         "its destructor ends it";
}

// A task still running when the pool's scope ends is cancelled (the
// destructor terminates, like leaving Python's `with` block): the handle
// outlives the pool and resolves with pool::CancelledError.
TEST(WithTest, SubmitInScopedPoolCancelsWhatIsUnfinished) {
  Gate gate;  // The task waits at it; it is never opened.
  pool::AsyncResult<long long> r = SubmitInScopedPool(CubeAfterGate, 3);
  ASSERT_TRUE(NobodyGaveUp(
      gate.gave_up(), "a gate that never opens",
      "SubmitInScopedPool waited for its task. Return the AsyncResult at "
      "once; the pool's destructor then cancels the task."));
  EXPECT_THROW((void)r.get(), pool::CancelledError)
      << "the unfinished task should be cancelled when the pool's scope "
         "ends (the destructor calls terminate())";
  EXPECT_TRUE(HasNoChildren())
      << "a process of the pool is still alive after SubmitInScopedPool "
         "returned: make the pool a local variable";
}

}  // namespace
}  // namespace exercises
