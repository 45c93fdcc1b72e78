// Tests for step b09 (survive a crash). They run against
// exercises/b09_survive_crash (your code) and solutions/b09_survive_crash.
//
// Every test here makes a worker die: the pool must notice, fail only the
// task that was running, and go on with a new worker.

#include "exercises/b09_survive_crash/crash.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "exercises/b06_apply_async/pool.h"
#include "exercises/b07_map_chunks/map.h"
#include "exercises/testing/explain.h"
#include "exercises/testing/track_testing.h"

namespace bpool {
namespace {

using ::exercises::testing::Children;
using ::exercises::testing::FinishesWithin;
using ::exercises::testing::IsZombie;
using ::exercises::testing::kCallGuard;
using ::exercises::testing::SharedCounters;
using ::exercises::testing::WaitForCounter;
using ::exercises::testing::WaitUntil;

constexpr int kVictimPid = 0;  // The pid of the task waiting to be killed.
constexpr int kArrived = 1;

// Tasks: plain functions, run in the workers.
std::int64_t Square(std::int64_t x) { return x * x; }
// Publishes its pid, then waits (up to kTaskGuard) to be killed.
std::int64_t WaitToBeKilled(std::int64_t) {
  SharedCounters::Current()[kVictimPid] = ::getpid();
  (void)WaitForCounter(kArrived, 1000000);  // Never reached: a long wait.
  return -1;
}
std::int64_t KillSelf(std::int64_t) {
  ::raise(SIGKILL);
  return 0;
}
std::int64_t ExitWith3(std::int64_t) { ::_exit(3); }
std::int64_t Abort(std::int64_t) { std::abort(); }
// Closes every descriptor it has above stderr (its pipes, so the parent
// reads end of file) and goes on running for up to kTaskGuard.
std::int64_t CloseEverythingAndLinger(std::int64_t) {
  ::close_range(3, ~0U, 0);
  (void)WaitForCounter(kArrived, 1000000);
  return 0;
}
std::int64_t Barrier(std::int64_t n) {
  SharedCounters::Current()[kArrived].fetch_add(1);
  return WaitForCounter(kArrived, n) ? ::getpid() : -1;
}

class CrashTest : public ::testing::Test {
 protected:
  void Start(int workers) { pool_ = std::make_shared<Pool>(workers); }

  // Waits for `r` under a hang guard and returns how it ended: "ok",
  // "worker died: <error>", ...
  static std::string HowItEnded(const AsyncResult& r) {
    if (!FinishesWithin(kCallGuard, [r] { r.wait(); })) {
      return "not settled within the hang guard";
    }
    try {
      (void)r.get_all();
      return "ok";
    } catch (const TaskFailed& e) {
      return std::string(StatusName(e.status())) + ": " + e.what();
    }
  }

  static bool Contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }

  void TearDown() override {
    pool_ = nullptr;
    EXPECT_TRUE(Children().empty());
  }

  SharedCounters counters_;  // Before the pool: the workers share it.
  std::shared_ptr<Pool> pool_;
};

// A worker SIGKILLed mid-task: that task fails, naming the signal; every
// other task succeeds.
TEST_F(CrashTest, KilledMidTaskFailsOnlyThatTask) {
  Start(2);
  std::vector<AsyncResult> before;
  for (std::int64_t i = 0; i < 20; ++i) {
    before.push_back(pool_->apply_async(Square, i));
  }
  AsyncResult victim = pool_->apply_async(WaitToBeKilled, 0);
  std::vector<AsyncResult> after;
  for (std::int64_t i = 0; i < 20; ++i) {
    after.push_back(pool_->apply_async(Square, i));
  }
  ASSERT_TRUE(WaitUntil([this] { return counters_[kVictimPid].load() > 0; }))
      << Explain("the task to be killed never started",
                 "要被杀死的任务始终没有开始");
  const pid_t pid = static_cast<pid_t>(counters_[kVictimPid].load());
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  const std::string outcome = HowItEnded(victim);
  EXPECT_TRUE(Contains(outcome, "worker died")) << outcome;
  EXPECT_TRUE(Contains(outcome, "SIGKILL")) << outcome;
  EXPECT_TRUE(Contains(outcome, std::to_string(pid)))
      << Explain("the error should name the worker's pid ",
                 "错误中应当写出工作进程的 pid ")
      << pid << ": " << outcome;
  for (std::int64_t i = 0; i < 20; ++i) {
    EXPECT_EQ(HowItEnded(before[i]), "ok")
        << Explain("task ", "任务 ") << i
        << Explain(" before the kill", "（杀死之前）");
    EXPECT_EQ(HowItEnded(after[i]), "ok")
        << Explain("task ", "任务 ") << i
        << Explain(" after the kill", "（杀死之后）");
    if (HowItEnded(after[i]) == "ok") {
      EXPECT_EQ(after[i].get(), i * i);
    }
  }
}

// After a crash the pool keeps serving, at full size: a new worker took the
// dead one's place.
TEST_F(CrashTest, PoolKeepsServingWithAReplacement) {
  Start(2);
  AsyncResult dead = pool_->apply_async(KillSelf, 0);
  ASSERT_TRUE(Contains(HowItEnded(dead), "worker died")) << HowItEnded(dead);
  std::vector<AsyncResult> results;
  for (std::int64_t i = 0; i < 100; ++i) {
    results.push_back(pool_->apply_async(Square, i));
  }
  for (std::int64_t i = 0; i < 100; ++i) {
    ASSERT_EQ(HowItEnded(results[i]), "ok") << Explain("task ", "任务 ") << i;
  }
  AsyncResult a = pool_->apply_async(Barrier, 2);
  AsyncResult b = pool_->apply_async(Barrier, 2);
  ASSERT_EQ(HowItEnded(a), "ok");
  ASSERT_EQ(HowItEnded(b), "ok");
  EXPECT_NE(a.get(), -1) << Explain(
      "two tasks never ran at once: after the crash the pool has only one "
      "worker (fork a replacement)",
      "两个任务从未同时执行：崩溃之后进程池只剩一个工作进程（要 fork "
      "一个替补）");
  EXPECT_NE(a.get(), b.get());
}

// Each kind of death is reported as what it was.
TEST_F(CrashTest, TheReasonIsReported) {
  Start(2);
  const std::string exited = HowItEnded(pool_->apply_async(ExitWith3, 0));
  EXPECT_TRUE(Contains(exited, "worker died")) << exited;
  EXPECT_TRUE(Contains(exited, "exited with code 3")) << exited;
  const std::string aborted = HowItEnded(pool_->apply_async(Abort, 0));
  EXPECT_TRUE(Contains(aborted, "SIGABRT")) << aborted;
}

// Twenty crashes in a row: twenty failures, then the pool still works,
// and no dead worker is left unreaped.
TEST_F(CrashTest, ManyCrashesInARow) {
  Start(2);
  std::vector<AsyncResult> deaths;
  for (int i = 0; i < 20; ++i)
    deaths.push_back(pool_->apply_async(KillSelf, 0));
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(Contains(HowItEnded(deaths[i]), "worker died"))
        << Explain("crash ", "崩溃 ") << i << ": " << HowItEnded(deaths[i]);
  }
  AsyncResult after = pool_->apply_async(Square, 12);
  ASSERT_EQ(HowItEnded(after), "ok");
  EXPECT_EQ(after.get(), 144);
  const std::vector<pid_t> children = Children();
  EXPECT_EQ(children.size(), 2u)
      << Explain("a pool of 2 should have 2 processes, not ",
                 "2 个工作进程的进程池应当有 2 个进程，而不是 ")
      << children.size()
      << Explain(" (dead workers must be reaped)",
                 " 个（死掉的工作进程必须回收）");
  for (pid_t pid : children) EXPECT_FALSE(IsZombie(pid)) << pid;
}

// A map with one crashing item fails with the reason, and only the map.
TEST_F(CrashTest, MapWithACrashFails) {
  Start(2);
  std::vector<std::int64_t> items(40, 5);
  auto pool = pool_;
  auto message = std::make_shared<std::string>();
  ASSERT_TRUE(FinishesWithin(kCallGuard, [pool, message] {
    try {
      (void)map(*pool, KillSelf, {1}, 1);
    } catch (const TaskFailed& e) {
      *message = std::string(StatusName(e.status())) + ": " + e.what();
    }
  }));
  EXPECT_TRUE(Contains(*message, "worker died")) << *message;
  EXPECT_EQ(HowItEnded(pool_->submit(Square, items)), "ok");
}

// A task that closes its pipes but goes on running is killed (SIGKILL) and
// replaced at once, not waited for.
TEST_F(CrashTest, WorkerThatClosesItsPipesIsKilled) {
  Start(2);
  const std::string outcome =
      HowItEnded(pool_->apply_async(CloseEverythingAndLinger, 0));
  EXPECT_TRUE(Contains(outcome, "worker died")) << outcome;
  EXPECT_TRUE(Contains(outcome, "SIGKILL"))
      << Explain(
             "the worker closed its pipes but was still running: kill it "
             "before waiting for it. Got: ",
             "工作进程关闭了管道却仍在运行：先杀死它，再等待它。得到的是：")
      << outcome;
  EXPECT_EQ(HowItEnded(pool_->apply_async(Square, 2)), "ok");
}

}  // namespace
}  // namespace bpool
