// Tests for step b05 (many workers, one loop). They run against
// exercises/b05_many_workers (your code) and solutions/b05_many_workers.

#include "exercises/b05_many_workers/engine.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "exercises/testing/track_testing.h"

namespace bpool {
namespace {

using ::exercises::testing::Children;
using ::exercises::testing::FdsOf;
using ::exercises::testing::FdTarget;
using ::exercises::testing::FinishesWithin;
using ::exercises::testing::kCallGuard;
using ::exercises::testing::OpenFds;
using ::exercises::testing::SharedCounters;
using ::exercises::testing::Show;
using ::exercises::testing::WaitForCounter;

// Counters shared with the workers (see track_testing.h).
constexpr int kArrived = 0;  // Barrier arrivals.
constexpr int kOthers = 1;   // Items done besides item 0.
constexpr int kRelease = 2;  // Set once the test lets waiting tasks go.

// The number of items in ResultsComeBackInInputOrder.
constexpr std::int64_t kItemsInOrderTest = 20;

// Tasks: plain functions, run in the workers.
std::int64_t Square(std::int64_t x) { return x * x; }
std::int64_t OwnPid(std::int64_t) { return ::getpid(); }
std::int64_t ThrowOn13(std::int64_t x) {
  if (x == 13) throw std::runtime_error("boom: 13");
  return x;
}
// Arrives, then waits until `n` tasks have arrived: only tasks running at
// the same time get through. Returns its pid, or -1 if it gave up.
std::int64_t Barrier(std::int64_t n) {
  SharedCounters::Current()[kArrived].fetch_add(1);
  return WaitForCounter(kArrived, n) ? ::getpid() : -1;
}
// Item 0 finishes only after all the others (`x` items in all); returns
// its item, or -1 if it gave up.
std::int64_t ZeroFinishesLast(std::int64_t x) {
  if (x != 0) {
    SharedCounters::Current()[kOthers].fetch_add(1);
    return x;
  }
  return WaitForCounter(kOthers, kItemsInOrderTest - 1) ? 0 : -1;
}
std::int64_t DieNow(std::int64_t) {
  ::raise(SIGKILL);
  return 0;
}
std::int64_t WaitForRelease(std::int64_t) {
  return WaitForCounter(kRelease, 1) ? ::getpid() : -1;
}

std::vector<std::int64_t> Serial(Task fn,
                                 const std::vector<std::int64_t>& items) {
  std::vector<std::int64_t> out;
  for (std::int64_t x : items) out.push_back(fn(x));
  return out;
}

class EngineTest : public ::testing::Test {
 protected:
  // Runs MapEach under a hang guard.
  std::vector<std::int64_t> Map(Task fn,
                                const std::vector<std::int64_t>& items) {
    auto engine = engine_;
    auto results = std::make_shared<std::vector<std::int64_t>>();
    if (!FinishesWithin(kCallGuard, [engine, fn, items, results] {
          *results = MapEach(*engine, fn, items);
        })) {
      ADD_FAILURE() << "MapEach() did not return within " << kCallGuard.count()
                    << " s for " << items.size() << " items";
      engine_ = nullptr;  // Still in use by the stuck call: leave it.
    }
    return *results;
  }

  void Start(int workers) { engine_ = std::make_shared<Engine>(workers); }

  void TearDown() override {
    engine_ = nullptr;
    EXPECT_TRUE(Children().empty())
        << Children().size() << " worker process(es) left after the engine "
        << "was destroyed";
  }

  SharedCounters counters_;  // Made before the workers: they share it.
  std::shared_ptr<Engine> engine_;
};

// MapEach gives what a plain loop gives, for inputs of every size.
TEST_F(EngineTest, MapEachMatchesAPlainLoop) {
  Start(3);
  std::mt19937_64 rng(5);
  std::vector<std::int64_t> many(1000);
  for (std::int64_t& x : many) x = static_cast<std::int64_t>(rng() % 100000);
  for (const std::vector<std::int64_t>& items :
       {std::vector<std::int64_t>{}, std::vector<std::int64_t>{5},
        std::vector<std::int64_t>{3, 1, 2}, many}) {
    EXPECT_EQ(Map(Square, items), Serial(Square, items))
        << items.size() << " items";
    if (engine_ == nullptr) return;
  }
}

// Results come back in input order even when they finish out of order:
// item 0 finishes only after every other item has.
TEST_F(EngineTest, ResultsComeBackInInputOrder) {
  Start(2);
  std::vector<std::int64_t> items;
  for (std::int64_t i = 0; i < kItemsInOrderTest; ++i) items.push_back(i);
  const std::vector<std::int64_t> results = Map(ZeroFinishesLast, items);
  ASSERT_EQ(results.size(), items.size());
  EXPECT_NE(results[0], -1)
      << "item 0 waited for the other items, which never ran: while one "
         "worker is busy, the idle ones must be given jobs";
  EXPECT_EQ(results, items) << "results are not in input order";
}

// The items run in processes other than this one, and as many at once as
// there are workers.
TEST_F(EngineTest, WorkIsSpreadOverTheWorkers) {
  Start(3);
  const std::vector<std::int64_t> pids = Map(Barrier, {3, 3, 3});
  ASSERT_EQ(pids.size(), 3u);
  for (std::int64_t pid : pids) {
    ASSERT_NE(pid, -1) << "3 items never ran at the same time on 3 workers: "
                          "is each idle worker given a job before waiting?";
    EXPECT_NE(pid, ::getpid()) << "an item ran in the calling process";
  }
  EXPECT_EQ(std::set<std::int64_t>(pids.begin(), pids.end()).size(), 3u)
      << "the 3 items did not run in 3 different processes";
  for (std::int64_t pid : Map(OwnPid, std::vector<std::int64_t>(30, 0))) {
    EXPECT_NE(pid, ::getpid()) << "an item ran in the calling process";
  }
}

// Every job's `done` is called exactly once, with its own results.
TEST_F(EngineTest, EveryJobIsSettledOnce) {
  Start(2);
  auto calls = std::make_shared<std::vector<int>>(50, 0);
  auto results = std::make_shared<std::vector<std::int64_t>>(50, -1);
  for (int i = 0; i < 50; ++i) {
    engine_->Submit(
        Job{Square, {i, i + 1}, [calls, results, i](Outcome outcome) {
              ++(*calls)[i];
              if (outcome.results.size() == 2) {
                (*results)[i] = outcome.results[1];
              }
            }});
  }
  EXPECT_FALSE(engine_->idle()) << "50 jobs are queued";
  auto engine = engine_;
  ASSERT_TRUE(FinishesWithin(kCallGuard, [engine] {
    while (!engine->idle()) engine->Step();
  })) << "Step() until idle() did not end";
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ((*calls)[i], 1)
        << "job " << i << "'s done was called " << (*calls)[i] << " times";
    EXPECT_EQ((*results)[i], (i + 1) * (i + 1)) << "job " << i;
  }
}

// Step() returns at once with nothing to do, and returns when the wake-up
// descriptor becomes readable, without reading it.
TEST_F(EngineTest, StepWakesOnTheWakeFd) {
  Start(1);
  auto engine = engine_;
  ASSERT_TRUE(FinishesWithin(kCallGuard, [engine] { engine->Step(); }))
      << "Step() with nothing queued or running must return at once";
  int wake[2];
  ASSERT_EQ(::pipe(wake), 0);
  ASSERT_EQ(::write(wake[1], "x", 1), 1);
  const int fd = wake[0];
  ASSERT_TRUE(FinishesWithin(kCallGuard, [engine, fd] { engine->Step(fd); }))
      << "Step(fd) did not return although fd was readable";
  char byte;
  EXPECT_EQ(::read(wake[0], &byte, 1), 1) << "Step() read the wake-up byte";
  ::close(wake[0]);
  ::close(wake[1]);
}

// No worker holds a descriptor of another worker (or anything else the
// parent had open): above stderr, each holds its own two pipe ends.
TEST_F(EngineTest, NoWorkerHoldsAnotherWorkersPipe) {
  Start(3);
  (void)Map(Square, {1, 2, 3, 4, 5, 6});
  for (Slot& slot : engine_->slots()) {
    if (!slot.worker.running()) continue;
    const pid_t pid = slot.worker.pid();
    std::set<std::string> held;
    for (int fd : FdsOf(pid)) {
      if (fd > 2) held.insert(FdTarget(pid, fd));
    }
    const std::set<std::string> own = {
        FdTarget(::getpid(), slot.worker.task_fd()),
        FdTarget(::getpid(), slot.worker.result_fd())};
    EXPECT_EQ(held, own) << "worker " << pid << " holds " << held.size()
                         << " descriptors above 2; it should hold only its "
                            "own two pipe ends";
  }
}

// When a worker dies, end of file on its result pipe arrives at once (no
// other worker holds that pipe open), so its job is settled while the
// other workers are still busy.
TEST_F(EngineTest, EndOfFileArrivesWhenAWorkerDies) {
  Start(3);
  auto outcomes = std::make_shared<std::vector<Outcome>>(3);
  auto settled = std::make_shared<int>(0);
  const std::vector<Task> tasks = {WaitForRelease, DieNow, WaitForRelease};
  for (int i = 0; i < 3; ++i) {
    engine_->Submit(Job{tasks[i], {0}, [outcomes, settled, i](Outcome o) {
                          (*outcomes)[i] = std::move(o);
                          ++*settled;
                          // The death is settled: let the others finish.
                          if (i == 1) SharedCounters::Current()[kRelease] = 1;
                        }});
  }
  auto engine = engine_;
  const bool finished = FinishesWithin(kCallGuard, [engine, settled] {
    while (*settled < 3) engine->Step();
  });
  if (!finished) engine_ = nullptr;
  ASSERT_TRUE(finished)
      << "the dead worker's job was never settled: its result pipe never "
         "read end of file, so some other process holds its write end";
  EXPECT_EQ((*outcomes)[1].status, Outcome::Status::kWorkerDied);
  EXPECT_NE((*outcomes)[0].results.at(0), -1)
      << "the other jobs waited in vain: the death was noticed only after "
         "they gave up, when the other workers had gone idle";
}

// MapEach reports a task's exception, and the engine goes on working.
TEST_F(EngineTest, TaskErrorIsReported) {
  Start(2);
  auto engine = engine_;
  auto message = std::make_shared<std::string>();
  ASSERT_TRUE(FinishesWithin(kCallGuard, [engine, message] {
    try {
      (void)MapEach(*engine, ThrowOn13, {1, 13, 2});
    } catch (const TaskFailed& e) {
      *message = e.what();
    }
  }));
  EXPECT_NE(message->find("boom: 13"), std::string::npos)
      << "MapEach should throw TaskFailed with the task's message; got \""
      << *message << "\"";
  EXPECT_EQ(Map(Square, {4}), std::vector<std::int64_t>{16});
}

// Fewer than one worker is refused.
TEST_F(EngineTest, ZeroWorkersIsRefused) {
  EXPECT_THROW(Engine(0), std::invalid_argument);
  EXPECT_THROW(Engine(-2), std::invalid_argument);
}

// An engine leaves no descriptor open and no process behind.
TEST_F(EngineTest, NoFdLeakedAndNoWorkerLeft) {
  const std::vector<int> before = OpenFds();
  Start(4);
  (void)Map(Square, {1, 2, 3, 4, 5, 6, 7, 8});
  engine_ = nullptr;
  EXPECT_EQ(Show(OpenFds()), Show(before));
  EXPECT_TRUE(Children().empty());
}

}  // namespace
}  // namespace bpool
