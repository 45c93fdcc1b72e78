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
  EXPECT_EQ(PollTimeout(slots, now), -1) << "no slot holds a job";
  slots[1] = SlotWith(now, milliseconds{0});
  EXPECT_EQ(PollTimeout(slots, now), -1)
      << "a job whose timeout is 0 has no deadline: poll() may wait without "
         "limit (-1), not return at once";
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
  EXPECT_EQ(PollTimeout(slots, now), 250)
      << "the nearest deadline is 249.7 ms away: poll() must wait 250 ms "
         "(rounded up), or it wakes before the deadline, finds nothing due, "
         "and spins";
  slots.push_back(SlotWith(now - milliseconds{400}, milliseconds{300}));
  EXPECT_EQ(PollTimeout(slots, now), 0)
      << "a deadline 100 ms ago is due now: poll() must not wait";
  std::vector<Slot> exact;
  exact.push_back(SlotWith(now - milliseconds{50}, milliseconds{50}));
  EXPECT_EQ(PollTimeout(exact, now), 0) << "a deadline of exactly now is due";
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
    EXPECT_TRUE(Children().empty()) << "workers left behind";
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
      << "the three jobs never all started";
  std::vector<Slot>& slots = engine->slots();
  std::vector<pid_t> before;
  int overdue = -1;
  for (std::size_t s = 0; s < slots.size(); ++s) {
    before.push_back(slots[s].worker.pid());
    ASSERT_TRUE(slots[s].job) << "slot " << s << " should be running a job";
    if (slots[s].job->items.at(0) == 0) overdue = static_cast<int>(s);
  }
  ASSERT_GE(overdue, 0);
  // 2 s after the latest start: past 1 s, long before 1 h.
  Clock::time_point now = Clock::now() + std::chrono::seconds{2};
  ExpireOverdue(slots, now);
  ASSERT_EQ(outcomes[0]->size(), 1u)
      << "the job with a 1 s timeout, 2 s after it started, must be settled "
         "once";
  EXPECT_EQ((*outcomes[0])[0].status, Outcome::Status::kTimedOut)
      << StatusName((*outcomes[0])[0].status) << ": "
      << (*outcomes[0])[0].error;
  EXPECT_TRUE(Contains((*outcomes[0])[0].error, "1000 ms"))
      << "the error should name the limit: " << (*outcomes[0])[0].error;
  EXPECT_TRUE(
      Contains((*outcomes[0])[0].error,
               std::to_string(before[static_cast<std::size_t>(overdue)])))
      << "the error should name the worker: " << (*outcomes[0])[0].error;
  EXPECT_TRUE(outcomes[1]->empty())
      << "a job without a timeout must never time out";
  EXPECT_TRUE(outcomes[2]->empty())
      << "a job with 1 h left must not time out: " << (*outcomes[2])[0].error;
  for (std::size_t s = 0; s < slots.size(); ++s) {
    if (static_cast<int>(s) == overdue) {
      EXPECT_FALSE(slots[s].job) << "the timed-out job is still in its slot";
      EXPECT_TRUE(Gone(before[s]))
          << "the timed-out worker " << before[s]
          << " must be killed and reaped: its task would run on otherwise";
      EXPECT_TRUE(slots[s].worker.running())
          << "no replacement worker in the slot";
      EXPECT_NE(slots[s].worker.pid(), before[s]);
    } else {
      EXPECT_EQ(slots[s].worker.pid(), before[s])
          << "slot " << s << "'s worker was not overdue: leave it alone";
      EXPECT_TRUE(slots[s].job) << "slot " << s << "'s job is not overdue";
    }
  }
  // Calling it again settles nothing twice.
  ExpireOverdue(slots, now);
  EXPECT_EQ(outcomes[0]->size(), 1u) << "a job was settled twice";
  counters_[kRelease] = 1;
  ::close(wake[0]);
  ::close(wake[1]);
  ASSERT_TRUE(FinishesWithin(kCallGuard, [engine] {
    while (!engine->idle()) engine->Step();
  })) << "the two jobs left never ended";
  for (int i = 1; i < 3; ++i) {
    ASSERT_EQ(outcomes[i]->size(), 1u) << "job " << i;
    EXPECT_EQ((*outcomes[i])[0].status, Outcome::Status::kOk)
        << "job " << i << ": " << (*outcomes[i])[0].error;
  }
}

// Through the pool: a stuck task with a timeout fails alone, as "timed
// out", naming the limit and its worker; a slow task without one on the
// other worker, and the tasks before and after, succeed.
TEST_F(DeadlineTest, StuckTaskTimesOutAlone) {
  pool_ = std::make_shared<Pool>(2);
  AsyncResult slow = pool_->apply_async(WaitForRelease, 7);
  ASSERT_TRUE(WaitUntil([this] { return counters_[kArrived].load() == 1; }))
      << "a task without a timeout never started: " << HowItEnded(slow);
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
      << "the error should name the limit: " << outcome;
  EXPECT_TRUE(Contains(outcome, std::to_string(pid)))
      << "the error should name the worker " << pid << ": " << outcome;
  EXPECT_FALSE(slow.ready()) << "the task without a timeout was ended too: "
                             << (slow.ready() ? HowItEnded(slow) : "");
  counters_[kRelease] = 1;
  EXPECT_EQ(HowItEnded(slow), "ok")
      << "only the task past its deadline may fail";
  if (slow.ready() && HowItEnded(slow) == "ok") {
    EXPECT_EQ(slow.get(), 7);
  }
  for (std::int64_t i = 0; i < 10; ++i) {
    EXPECT_EQ(HowItEnded(before[i]), "ok") << "task " << i << " before";
    EXPECT_EQ(HowItEnded(after[i]), "ok") << "task " << i << " after";
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
      << "worker " << pid << " still exists after its task timed out"
      << (IsZombie(pid) ? " (a zombie: kill it AND reap it)"
                        : ": it is still running the stuck task; kill it");
  AsyncResult next = pool_->apply_async(Barrier, 1);
  ASSERT_EQ(HowItEnded(next), "ok");
  EXPECT_NE(next.get(), pid) << "the next task ran in the stuck worker";
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
  EXPECT_NE(a.get(), -1) << "two tasks never ran at once: after a timeout "
                            "the pool has only one worker (start a "
                            "replacement)";
  const std::vector<pid_t> children = Children();
  EXPECT_EQ(children.size(), 2u)
      << "a pool of 2 should have 2 processes, not " << children.size();
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
        << "task " << i << ": " << HowItEnded(stuck[i]);
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
      << "a task without a timeout never started: " << HowItEnded(slow);
  // Queued for at least three times its timeout (not an assertion about
  // speed: only a lower bound on how long it waited).
  ::usleep(300 * 1000);
  counters_[kRelease] = 1;
  EXPECT_EQ(HowItEnded(slow), "ok");
  EXPECT_EQ(HowItEnded(queued), "ok")
      << "a job queued longer than its timeout, then quick to run, must "
         "succeed: its clock starts when it is sent to a worker";
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
    ASSERT_EQ(HowItEnded(results[i]), "ok") << "task " << i;
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
  })) << "the engine never became idle";
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ((*calls)[static_cast<std::size_t>(i)], 1)
        << "job " << i << "'s done was called "
        << (*calls)[static_cast<std::size_t>(i)] << " times";
    EXPECT_TRUE((*good)[static_cast<std::size_t>(i)])
        << "job " << i << " ended neither with its result nor timed out";
  }
  engine = nullptr;
}

}  // namespace
}  // namespace bpool
