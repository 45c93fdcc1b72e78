// Tests for step b10 (a deadline for a task). They run against
// exercises/b10_deadline (your code) and solutions/b10_deadline.
//
// PollTimeout and ExpireOverdue are first called directly, on slots and an
// engine with a clock the test chooses, so nothing depends on timing; then
// through the pool, with tasks that would wait (up to kTaskGuard) if their
// worker were not killed.

#include "exercises/b10_deadline/deadline.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "exercises/b06_apply_async/pool.h"
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
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr int kStuckPid = 0;  // The pid of the last task that got stuck.
constexpr int kRelease = 1;   // Raised by the test: waiting tasks return.
constexpr int kArrived = 2;   // Tasks that have started.
constexpr int kNever = 3;     // Never raised.

// Tasks: plain functions, run in the workers.
std::int64_t Square(std::int64_t x) { return x * x; }
// Publishes its pid and never returns on its own (it gives up after
// kTaskGuard, returning -1): only a kill ends it in time.
std::int64_t Stuck(std::int64_t) {
  SharedCounters::Current()[kStuckPid] = ::getpid();
  SharedCounters::Current()[kArrived].fetch_add(1);
  (void)WaitForCounter(kNever, 1);
  return -1;
}
// Waits until the test raises kRelease, then returns x.
std::int64_t WaitForRelease(std::int64_t x) {
  SharedCounters::Current()[kArrived].fetch_add(1);
  return WaitForCounter(kRelease, 1) ? x : -1;
}
// Sleeps x microseconds, then returns x.
std::int64_t SleepMicros(std::int64_t x) {
  ::usleep(static_cast<useconds_t>(x));
  return x;
}
// Meets n - 1 other tasks: returns its pid if all n ran at once.
std::int64_t Barrier(std::int64_t n) {
  SharedCounters::Current()[kArrived].fetch_add(1);
  return WaitForCounter(kArrived, n) ? ::getpid() : -1;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Whether process `pid` is gone and reaped (not even a zombie is left).
bool Gone(pid_t pid) {
  const std::vector<pid_t> children = Children();
  return std::find(children.begin(), children.end(), pid) == children.end();
}

// A slot holding a job sent at `started` with `timeout`, and no process.
Slot SlotWith(Clock::time_point started, milliseconds timeout) {
  Slot slot;
  slot.job = Job{Square, {1}, [](Outcome) {}, timeout};
  slot.started = started;
  return slot;
}

// PollTimeout: no job with a deadline, no limit.
TEST(PollTimeoutTest, NoDeadlineMeansNoLimit) {
  const Clock::time_point now = Clock::now();
  std::vector<Slot> slots(3);
  EXPECT_EQ(PollTimeout(slots, now), -1)
      << Explain("no slot holds a job", "没有哪个 slot 持有工作");
  slots[1] = SlotWith(now, milliseconds{0});
  EXPECT_EQ(PollTimeout(slots, now), -1) << Explain(
      "a job whose timeout is 0 has no deadline: poll() may wait "
      "without limit (-1), not return at once",
      "timeout 为 0 的工作没有时限：poll() 可以无限等待（-1），"
      "而不是立即返回");
}

// PollTimeout: the nearest deadline, rounded up to whole milliseconds; 0
// once one has passed.
TEST(PollTimeoutTest, NearestDeadlineRoundedUp) {
  const Clock::time_point now = Clock::now();
  std::vector<Slot> slots;
  slots.push_back(SlotWith(now, milliseconds{900}));
  slots.push_back(Slot{});
  slots.push_back(SlotWith(now - std::chrono::microseconds{300},
                           milliseconds{250}));  // 249.7 ms left.
  slots.push_back(SlotWith(now, milliseconds{0}));
  EXPECT_EQ(PollTimeout(slots, now), 250) << Explain(
      "the nearest deadline is 249.7 ms away: poll() must wait 250 ms "
      "(rounded up), or it wakes before the deadline, finds nothing "
      "due, and spins",
      "最近的时限在 249.7 ms 之后：poll() 必须等 250 ms（向上取整），"
      "否则它会在时限之前醒来，发现没有到期的工作，然后空转");
  slots.push_back(SlotWith(now - milliseconds{400}, milliseconds{300}));
  EXPECT_EQ(PollTimeout(slots, now), 0)
      << Explain("a deadline 100 ms ago is due now: poll() must not wait",
                 "100 ms 之前的时限现在已经到期：poll() 不能再等");
  std::vector<Slot> exact;
  exact.push_back(SlotWith(now - milliseconds{50}, milliseconds{50}));
  EXPECT_EQ(PollTimeout(exact, now), 0) << Explain(
      "a deadline of exactly now is due", "恰好在此刻的时限算已到期");
}

class DeadlineTest : public ::testing::Test {
 protected:
  // Waits for `r` under a hang guard and returns how it ended: "ok", "timed
  // out: <error>", ...
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

  void TearDown() override {
    counters_[kRelease] = 1;
    pool_ = nullptr;
    EXPECT_TRUE(Children().empty())
        << Explain("workers left behind", "留下了工作进程");
  }

  SharedCounters counters_;  // Before any worker: the workers share it.
  std::shared_ptr<Pool> pool_;
};

// ExpireOverdue, on an engine, at a time the test chooses: only the job
// past its deadline ends, as kTimedOut; its worker is killed, reaped and
// replaced; the other jobs and workers are left alone.
TEST_F(DeadlineTest, ExpireOverdueEndsOnlyTheOverdueJob) {
  auto engine = std::make_shared<Engine>(3);
  std::vector<std::shared_ptr<std::vector<Outcome>>> outcomes;
  const milliseconds timeouts[] = {milliseconds{1000}, milliseconds{0},
                                   milliseconds{3600 * 1000}};
  for (int i = 0; i < 3; ++i) {
    auto mine = std::make_shared<std::vector<Outcome>>();
    outcomes.push_back(mine);
    engine->Submit(Job{WaitForRelease,
                       {i},
                       [mine](Outcome o) { mine->push_back(std::move(o)); },
                       timeouts[i]});
  }
  // A readable wake-up descriptor: Step() dispatches and returns at once.
  int wake[2];
  ASSERT_EQ(::pipe(wake), 0);
  ASSERT_EQ(::write(wake[1], "x", 1), 1);
  engine->Step(wake[0]);
  ASSERT_TRUE(WaitUntil([this] { return counters_[kArrived].load() == 3; }))
      << Explain("the three jobs never all started",
                 "三件工作始终没有全部开始");
  std::vector<Slot>& slots = engine->slots();
  std::vector<pid_t> before;
  int overdue = -1;
  for (std::size_t s = 0; s < slots.size(); ++s) {
    before.push_back(slots[s].worker.pid());
    ASSERT_TRUE(slots[s].job)
        << Explain("slot ", "下标为 ") << s
        << Explain(" should be running a job", " 的 slot 应当正在执行一件工作");
    if (slots[s].job->items.at(0) == 0) overdue = static_cast<int>(s);
  }
  ASSERT_GE(overdue, 0);
  // 2 s after the latest start: past 1 s, long before 1 h.
  Clock::time_point now = Clock::now() + std::chrono::seconds{2};
  ExpireOverdue(slots, now);
  ASSERT_EQ(outcomes[0]->size(), 1u) << Explain(
      "the job with a 1 s timeout, 2 s after it started, must be "
      "settled once",
      "timeout 为 1 s 的工作，在开始 2 s 之后，必须被了结一次");
  EXPECT_EQ((*outcomes[0])[0].status, Outcome::Status::kTimedOut)
      << StatusName((*outcomes[0])[0].status) << ": "
      << (*outcomes[0])[0].error;
  EXPECT_TRUE(Contains((*outcomes[0])[0].error, "1000 ms"))
      << Explain("the error should name the limit: ", "错误信息应当写出时限：")
      << (*outcomes[0])[0].error;
  EXPECT_TRUE(
      Contains((*outcomes[0])[0].error,
               std::to_string(before[static_cast<std::size_t>(overdue)])))
      << Explain("the error should name the worker: ",
                 "错误信息应当写出工作进程：")
      << (*outcomes[0])[0].error;
  EXPECT_TRUE(outcomes[1]->empty())
      << Explain("a job without a timeout must never time out",
                 "没有 timeout 的工作永远不能超时");
  EXPECT_TRUE(outcomes[2]->empty())
      << Explain("a job with 1 h left must not time out: ",
                 "还剩 1 小时的工作不能超时：")
      << (*outcomes[2])[0].error;
  for (std::size_t s = 0; s < slots.size(); ++s) {
    if (static_cast<int>(s) == overdue) {
      EXPECT_FALSE(slots[s].job)
          << Explain("the timed-out job is still in its slot",
                     "超时的工作还在它的 slot 里");
      EXPECT_TRUE(Gone(before[s]))
          << Explain("the timed-out worker ", "超时的工作进程 ") << before[s]
          << Explain(
                 " must be killed and reaped: its task would run on otherwise",
                 " 必须被杀死并回收：否则它的任务会继续执行下去");
      EXPECT_TRUE(slots[s].worker.running()) << Explain(
          "no replacement worker in the slot", "slot 里没有替补工作进程");
      EXPECT_NE(slots[s].worker.pid(), before[s]);
    } else {
      EXPECT_EQ(slots[s].worker.pid(), before[s])
          << Explain("slot ", "下标为 ") << s
          << Explain("'s worker was not overdue: leave it alone",
                     " 的 slot 的工作进程没有超时：不要动它");
      EXPECT_TRUE(slots[s].job)
          << Explain("slot ", "下标为 ") << s
          << Explain("'s job is not overdue", " 的 slot 的工作没有超时");
    }
  }
  // Calling it again settles nothing twice.
  ExpireOverdue(slots, now);
  EXPECT_EQ(outcomes[0]->size(), 1u)
      << Explain("a job was settled twice", "一件工作被了结了两次");
  counters_[kRelease] = 1;
  ::close(wake[0]);
  ::close(wake[1]);
  ASSERT_TRUE(FinishesWithin(kCallGuard, [engine] {
    while (!engine->idle()) engine->Step();
  })) << Explain("the two jobs left never ended", "剩下的两件工作始终没有结束");
  for (int i = 1; i < 3; ++i) {
    ASSERT_EQ(outcomes[i]->size(), 1u) << Explain("job ", "工作 ") << i;
    EXPECT_EQ((*outcomes[i])[0].status, Outcome::Status::kOk)
        << Explain("job ", "工作 ") << i << ": " << (*outcomes[i])[0].error;
  }
}

// Through the pool: a stuck task with a timeout fails alone, as "timed
// out", naming the limit and its worker; a slow task without one on the
// other worker, and the tasks before and after, succeed.
TEST_F(DeadlineTest, StuckTaskTimesOutAlone) {
  pool_ = std::make_shared<Pool>(2);
  AsyncResult slow = pool_->apply_async(WaitForRelease, 7);
  ASSERT_TRUE(WaitUntil([this] { return counters_[kArrived].load() == 1; }))
      << Explain("a task without a timeout never started: ",
                 "一个没有 timeout 的任务始终没有开始：")
      << HowItEnded(slow);
  std::vector<AsyncResult> before;
  for (std::int64_t i = 0; i < 10; ++i) {
    before.push_back(pool_->apply_async(Square, i));
  }
  AsyncResult stuck = pool_->apply_async(Stuck, 0, milliseconds{500});
  std::vector<AsyncResult> after;
  for (std::int64_t i = 0; i < 10; ++i) {
    after.push_back(pool_->apply_async(Square, i));
  }
  const std::string outcome = HowItEnded(stuck);
  const pid_t pid = static_cast<pid_t>(counters_[kStuckPid].load());
  EXPECT_TRUE(Contains(outcome, "timed out")) << outcome;
  EXPECT_TRUE(Contains(outcome, "500 ms"))
      << Explain("the error should name the limit: ", "错误信息应当写出时限：")
      << outcome;
  EXPECT_TRUE(Contains(outcome, std::to_string(pid)))
      << Explain("the error should name the worker ",
                 "错误信息应当写出工作进程 ")
      << pid << ": " << outcome;
  EXPECT_FALSE(slow.ready())
      << Explain("the task without a timeout was ended too: ",
                 "没有 timeout 的任务也被结束了：")
      << (slow.ready() ? HowItEnded(slow) : "");
  counters_[kRelease] = 1;
  EXPECT_EQ(HowItEnded(slow), "ok") << Explain(
      "only the task past its deadline may fail", "只有超过时限的任务可以失败");
  if (slow.ready() && HowItEnded(slow) == "ok") {
    EXPECT_EQ(slow.get(), 7);
  }
  for (std::int64_t i = 0; i < 10; ++i) {
    EXPECT_EQ(HowItEnded(before[i]), "ok")
        << Explain("task ", "任务 ") << i
        << Explain(" before", "（卡住的任务之前）");
    EXPECT_EQ(HowItEnded(after[i]), "ok")
        << Explain("task ", "任务 ") << i
        << Explain(" after", "（卡住的任务之后）");
    if (HowItEnded(after[i]) == "ok") {
      EXPECT_EQ(after[i].get(), i * i);
    }
  }
}

// The timed-out worker is killed and reaped, not left running its task
// (which is all Python's get(timeout) does), and the next task runs in a
// new worker.
TEST_F(DeadlineTest, TheTimedOutWorkerIsKilledAndReaped) {
  pool_ = std::make_shared<Pool>(1);
  const std::string outcome =
      HowItEnded(pool_->apply_async(Stuck, 0, milliseconds{500}));
  ASSERT_TRUE(Contains(outcome, "timed out")) << outcome;
  const pid_t pid = static_cast<pid_t>(counters_[kStuckPid].load());
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(Gone(pid))
      << Explain("worker ", "工作进程 ") << pid
      << Explain(" still exists after its task timed out",
                 " 在它的任务超时之后仍然存在")
      << (IsZombie(pid)
              ? Explain(" (a zombie: kill it AND reap it)",
                        "（是僵尸进程：既要杀死它，也要回收它）")
              : Explain(": it is still running the stuck task; kill it",
                        "：它还在执行那个卡住的任务；杀死它"));
  AsyncResult next = pool_->apply_async(Barrier, 1);
  ASSERT_EQ(HowItEnded(next), "ok");
  EXPECT_NE(next.get(), pid) << Explain("the next task ran in the stuck worker",
                                        "下一个任务在卡住的工作进程中执行了");
}

// After a timeout the pool keeps its size: a replacement took the killed
// worker's place, and two tasks still run at once.
TEST_F(DeadlineTest, PoolKeepsItsSize) {
  pool_ = std::make_shared<Pool>(2);
  const std::string outcome =
      HowItEnded(pool_->apply_async(Stuck, 0, milliseconds{50}));
  ASSERT_TRUE(Contains(outcome, "timed out")) << outcome;
  counters_[kArrived] = 0;
  AsyncResult a = pool_->apply_async(Barrier, 2);
  AsyncResult b = pool_->apply_async(Barrier, 2);
  ASSERT_EQ(HowItEnded(a), "ok");
  ASSERT_EQ(HowItEnded(b), "ok");
  EXPECT_NE(a.get(), -1) << Explain(
      "two tasks never ran at once: after a timeout the pool has only one "
      "worker (start a replacement)",
      "两个任务始终没能同时执行：超时之后进程池只剩一个工作进程"
      "（要派生一个替补）");
  const std::vector<pid_t> children = Children();
  EXPECT_EQ(children.size(), 2u)
      << Explain("a pool of 2 should have 2 processes, not ",
                 "2 个工作进程的进程池应当有 2 个进程，而不是 ")
      << children.size();
  for (pid_t child : children) EXPECT_FALSE(IsZombie(child)) << child;
}

// Ten timeouts in a row on two workers: ten failures, then the pool still
// works with two live workers.
TEST_F(DeadlineTest, ManyTimeoutsInARow) {
  pool_ = std::make_shared<Pool>(2);
  std::vector<AsyncResult> stuck;
  for (int i = 0; i < 10; ++i) {
    stuck.push_back(pool_->apply_async(Stuck, i, milliseconds{20}));
  }
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(Contains(HowItEnded(stuck[i]), "timed out"))
        << Explain("task ", "任务 ") << i << ": " << HowItEnded(stuck[i]);
  }
  AsyncResult after = pool_->apply_async(Square, 12);
  ASSERT_EQ(HowItEnded(after), "ok");
  EXPECT_EQ(after.get(), 144);
  EXPECT_EQ(Children().size(), 2u);
}

// The clock starts when the job reaches a worker: time spent queued behind
// a slow task does not count.
TEST_F(DeadlineTest, TimeInTheQueueDoesNotCount) {
  pool_ = std::make_shared<Pool>(1);
  AsyncResult slow = pool_->apply_async(WaitForRelease, 1);
  AsyncResult queued = pool_->apply_async(Square, 5, milliseconds{100});
  ASSERT_TRUE(WaitUntil([this] { return counters_[kArrived].load() == 1; }))
      << Explain("a task without a timeout never started: ",
                 "一个没有 timeout 的任务始终没有开始：")
      << HowItEnded(slow);
  // Queued for at least three times its timeout (not an assertion about
  // speed: only a lower bound on how long it waited).
  ::usleep(300 * 1000);
  counters_[kRelease] = 1;
  EXPECT_EQ(HowItEnded(slow), "ok");
  EXPECT_EQ(HowItEnded(queued), "ok") << Explain(
      "a job queued longer than its timeout, then quick to run, must "
      "succeed: its clock starts when it is sent to a worker",
      "排队时间超过自己 timeout、执行起来却很快的工作必须成功："
      "它的计时从发给工作进程时才开始");
}

// A timeout that is not reached changes nothing: the result comes back.
TEST_F(DeadlineTest, TaskWithinItsTimeoutSucceeds) {
  pool_ = std::make_shared<Pool>(2);
  std::vector<AsyncResult> results;
  for (std::int64_t i = 0; i < 50; ++i) {
    results.push_back(pool_->apply_async(Square, i, milliseconds{60 * 1000}));
  }
  AsyncResult chunk = pool_->submit(Square, {1, 2, 3}, milliseconds{60000});
  for (std::int64_t i = 0; i < 50; ++i) {
    ASSERT_EQ(HowItEnded(results[i]), "ok") << Explain("task ", "任务 ") << i;
    EXPECT_EQ(results[i].get(), i * i);
  }
  ASSERT_EQ(HowItEnded(chunk), "ok");
  EXPECT_EQ(chunk.get_all(), (std::vector<std::int64_t>{1, 4, 9}));
}

// Tasks that end right about their deadline: each job ends exactly once,
// either with its result or as timed out, never both, never neither.
TEST_F(DeadlineTest, EachJobEndsOnceAtTheDeadline) {
  auto engine = std::make_shared<Engine>(2);
  auto calls = std::make_shared<std::vector<int>>(200, 0);
  auto good = std::make_shared<std::vector<bool>>(200, false);
  for (int i = 0; i < 200; ++i) {
    // 1 to 3 ms of sleep against a 2 ms timeout.
    const std::int64_t micros = 1000 + (i * 97) % 2000;
    engine->Submit(Job{SleepMicros,
                       {micros},
                       [calls, good, i, micros](Outcome o) {
                         ++(*calls)[static_cast<std::size_t>(i)];
                         (*good)[static_cast<std::size_t>(i)] =
                             o.status == Outcome::Status::kTimedOut ||
                             (o.status == Outcome::Status::kOk &&
                              o.results == std::vector<std::int64_t>{micros});
                       },
                       milliseconds{2}});
  }
  ASSERT_TRUE(FinishesWithin(std::chrono::seconds{60}, [engine] {
    while (!engine->idle()) engine->Step();
  })) << Explain("the engine never became idle", "引擎始终没有空闲下来");
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ((*calls)[static_cast<std::size_t>(i)], 1)
        << Explain("job ", "工作 ") << i
        << Explain("'s done was called ", " 的 done 被调用了 ")
        << (*calls)[static_cast<std::size_t>(i)] << Explain(" times", " 次");
    EXPECT_TRUE((*good)[static_cast<std::size_t>(i)])
        << Explain("job ", "工作 ") << i
        << Explain(" ended neither with its result nor timed out",
                   " 既没有带着结果结束，也没有超时");
  }
  engine = nullptr;
}

}  // namespace
}  // namespace bpool
