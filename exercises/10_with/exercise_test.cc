// Tests for Exercise 10 (a pool's lifetime). They run against
// exercises/10_with (your code) and solutions/10_with.

#include "exercises/10_with/exercise.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <vector>

#include "exercises/testing/checks.h"
#include "exercises/testing/explain.h"
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
        << Explain("with ", "进程数 ") << processes
        << Explain(
               " processes: the results should be fn of each item, in order",
               "：结果应当是按顺序对每个元素调用 fn 的值");
  }
}

// The pool has the requested number of workers: with one worker, one
// process (not this one) computes every item; with three, at most three.
TEST(WithTest, MapInScopedPoolUsesThatManyWorkers) {
  const std::vector<long long> one =
      MapInScopedPool(1, OwnPid, std::vector<long long>(20, 0));
  ASSERT_EQ(one.size(), 20u)
      << Explain("one result per item", "每个元素一个结果");
  EXPECT_NE(one.front(), ::getpid()) << Explain(
      "the items ran in this test's own process: make a pool::Pool and map "
      "with it",
      "各元素在本测试自己的进程中执行了：创建一个 pool::Pool 并用它执行 map");
  EXPECT_EQ(std::set<long long>(one.begin(), one.end()).size(), 1u)
      << Explain("MapInScopedPool(1, ...) should use a pool of 1 process",
                 "MapInScopedPool(1, ...) 应当使用 1 个进程的进程池");
  const std::vector<long long> three =
      MapInScopedPool(3, OwnPid, std::vector<long long>(60, 0));
  EXPECT_LE(std::set<long long>(three.begin(), three.end()).size(), 3u)
      << Explain("MapInScopedPool(3, ...) should use a pool of 3 processes",
                 "MapInScopedPool(3, ...) 应当使用 3 个进程的进程池");
  EXPECT_EQ(std::count(three.begin(), three.end(), ::getpid()), 0)
      << Explain("items ran in this test's own process, not in the pool",
                 "元素在本测试自己的进程中执行了，而不是在进程池中");
}

// The pool does not outlive the function: when it returns, every process
// the pool started is gone.
TEST(WithTest, MapInScopedPoolLeavesNoProcessBehind) {
  EXPECT_EQ(MapInScopedPool(2, Cube, {1, 2, 3}),
            (std::vector<long long>{1, 8, 27}));
  EXPECT_TRUE(HasNoChildren()) << Explain(
      "a process of the pool is still alive after MapInScopedPool returned: "
      "make the pool a local variable (no new, no static), so its destructor "
      "ends it",
      "MapInScopedPool 返回后，进程池仍有进程活着：把进程池作为局部变量（不用 "
      "new，不用 static），让它的析构函数结束它");
}

// A task still running when the pool's scope ends is cancelled (the
// destructor terminates, like leaving Python's `with` block): the handle
// outlives the pool and resolves with pool::CancelledError.
TEST(WithTest, SubmitInScopedPoolCancelsWhatIsUnfinished) {
  Gate gate;  // The task waits at it; it is never opened.
  pool::AsyncResult<long long> r = SubmitInScopedPool(CubeAfterGate, 3);
  ASSERT_TRUE(NobodyGaveUp(
      gate.gave_up(),
      Explain("a gate that never opens", "一道永远不会打开的闸门"),
      Explain("SubmitInScopedPool waited for its task. Return the "
              "AsyncResult at once; the pool's destructor then cancels the "
              "task.",
              "SubmitInScopedPool 在等它的任务。应当立即返回 AsyncResult；"
              "随后进程池的析构函数会取消这个任务。")));
  EXPECT_THROW((void)r.get(), pool::CancelledError) << Explain(
      "the unfinished task should be cancelled when the pool's scope ends (the "
      "destructor calls terminate())",
      "进程池的作用域结束时，未完成的任务应当被取消（析构函数调用 "
      "terminate()）");
  EXPECT_TRUE(HasNoChildren()) << Explain(
      "a process of the pool is still alive after SubmitInScopedPool returned: "
      "make the pool a local variable",
      "SubmitInScopedPool 返回后，进程池仍有进程活着：把进程池作为局部变量");
}

}  // namespace
}  // namespace exercises
