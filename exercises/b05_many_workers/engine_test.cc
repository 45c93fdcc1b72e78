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

#include "exercises/testing/explain.h"
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
      ADD_FAILURE() << Explain("MapEach() did not return within ",
                               "MapEach() 在 ")
                    << kCallGuard.count()
                    << Explain(" s for ", " 秒内没有返回，元素个数：")
                    << items.size() << " items";
      engine_ = nullptr;  // Still in use by the stuck call: leave it.
    }
    return *results;
  }

  void Start(int workers) { engine_ = std::make_shared<Engine>(workers); }

  void TearDown() override {
    engine_ = nullptr;
    EXPECT_TRUE(Children().empty())
        << Children().size()
        << Explain(" worker process(es) left after the engine was destroyed",
                   " 个工作进程在引擎销毁后仍然存在");
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
  EXPECT_NE(results[0], -1) << Explain(
      "item 0 waited for the other items, which never ran: while one worker is "
      "busy, the idle ones must be given jobs",
      "元素 0 "
      "在等其他元素，而它们从未执行：一个工作进程忙碌时，"
      "必须给空闲的工作进程分配工作");
  EXPECT_EQ(results, items)
      << Explain("results are not in input order", "结果不是按输入顺序");
}

// The items run in processes other than this one, and as many at once as
// there are workers.
TEST_F(EngineTest, WorkIsSpreadOverTheWorkers) {
  Start(3);
  const std::vector<std::int64_t> pids = Map(Barrier, {3, 3, 3});
  ASSERT_EQ(pids.size(), 3u);
  for (std::int64_t pid : pids) {
    ASSERT_NE(pid, -1) << Explain(
        "3 items never ran at the same time on 3 workers: is each idle worker "
        "given a job before waiting?",
        "3 个元素从未在 3 "
        "个工作进程上同时执行：在等待之前，"
        "是否给每个空闲的工作进程都分配了工作？");
    EXPECT_NE(pid, ::getpid()) << Explain("an item ran in the calling process",
                                          "有元素在调用者的进程中执行了");
  }
  EXPECT_EQ(std::set<std::int64_t>(pids.begin(), pids.end()).size(), 3u)
      << Explain("the 3 items did not run in 3 different processes",
                 "3 个元素没有在 3 个不同的进程中执行");
  for (std::int64_t pid : Map(OwnPid, std::vector<std::int64_t>(30, 0))) {
    EXPECT_NE(pid, ::getpid()) << Explain("an item ran in the calling process",
                                          "有元素在调用者的进程中执行了");
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
  EXPECT_FALSE(engine_->idle())
      << Explain("50 jobs are queued", "有 50 件工作在排队");
  auto engine = engine_;
  ASSERT_TRUE(FinishesWithin(kCallGuard,
                             [engine] {
                               while (!engine->idle()) engine->Step();
                             }))
      << Explain("Step() until idle() did not end",
                 "反复 Step() 直到 idle() 没有结束");
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ((*calls)[i], 1)
        << Explain("job ", "工作 ") << i
        << Explain("'s done was called ", " 的 done 被调用了 ") << (*calls)[i]
        << Explain(" times", " 次");
    EXPECT_EQ((*results)[i], (i + 1) * (i + 1))
        << Explain("job ", "工作 ") << i;
  }
}

// Step() returns at once with nothing to do, and returns when the wake-up
// descriptor becomes readable, without reading it.
TEST_F(EngineTest, StepWakesOnTheWakeFd) {
  Start(1);
  auto engine = engine_;
  ASSERT_TRUE(FinishesWithin(kCallGuard, [engine] { engine->Step(); }))
      << Explain("Step() with nothing queued or running must return at once",
                 "没有排队也没有执行中的工作时，Step() 必须立即返回");
  int wake[2];
  ASSERT_EQ(::pipe(wake), 0);
  ASSERT_EQ(::write(wake[1], "x", 1), 1);
  const int fd = wake[0];
  ASSERT_TRUE(FinishesWithin(kCallGuard, [engine, fd] { engine->Step(fd); }))
      << Explain("Step(fd) did not return although fd was readable",
                 "fd 已可读，Step(fd) 却没有返回");
  char byte;
  EXPECT_EQ(::read(wake[0], &byte, 1), 1)
      << Explain("Step() read the wake-up byte", "Step() 读走了唤醒字节");
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
    EXPECT_EQ(held, own) << Explain("worker ", "工作进程 ") << pid
                         << Explain(" holds ", " 在 2 以上持有 ") << held.size()
                         << Explain(
                                " descriptors above 2; it should hold only its "
                                "own two pipe ends",
                                " 个描述符；它应当只持有自己的两个管道端");
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
  ASSERT_TRUE(finished) << Explain(
      "the dead worker's job was never settled: its result pipe never read end "
      "of file, so some other process holds its write end",
      "死掉的工作进程的那件工作一直没有了结：它的结果管道始终读不到文件结束，"
      "所以有别的进程持有它的写端");
  EXPECT_EQ((*outcomes)[1].status, Outcome::Status::kWorkerDied);
  EXPECT_NE((*outcomes)[0].results.at(0), -1) << Explain(
      "the other jobs waited in vain: the death was noticed only after they "
      "gave up, when the other workers had gone idle",
      "其他工作白等了：直到它们放弃、其他工作进程都已空闲时，"
      "才发现那个工作进程死了");
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
      << Explain(
             "MapEach should throw TaskFailed with the task's message; got \"",
             "MapEach 应当抛出带有任务消息的 TaskFailed；实际得到 \"")
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
