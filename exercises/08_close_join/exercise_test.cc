// Tests for Exercise 8 (Pool::close and join). They run against
// exercises/08_close_join (your code) and solutions/08_close_join.

#include "exercises/08_close_join/exercise.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <stop_token>
#include <thread>
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
long long Noop(long long x) { return x; }
long long OwnPid(long long) { return ::getpid(); }
long long SquareAfterGate(long long x) { return WaitAtGate() ? x * x : -1; }

// Whether the pool has stopped accepting work. (It probes with a task that
// does nothing, which a running pool accepts and soon runs.)
bool StoppedAccepting(pool::Pool& pool) {
  try {
    (void)pool.apply_async(Noop, std::tuple{0LL});
    return false;
  } catch (const pool::UsageError&) {
    return true;
  }
}

class CloseJoinTest : public ::testing::Test {
 protected:
  Gate gate_;  // Before the pool: the workers must see it.
  pool::Pool pool_{4};
};

// Work that is running or still queued when the pool closes runs to the
// end, and FinishAndShutDown returns only once it has. (The tasks wait at
// a gate that opens once the pool has stopped accepting work, that is,
// after close() and before join() can return.)
TEST_F(CloseJoinTest, FinishAndShutDownLetsQueuedWorkFinish) {
  std::vector<pool::AsyncResult<long long>> results;
  for (long long x = 0; x < 7; ++x) {  // 4 start, 3 wait in the queue.
    results.push_back(pool_.apply_async(SquareAfterGate, std::tuple{x}));
  }
  std::jthread opener([this](std::stop_token stop) {
    while (!stop.stop_requested() && !StoppedAccepting(pool_)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    gate_.Open();
  });
  FinishAndShutDown(pool_);
  ASSERT_TRUE(NobodyGaveUp(
      gate_.gave_up(),
      Explain("the pool to stop accepting work (close())",
              "进程池不再接受新任务（close()）"),
      Explain("FinishAndShutDown did not close the pool, or waited before "
              "closing it. Call close(), then join().",
              "FinishAndShutDown 没有关闭进程池，或者在关闭之前就等待了。"
              "应当先调用 close()，再调用 join()。")));
  for (long long x = 0; x < 7; ++x) {
    EXPECT_TRUE(results[x].ready())
        << Explain("FinishAndShutDown returned before task ",
                   "FinishAndShutDown 在任务 ")
        << x
        << Explain(" ended; join() waits for the queued work",
                   " 结束之前就返回了；join() 会等待排队中的工作");
  }
  for (long long x = 0; x < 7; ++x) {
    try {
      EXPECT_EQ(results[x].get(), x * x);
    } catch (const pool::CancelledError&) {
      ADD_FAILURE() << Explain("task ", "任务 ") << x
                    << Explain(
                           " was cancelled: close() and join() let queued work "
                           "finish, terminate() cancels it",
                           " 被取消了：close() 和 join() "
                           "让排队中的工作执行完，terminate() 则会取消它");
    }
  }
}

// Afterwards the workers are gone, new work is refused, and join() again
// returns at once.
TEST_F(CloseJoinTest, FinishAndShutDownLeavesThePoolShutDown) {
  pool::AsyncResult<long long> before =
      pool_.apply_async(Square, std::tuple{12LL});
  FinishAndShutDown(pool_);
  EXPECT_EQ(before.get(), 144);
  EXPECT_TRUE(pool_.worker_pids().empty()) << Explain(
      "the workers are still running after FinishAndShutDown: join() waits "
      "until they have exited",
      "FinishAndShutDown 之后工作进程仍在运行：join() 会等到它们退出");
  EXPECT_THROW((void)pool_.apply_async(Square, std::tuple{1LL}),
               pool::UsageError)
      << Explain(
             "the pool still accepts work after FinishAndShutDown: close() it",
             "FinishAndShutDown 之后进程池仍在接收工作：要 close() 它");
  pool_.join();
}

// While the pool runs, TrySubmit submits: the task runs in a worker and
// its result arrives.
TEST_F(CloseJoinTest, TrySubmitSubmitsWhileRunning) {
  std::optional<pool::AsyncResult<long long>> r = TrySubmit(pool_, Square, 6);
  ASSERT_TRUE(r.has_value())
      << Explain("TrySubmit returned std::nullopt although the pool is running",
                 "进程池正在运行，TrySubmit 却返回了 std::nullopt");
  EXPECT_EQ(r->get(), 36) << Explain("TrySubmit(pool, fn, 6) should run fn(6)",
                                     "TrySubmit(pool, fn, 6) 应当执行 fn(6)");
  std::optional<pool::AsyncResult<long long>> pid = TrySubmit(pool_, OwnPid, 0);
  ASSERT_TRUE(pid.has_value());
  EXPECT_TRUE(RanInAWorker("TrySubmit", pid->get(), pool_.worker_pids()));
}

// After close(), and after terminate(), TrySubmit reports the refusal as
// std::nullopt instead of throwing.
TEST_F(CloseJoinTest, TrySubmitReportsAStoppedPool) {
  pool_.close();
  EXPECT_FALSE(TrySubmit(pool_, Square, 1).has_value())
      << Explain("after close(), TrySubmit should return std::nullopt",
                 "close() 之后，TrySubmit 应当返回 std::nullopt");
  pool::Pool other(1);
  other.terminate();
  EXPECT_FALSE(TrySubmit(other, Square, 1).has_value())
      << Explain("after terminate(), TrySubmit should return std::nullopt",
                 "terminate() 之后，TrySubmit 应当返回 std::nullopt");
}

}  // namespace
}  // namespace exercises
