// Tests for Exercise 4 (Pool::map_async). They run against
// exercises/04_map_async (your code) and solutions/04_map_async.

#include "exercises/04_map_async/exercise.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "exercises/testing/checks.h"
#include "exercises/testing/explain.h"
#include "exercises/testing/gate.h"
#include "pool/pool.h"

namespace exercises {
namespace {

using ::exercises::testing::ArriveAndWait;
using ::exercises::testing::Gate;
using ::exercises::testing::NobodyGaveUp;
using ::exercises::testing::RanInWorkers;
using ::exercises::testing::WaitAtGate;

// Tasks. They are plain functions: they run in the worker processes.

long long Square(long long x) { return x * x; }
long long Collatz(long long x) { return x % 2 == 0 ? x / 2 : 3 * x + 1; }
long long OwnPid(long long) { return ::getpid(); }
long long SquareAfterGate(long long x) { return WaitAtGate() ? x * x : -1; }
long long FailIfNegative(long long x) {
  if (x < 0) throw std::invalid_argument("negative: " + std::to_string(x));
  return x;
}
// Its own pid once four of these run at the same time; -1 if it gave up
// waiting for the others.
long long MeetFour(long long) { return ArriveAndWait(4) ? ::getpid() : -1; }

std::vector<long long> SerialMap(long long (*fn)(long long),
                                 const std::vector<long long>& items) {
  std::vector<long long> out;
  for (long long x : items) out.push_back(fn(x));
  return out;
}

// Records every call of the two callbacks. They run on the pool's handler
// thread, hence the mutex. The callbacks share it through a shared_ptr: if
// a test ends early, the pool may still run a callback after the test
// body has returned.
struct Calls {
  std::mutex mu;
  std::vector<std::vector<long long>> results;
  std::vector<std::string> errors;         // what() of each error
  std::vector<std::string> task_messages;  // message() of each TaskError
};

std::function<void(const std::vector<long long>&)> OnResults(
    std::shared_ptr<Calls> calls) {
  return [calls](const std::vector<long long>& v) {
    std::lock_guard lock(calls->mu);
    calls->results.push_back(v);
  };
}

std::function<void(const pool::Error&)> OnError(std::shared_ptr<Calls> calls) {
  return [calls](const pool::Error& e) {
    std::lock_guard lock(calls->mu);
    calls->errors.push_back(e.what());
    if (auto* t = dynamic_cast<const pool::TaskError*>(&e)) {
      calls->task_messages.push_back(t->message());
    }
  };
}

class MapAsyncTest : public ::testing::Test {
 protected:
  Gate gate_;  // Before the pool: the workers must see it.
  pool::Pool pool_{4};
};

// MapAsync returns before the work is done, and nothing is called back
// until it is.
TEST_F(MapAsyncTest, MapAsyncDoesNotWait) {
  auto calls = std::make_shared<Calls>();
  const std::vector<long long> items = {1, 2, 3, 4, 5, 6};
  pool::MapResult<long long> result =
      MapAsync(pool_, SquareAfterGate, items, OnResults(calls), OnError(calls));
  ASSERT_TRUE(NobodyGaveUp(
      gate_.gave_up(),
      Explain("MapAsync to return so that the test could let them "
              "end",
              "MapAsync 返回，好让测试放它们结束"),
      Explain("MapAsync waited for its own tasks (get() or wait() "
              "inside it?). Return the MapResult from map_async at "
              "once.",
              "MapAsync 在等它自己的任务（在 MapAsync 里调用了 "
              "get() 或 wait()？）。应当立即返回 map_async 给出的 "
              "MapResult。")));
  EXPECT_FALSE(result.ready()) << Explain(
      "MapAsync returned a finished result; it should return while the tasks "
      "still run",
      "MapAsync 返回的结果已经完成了；它应当在任务仍在执行时就返回");
  {
    std::lock_guard lock(calls->mu);
    EXPECT_TRUE(calls->results.empty())
        << Explain("on_results was called before the tasks finished",
                   "任务完成之前 on_results 就被调用了");
  }
  gate_.Open();
  EXPECT_EQ(result.get(), SerialMap(Square, items));
}

// on_results runs exactly once, with the whole vector in input order, and
// on_error never runs; for inputs of several sizes, empty included.
TEST_F(MapAsyncTest, MapAsyncCallsBackOnceWithAllResults) {
  const std::vector<std::vector<long long>> inputs = {
      {}, {9}, {50, 100, 150}, {5, 4, 3, 2, 1, 0, -1, -2, -3, 1000, 77, 31}};
  for (const auto& items : inputs) {
    auto calls = std::make_shared<Calls>();
    pool::MapResult<long long> result =
        MapAsync(pool_, Collatz, items, OnResults(calls), OnError(calls));
    EXPECT_EQ(result.get(), SerialMap(Collatz, items));
    std::lock_guard lock(calls->mu);  // get() returns after the callback.
    ASSERT_EQ(calls->results.size(), 1u)
        << Explain("with ", "元素个数 ") << items.size()
        << Explain(" items, on_results was called ",
                   " 时，on_results 被调用了 ")
        << calls->results.size()
        << Explain(
               " times; pass it to map_async as the callback (it is then "
               "called once, with every result)",
               " 次；把它作为 callback 传给 "
               "map_async（那样它只调用一次，参数是全部结果）");
    EXPECT_EQ(calls->results[0], SerialMap(Collatz, items));
    EXPECT_TRUE(calls->errors.empty())
        << Explain("on_error was called although no task failed",
                   "没有任务失败，on_error 却被调用了");
  }
}

// A failing item: on_error runs once with the TaskError of the lowest
// failing index, on_results never runs, and get() throws that error.
TEST_F(MapAsyncTest, MapAsyncReportsTheFirstFailingItem) {
  auto calls = std::make_shared<Calls>();
  pool::MapResult<long long> result =
      MapAsync(pool_, FailIfNegative, {1, 2, -3, 4, -5, 6, -7},
               OnResults(calls), OnError(calls));
  try {
    (void)result.get();
    ADD_FAILURE() << Explain(
        "items -3, -5 and -7 throw, so get() should throw pool::TaskError; it "
        "returned normally",
        "元素 -3、-5、-7 会抛出异常，所以 get() 应当抛出 "
        "pool::TaskError；它却正常返回了");
  } catch (const pool::TaskError& e) {
    EXPECT_EQ(e.message(), "negative: -3")
        << Explain("the error should be the one of the lowest failing item",
                   "错误应当来自下标最小的那个失败元素");
  }
  std::lock_guard lock(calls->mu);
  EXPECT_TRUE(calls->results.empty())
      << Explain("on_results was called although items failed",
                 "有元素失败了，on_results 却被调用了");
  EXPECT_EQ(calls->task_messages, std::vector<std::string>{"negative: -3"})
      << Explain(
             "on_error should be called once, with the first failing item's "
             "error; pass it to map_async as the error callback",
             "on_error 应当只调用一次，参数是第一个失败元素的错误；把它作为 "
             "error callback 传给 map_async");
  EXPECT_EQ(calls->errors.size(), 1u);
}

// The items are computed in worker processes.
TEST_F(MapAsyncTest, MapAsyncRunsInWorkers) {
  auto calls = std::make_shared<Calls>();
  pool::MapResult<long long> result =
      MapAsync(pool_, OwnPid, std::vector<long long>(12, 0), OnResults(calls),
               OnError(calls));
  const std::vector<long long> pids = result.get();
  ASSERT_EQ(pids.size(), 12u)
      << Explain("one result per item", "每个元素一个结果");
  EXPECT_TRUE(RanInWorkers("MapAsync", pids, pool_.worker_pids()));
}

// MapTwoAtOnce returns what two plain loops compute.
TEST_F(MapAsyncTest, MapTwoAtOnceMatchesPlainLoops) {
  const std::vector<long long> items = {7, 0, -4, 12, 13, 99, 100, 3};
  const auto [fs, gs] = MapTwoAtOnce(pool_, Square, Collatz, items);
  EXPECT_EQ(fs, SerialMap(Square, items))
      << Explain("the first vector should be f of each item, in order",
                 "第一个 vector 应当是按顺序对每个元素调用 f 的值");
  EXPECT_EQ(gs, SerialMap(Collatz, items))
      << Explain("the second vector should be g of each item, in order",
                 "第二个 vector 应当是按顺序对每个元素调用 g 的值");
}

// Both maps run at the same time, in the pool's workers: four tasks (two
// items per map, one task each) that finish only when all four run at
// once, each reporting the process it ran in.
TEST_F(MapAsyncTest, MapTwoAtOnceStartsBothBeforeWaiting) {
  const auto [fs, gs] = MapTwoAtOnce(pool_, MeetFour, MeetFour, {1, 2});
  ASSERT_EQ(fs.size(), 2u) << Explain("one result per item",
                                      "每个元素一个结果");
  ASSERT_EQ(gs.size(), 2u) << Explain("one result per item",
                                      "每个元素一个结果");
  std::vector<long long> pids = {fs[0], fs[1], gs[0], gs[1]};
  ASSERT_EQ(std::count(pids.begin(), pids.end(), -1), 0)
      << Explain("Four tasks waited ", "四个任务互相等待了 ")
      << exercises::testing::kGuard.count()
      << Explain(
             " s for each other and gave up: the two maps did not run at the "
             "same time. Start both with map_async, then get() both.",
             " 秒后放弃：两个 map 没有同时执行。先用 map_async "
             "启动两者，再对两者调用 get()。");
  EXPECT_TRUE(RanInWorkers("MapTwoAtOnce", pids, pool_.worker_pids()));
}

}  // namespace
}  // namespace exercises
