// Tests for Exercise 9 (Pool::terminate). They run against
// exercises/09_terminate (your code) and solutions/09_terminate.

#include "exercises/09_terminate/exercise.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <mutex>
#include <tuple>
#include <vector>

#include "exercises/testing/checks.h"
#include "exercises/testing/explain.h"
#include "exercises/testing/gate.h"
#include "pool/pool.h"

namespace exercises {
namespace {

using ::exercises::testing::Gate;
using ::exercises::testing::NobodyGaveUp;
using ::exercises::testing::RanInAWorker;
using ::exercises::testing::WaitAtGate;

// Tasks. They are plain functions: they run in the worker processes.

long long Square(long long x) { return x * x; }
long long OwnPid(long long) { return ::getpid(); }
// Waits at a gate that the tests never open: it finishes only if nobody
// stops it, after the guard (and then the gate records that it gave up).
long long SquareAfterGate(long long x) { return WaitAtGate() ? x * x : -1; }
// Item 1 answers at once with the pid of the process that ran it, times
// 10, plus 1; every other item waits at the shut gate.
long long OnlyOneIsFast(long long x) {
  return x == 1 ? ::getpid() * 10LL + 1 : SquareAfterGate(x);
}

class TerminateTest : public ::testing::Test {
 protected:
  Gate gate_;  // Before the pool: the workers must see it.
  pool::Pool pool_{4};
};

// Work that is running or still queued is cancelled: every such result
// fails with pool::CancelledError, and no task ran to the end.
TEST_F(TerminateTest, StopNowCancelsRunningAndQueuedWork) {
  std::vector<pool::AsyncResult<long long>> results;
  for (long long x = 0; x < 7; ++x) {  // 4 start, 3 wait in the queue.
    results.push_back(pool_.apply_async(SquareAfterGate, std::tuple{x}));
  }
  StopNow(pool_);
  ASSERT_TRUE(NobodyGaveUp(
      gate_.gave_up(),
      Explain("a gate that never opens", "一道永远不会打开的闸门"),
      Explain("StopNow waited for the running tasks instead of stopping "
              "them. Call terminate() (not close()), then join().",
              "StopNow 在等执行中的任务，而不是终止它们。应当调用 "
              "terminate()（不是 close()），再调用 join()。")));
  for (const auto& r : results) {
    EXPECT_THROW((void)r.get(), pool::CancelledError)
        << Explain("a task that was running or queued should be cancelled",
                   "执行中或排队中的任务应当被取消");
  }
}

// A map_async in progress is cancelled too, and its error callback hears
// of it once.
TEST_F(TerminateTest, StopNowCancelsAMapAndCallsItsErrorCallback) {
  // Shared with the callback: if StopNow throws, the pool's destructor
  // runs the callback after this test body has ended.
  struct Count {
    std::mutex mu;
    int cancelled = 0;
  };
  auto count = std::make_shared<Count>();
  pool::MapResult<long long> result =
      pool_.map_async(SquareAfterGate, std::vector<long long>(6, 3),
                      {.error_callback = [count](const pool::Error& e) {
                        std::lock_guard lock(count->mu);
                        if (dynamic_cast<const pool::CancelledError*>(&e))
                          ++count->cancelled;
                      }});
  StopNow(pool_);
  EXPECT_THROW((void)result.get(), pool::CancelledError)
      << Explain("a map still running should be cancelled by StopNow",
                 "仍在执行的 map 应当被 StopNow 取消");
  std::lock_guard lock(count->mu);
  EXPECT_EQ(count->cancelled, 1) << Explain(
      "the map's error callback should hear of the cancellation once",
      "map 的错误回调函数应当得知一次取消");
}

// Results that finished before the stop keep their values.
TEST_F(TerminateTest, StopNowKeepsFinishedResults) {
  pool::AsyncResult<long long> done =
      pool_.apply_async(Square, std::tuple{9LL});
  EXPECT_EQ(done.get(), 81);
  StopNow(pool_);
  EXPECT_TRUE(done.successful());
  EXPECT_EQ(done.get(), 81);
}

// Afterwards the pool refuses work ("Pool not running"), has no workers
// left, and join() returns at once.
TEST_F(TerminateTest, StopNowLeavesThePoolStopped) {
  StopNow(pool_);
  EXPECT_THROW((void)pool_.apply_async(Square, std::tuple{1LL}),
               pool::UsageError)
      << Explain("the pool still accepts work after StopNow",
                 "StopNow 之后进程池仍在接收工作");
  EXPECT_TRUE(pool_.worker_pids().empty())
      << Explain("the pool's workers are still there after StopNow",
                 "StopNow 之后进程池的工作进程仍然存在");
  pool_.join();
}

// FirstThenStop returns the result that finished first, even though it
// belongs to the second item, and stops the pool instead of waiting for
// the others (which could only end at the guard).
TEST_F(TerminateTest, FirstThenStopReturnsTheFirstToFinish) {
  const std::vector<pid_t> workers = pool_.worker_pids();
  const long long got = FirstThenStop(pool_, OnlyOneIsFast, {0, 1, 2});
  ASSERT_TRUE(NobodyGaveUp(
      gate_.gave_up(),
      Explain("a gate that never opens", "一道永远不会打开的闸门"),
      Explain("FirstThenStop waited for the slow items. Take the first "
              "result of imap_unordered, which is the first to finish (imap "
              "would wait for item 0), then terminate().",
              "FirstThenStop 在等那些慢的元素。应当取 imap_unordered "
              "的第一个结果，它就是最先完成的那个（imap 会等元素 0），"
              "然后调用 terminate()。")));
  EXPECT_EQ(got % 10, 1) << Explain("the first result to finish is item 1's",
                                    "第一个完成的结果是元素 1 的");
  EXPECT_TRUE(RanInAWorker("FirstThenStop", got / 10, workers));
  EXPECT_THROW((void)pool_.apply_async(Square, std::tuple{1LL}),
               pool::UsageError)
      << Explain(
             "the pool still accepts work: FirstThenStop should terminate() it",
             "进程池仍在接收工作：FirstThenStop 应当 terminate() 它");
}

// FirstThenStop's result was computed in a worker process.
TEST_F(TerminateTest, FirstThenStopRunsInAWorker) {
  const std::vector<pid_t> workers = pool_.worker_pids();
  EXPECT_TRUE(RanInAWorker("FirstThenStop",
                           FirstThenStop(pool_, OwnPid, {5, 6, 7}), workers));
}

}  // namespace
}  // namespace exercises
