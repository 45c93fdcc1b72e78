// Tests for step b08 (close, join, terminate). They run against
// exercises/b08_shutdown (your code) and solutions/b08_shutdown.

#include "exercises/b08_shutdown/shutdown.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
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
using ::exercises::testing::OpenFds;
using ::exercises::testing::SharedCounters;
using ::exercises::testing::Show;
using ::exercises::testing::WaitForCounter;

constexpr int kRelease = 0;
constexpr int kStarted = 1;

// Tasks: plain functions, run in the workers.
std::int64_t Square(std::int64_t x) { return x * x; }
// Says it started, then waits until the test releases it; returns x, or
// -1 if it gave up.
std::int64_t WaitForRelease(std::int64_t x) {
  SharedCounters::Current()[kStarted].fetch_add(1);
  return WaitForCounter(kRelease, 1) ? x : -1;
}

// How an AsyncResult ended, without blocking: "ok", "cancelled", ...
std::string StatusOf(const AsyncResult& r) {
  if (!r.ready()) return "not ready";
  try {
    (void)r.get_all();
    return "ok";
  } catch (const TaskFailed& e) {
    return StatusName(e.status());
  }
}

class ShutdownTest : public ::testing::Test {
 protected:
  void Start(int workers) { pool_ = std::make_shared<Pool>(workers); }

  // Calls `what` on the pool under a hang guard.
  bool Call(const char* name, void (Pool::*what)()) {
    auto pool = pool_;
    if (FinishesWithin(kCallGuard, [pool, what] { ((*pool).*what)(); })) {
      return true;
    }
    ADD_FAILURE() << name
                  << Explain(" did not return within ",
                             " 没有在以下时间内返回：")
                  << kCallGuard.count() << Explain(" s", " 秒");
    pool_ = nullptr;  // Still in use by the stuck call: leave it.
    stuck_ = true;
    return false;
  }

  void TearDown() override {
    if (stuck_) return;
    pool_ = nullptr;
    EXPECT_TRUE(Children().empty())
        << Children().size()
        << Explain(" worker process(es) left after the pool",
                   " 个工作进程在进程池之后仍然存在");
  }

  SharedCounters counters_;  // Before the pool: the workers share it.
  std::shared_ptr<Pool> pool_;
  bool stuck_ = false;
};

// close() then join(): everything queued still runs, then the workers are
// gone (reaped: no zombie).
TEST_F(ShutdownTest, CloseThenJoinFinishesQueuedWork) {
  Start(2);
  std::vector<AsyncResult> results;
  for (std::int64_t i = 0; i < 200; ++i) {
    results.push_back(pool_->apply_async(Square, i));
  }
  ASSERT_TRUE(Call("close()", &Pool::close));
  ASSERT_TRUE(Call("join() after close()", &Pool::join));
  for (std::int64_t i = 0; i < 200; ++i) {
    ASSERT_EQ(StatusOf(results[i]), "ok")
        << Explain("task ", "任务 ") << i
        << Explain(" was queued before close(); it must still run",
                   " 在 close() 之前就已排队；它仍然必须执行");
    EXPECT_EQ(results[i].get(), i * i);
  }
  EXPECT_TRUE(Children().empty()) << Explain(
      "after join(), no worker may be left", "join() 之后不能留下任何工作进程");
}

// close() returns at once, even while tasks are still running; join()
// then waits for them.
TEST_F(ShutdownTest, CloseDoesNotWaitButJoinDoes) {
  Start(2);
  AsyncResult blocked = pool_->apply_async(WaitForRelease, 7);
  ASSERT_TRUE(Call("close()", &Pool::close))
      << Explain("close() must only mark the pool closed and wake the handler",
                 "close() 只应把进程池标记为已关闭并唤醒处理线程");
  EXPECT_FALSE(blocked.ready());
  counters_[kRelease] = 1;
  ASSERT_TRUE(Call("join()", &Pool::join));
  ASSERT_EQ(StatusOf(blocked), "ok");
  EXPECT_EQ(blocked.get(), 7) << Explain(
      "the task gave up waiting: close() waited for the work instead of "
      "returning",
      "任务等不下去了：close() 等待工作做完，而不是立即返回");
}

// After close(), apply_async is refused ("Pool not running").
TEST_F(ShutdownTest, NoNewWorkAfterClose) {
  Start(1);
  ASSERT_TRUE(Call("close()", &Pool::close));
  EXPECT_THROW((void)pool_->apply_async(Square, 1), std::logic_error);
  ASSERT_TRUE(Call("join()", &Pool::join));
}

// terminate() stops now: running and queued jobs end as kCancelled, and
// no worker is left.
TEST_F(ShutdownTest, TerminateStopsNow) {
  Start(2);
  std::vector<AsyncResult> results;
  for (std::int64_t i = 0; i < 50; ++i) {
    results.push_back(pool_->apply_async(WaitForRelease, i));
  }
  ASSERT_TRUE(exercises::testing::WaitUntil([this] {
    return counters_[kStarted].load() >= 2;
  })) << Explain("the first tasks never started", "最初的几个任务始终没有开始");
  ASSERT_TRUE(Call("terminate()", &Pool::terminate))
      << Explain("terminate() must kill the workers, not wait for their tasks",
                 "terminate() 必须杀死工作进程，而不是等它们的任务做完");
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(StatusOf(results[i]), "cancelled")
        << Explain("task ", "任务 ") << i;
  }
  EXPECT_TRUE(Children().empty())
      << Explain("after terminate(), no worker may be left, not even a zombie",
                 "terminate() 之后不能留下任何工作进程，连僵尸进程也不行");
  EXPECT_THROW((void)pool_->apply_async(Square, 1), std::logic_error);
}

// Destroying the pool terminates it: results still held say kCancelled.
TEST_F(ShutdownTest, DestructorTerminates) {
  Start(2);
  AsyncResult blocked = pool_->apply_async(WaitForRelease, 1);
  AsyncResult queued = pool_->submit(Square, {1, 2, 3});
  auto pool = std::move(pool_);
  ASSERT_TRUE(FinishesWithin(kCallGuard, [pool = std::move(pool)]() mutable {
    pool = nullptr;
  })) << Explain("~Pool() did not return", "~Pool() 没有返回");
  EXPECT_EQ(StatusOf(blocked), "cancelled");
  EXPECT_NE(StatusOf(queued), "not ready");
  EXPECT_TRUE(Children().empty());
}

// join() before close() or terminate() is refused; after close() it
// waits.
TEST_F(ShutdownTest, JoinWhileRunningIsRefused) {
  Start(1);
  EXPECT_THROW(pool_->join(), std::logic_error);
  ASSERT_TRUE(Call("close()", &Pool::close));
  ASSERT_TRUE(Call("join() after close()", &Pool::join));
}

// join() may be called from two threads at once, and again afterwards;
// terminate() after close() and join() is harmless.
TEST_F(ShutdownTest, JoinTwiceAndTerminateAfterwards) {
  Start(2);
  AsyncResult r = pool_->apply_async(Square, 5);
  ASSERT_TRUE(Call("close()", &Pool::close));
  auto pool = pool_;
  ASSERT_TRUE(FinishesWithin(kCallGuard,
                             [pool] {
                               std::thread other([pool] { pool->join(); });
                               pool->join();
                               other.join();
                               pool->join();
                               pool->terminate();
                             }))
      << Explain(
             "two join()s at once, a third, then terminate() did not return",
             "两个 join() 同时调用、再来第三个、然后 terminate()，没有返回");
  EXPECT_EQ(StatusOf(r), "ok");
}

// A pool leaves the descriptors as it found them, however it ends.
TEST_F(ShutdownTest, NoFdLeaked) {
  const std::vector<int> before = OpenFds();
  Start(2);
  (void)pool_->apply_async(Square, 1);
  ASSERT_TRUE(Call("close()", &Pool::close));
  ASSERT_TRUE(Call("join()", &Pool::join));
  pool_ = nullptr;
  Start(2);
  ASSERT_TRUE(Call("terminate()", &Pool::terminate));
  pool_ = nullptr;
  EXPECT_EQ(Show(OpenFds()), Show(before));
}

// The engine half on its own: StopWorkers ends idle workers and reaps
// them; KillWorkers settles every job left as kCancelled, once.
TEST_F(ShutdownTest, StopWorkersAndKillWorkersOnAnEngine) {
  {
    Engine engine(2);
    StopWorkers(engine);
    for (Slot& slot : engine.slots()) EXPECT_FALSE(slot.worker.running());
    EXPECT_TRUE(Children().empty()) << Explain(
        "StopWorkers() left workers behind", "StopWorkers() 留下了工作进程");
  }
  Engine engine(1);
  auto calls = std::make_shared<int>(0);
  auto cancelled = std::make_shared<int>(0);
  for (int i = 0; i < 5; ++i) {
    engine.Submit(Job{Square, {i}, [calls, cancelled](Outcome outcome) {
                        ++*calls;
                        if (outcome.status == Outcome::Status::kCancelled) {
                          ++*cancelled;
                        }
                      }});
  }
  KillWorkers(engine);
  EXPECT_EQ(*calls, 5) << Explain(
      "each queued job's done() must be called once",
      "每件排队工作的 done() 必须恰好调用一次");
  EXPECT_EQ(*cancelled, 5) << Explain("queued jobs must end as kCancelled",
                                      "排队中的工作必须以 kCancelled 结束");
  EXPECT_TRUE(Children().empty()) << Explain(
      "KillWorkers() left workers behind", "KillWorkers() 留下了工作进程");
}

}  // namespace
}  // namespace bpool
