// Tests for step b06 (apply_async: futures and a handler thread). They run
// against exercises/b06_apply_async (your code) and
// solutions/b06_apply_async.

#include "exercises/b06_apply_async/pool.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "exercises/testing/explain.h"
#include "exercises/testing/track_testing.h"

namespace bpool {
namespace {

using ::exercises::testing::Children;
using ::exercises::testing::FinishesWithin;
using ::exercises::testing::kCallGuard;
using ::exercises::testing::SharedCounters;
using ::exercises::testing::WaitForCounter;

constexpr int kArrived = 0;
constexpr int kRelease = 1;

// Tasks: plain functions, run in the workers.
std::int64_t Square(std::int64_t x) { return x * x; }
std::int64_t OwnPid(std::int64_t) { return ::getpid(); }
std::int64_t ThrowOn13(std::int64_t x) {
  if (x == 13) throw std::runtime_error("boom: 13");
  return x;
}
// Waits until the test releases it; returns x, or -1 if it gave up.
std::int64_t WaitForRelease(std::int64_t x) {
  return WaitForCounter(kRelease, 1) ? x : -1;
}
// Returns its pid once `n` tasks are running at once; -1 if it gave up.
std::int64_t Barrier(std::int64_t n) {
  SharedCounters::Current()[kArrived].fetch_add(1);
  return WaitForCounter(kArrived, n) ? ::getpid() : -1;
}

class PoolTest : public ::testing::Test {
 protected:
  void Start(int workers) { pool_ = std::make_shared<Pool>(workers); }

  // Waits for `r` under a hang guard; false (and a failure) if it never
  // becomes ready.
  static bool Settles(const AsyncResult& r, const char* what) {
    const bool ready = FinishesWithin(kCallGuard, [r] { r.wait(); });
    if (!ready) {
      ADD_FAILURE() << what
                    << Explain(": the result did not become ready within ",
                               "：结果没有在以下时间内就绪：")
                    << kCallGuard.count() << Explain(" s", " 秒");
    }
    return ready;
  }

  void TearDown() override {
    pool_ = nullptr;
    EXPECT_TRUE(Children().empty())
        << Children().size()
        << Explain(" worker process(es) left after ~Pool()",
                   " 个工作进程在 ~Pool() 之后仍然存在");
  }

  SharedCounters counters_;  // Before the pool: the workers share it.
  std::shared_ptr<Pool> pool_;
};

// apply_async(fn, x).get() is fn(x), computed in a worker.
TEST_F(PoolTest, ApplyAsyncGivesTheResult) {
  Start(2);
  AsyncResult r = pool_->apply_async(Square, 7);
  ASSERT_TRUE(Settles(r, "apply_async(Square, 7)"));
  EXPECT_EQ(r.get(), 49);
  AsyncResult pid = pool_->apply_async(OwnPid, 0);
  ASSERT_TRUE(Settles(pid, "apply_async(OwnPid, 0)"));
  EXPECT_NE(pid.get(), ::getpid()) << Explain(
      "the task ran in the calling process", "任务在调用者的进程中执行了");
}

// apply_async returns before the task has finished; get() blocks until it
// has, and then returns its result.
TEST_F(PoolTest, GetBlocksUntilReady) {
  Start(2);
  AsyncResult r = pool_->apply_async(WaitForRelease, 5);
  EXPECT_FALSE(r.ready()) << Explain("ready() before the task could finish",
                                     "任务还不可能完成时 ready() 就为真了");
  EXPECT_FALSE(r.wait_for(std::chrono::milliseconds(50)))
      << Explain("wait_for() said ready before the task could finish",
                 "任务还不可能完成时 wait_for() 就说已就绪");
  counters_[kRelease] = 1;
  auto value = std::make_shared<std::int64_t>(0);
  ASSERT_TRUE(FinishesWithin(kCallGuard, [r, value] { *value = r.get(); }))
      << Explain("get() did not return after the task was released",
                 "任务被放行之后 get() 没有返回");
  EXPECT_NE(*value, -1) << Explain(
      "the task gave up waiting: apply_async() did not return until the task "
      "had ended",
      "任务等不下去了：apply_async() 直到任务结束才返回");
  EXPECT_EQ(*value, 5);
  EXPECT_TRUE(r.ready());
  EXPECT_TRUE(r.wait_for(std::chrono::milliseconds(0)));
}

// Many jobs can be in flight at once: 1 000 submitted before any get().
TEST_F(PoolTest, ManyInFlight) {
  Start(2);
  std::vector<AsyncResult> results;
  for (std::int64_t i = 0; i < 1000; ++i) {
    results.push_back(pool_->apply_async(Square, i));
  }
  for (std::int64_t i = 0; i < 1000; ++i) {
    ASSERT_TRUE(Settles(results[i], "one of 1000 apply_async"));
    ASSERT_EQ(results[i].get(), i * i) << Explain("result ", "结果 ") << i;
  }
}

// Jobs run on all the workers at once.
TEST_F(PoolTest, JobsRunOnAllWorkersAtOnce) {
  Start(3);
  std::vector<AsyncResult> results;
  for (int i = 0; i < 3; ++i) results.push_back(pool_->apply_async(Barrier, 3));
  std::set<std::int64_t> pids;
  for (const AsyncResult& r : results) {
    ASSERT_TRUE(Settles(r, "Barrier"));
    EXPECT_NE(r.get(), -1) << Explain("3 jobs never ran at once on 3 workers",
                                      "3 件工作从未在 3 个工作进程上同时执行");
    pids.insert(r.get());
  }
  EXPECT_EQ(pids.size(), 3u);
}

// A task's exception comes out of get() as TaskFailed, with its message;
// the pool goes on.
TEST_F(PoolTest, TaskErrorComesOutOfGet) {
  Start(2);
  AsyncResult bad = pool_->apply_async(ThrowOn13, 13);
  ASSERT_TRUE(Settles(bad, "a throwing task"));
  try {
    (void)bad.get();
    ADD_FAILURE() << Explain("get() of a task that threw returned a value",
                             "抛出异常的任务，get() 却返回了值");
  } catch (const TaskFailed& e) {
    EXPECT_EQ(e.status(), Outcome::Status::kTaskFailed);
    EXPECT_NE(std::string(e.what()).find("boom: 13"), std::string::npos)
        << e.what();
  }
  AsyncResult good = pool_->apply_async(Square, 3);
  ASSERT_TRUE(Settles(good, "the task after a failure"));
  EXPECT_EQ(good.get(), 9);
}

// submit() sends many items as one job: one worker, one result per item.
TEST_F(PoolTest, SubmitRunsAllItemsInOneJob) {
  Start(3);
  AsyncResult squares = pool_->submit(Square, {1, 2, 3, 4});
  ASSERT_TRUE(Settles(squares, "submit(Square, {1, 2, 3, 4})"));
  EXPECT_EQ(squares.get_all(), (std::vector<std::int64_t>{1, 4, 9, 16}));
  AsyncResult pids = pool_->submit(OwnPid, std::vector<std::int64_t>(50, 0));
  ASSERT_TRUE(Settles(pids, "submit(OwnPid, 50 items)"));
  const std::vector<std::int64_t> all = pids.get_all();
  EXPECT_EQ(all.size(), 50u);
  EXPECT_EQ(std::set<std::int64_t>(all.begin(), all.end()).size(), 1u)
      << Explain("one job's items ran in more than one process",
                 "一件工作的各个元素在多个进程中执行了");
  EXPECT_EQ(pool_->jobs_submitted(), 2u)
      << Explain("jobs_submitted() counts the jobs queued",
                 "jobs_submitted() 统计排队的工作件数");
}

// Several threads can submit at once; every result arrives.
TEST_F(PoolTest, ManyThreadsSubmitAtOnce) {
  Start(2);
  auto pool = pool_;
  auto sums = std::make_shared<std::vector<std::int64_t>>(4, 0);
  ASSERT_TRUE(
      FinishesWithin(kCallGuard,
                     [pool, sums] {
                       std::vector<std::thread> threads;
                       for (int t = 0; t < 4; ++t) {
                         threads.emplace_back([pool, sums, t] {
                           try {
                             std::vector<AsyncResult> results;
                             for (std::int64_t i = 0; i < 250; ++i) {
                               results.push_back(pool->apply_async(Square, i));
                             }
                             for (const AsyncResult& r : results)
                               (*sums)[t] += r.get();
                           } catch (const std::exception& e) {
                             (*sums)[t] = -1;  // Reported below as a wrong sum.
                           }
                         });
                       }
                       for (std::thread& thread : threads) thread.join();
                     }))
      << Explain("four threads submitting 250 tasks each did not finish",
                 "四个线程各提交 250 个任务，没有全部完成");
  const std::int64_t expected = 249 * 250 * 499 / 6;  // Sum of i^2.
  for (std::int64_t sum : *sums) EXPECT_EQ(sum, expected);
}

// An AsyncResult can be copied; every copy sees the same result.
TEST_F(PoolTest, CopiesShareTheResult) {
  Start(1);
  AsyncResult r = pool_->apply_async(Square, 9);
  AsyncResult copy = r;
  ASSERT_TRUE(Settles(copy, "a copy"));
  EXPECT_EQ(r.get(), 81);
  EXPECT_EQ(copy.get(), 81);
}

}  // namespace
}  // namespace bpool
