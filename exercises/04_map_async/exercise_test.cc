// Tests for Exercise 4 (Pool::map_async). They run against
// exercises/04_map_async (your code) and solutions/04_map_async.

#include "exercises/04_map_async/exercise.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "exercises/testing/gate.h"
#include "pool/pool.h"

namespace exercises {
namespace {

using ::exercises::testing::ArriveAndWait;
using ::exercises::testing::Gate;
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
// 1 once four of these run at the same time.
long long MeetFour(long long) { return ArriveAndWait(4) ? 1 : 0; }

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
  EXPECT_FALSE(result.ready()) << "MapAsync waited for the tasks";
  {
    std::lock_guard lock(calls->mu);
    EXPECT_TRUE(calls->results.empty());
  }
  gate_.Open();
  EXPECT_EQ(result.get(), SerialMap(Square, items));
  EXPECT_FALSE(gate_.gave_up());
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
    ASSERT_EQ(calls->results.size(), 1u) << items.size() << " items";
    EXPECT_EQ(calls->results[0], SerialMap(Collatz, items));
    EXPECT_TRUE(calls->errors.empty());
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
    ADD_FAILURE() << "expected pool::TaskError";
  } catch (const pool::TaskError& e) {
    EXPECT_EQ(e.message(), "negative: -3");
  }
  std::lock_guard lock(calls->mu);
  EXPECT_TRUE(calls->results.empty());
  EXPECT_EQ(calls->task_messages, std::vector<std::string>{"negative: -3"});
  EXPECT_EQ(calls->errors.size(), 1u);
}

// The items are computed in worker processes.
TEST_F(MapAsyncTest, MapAsyncRunsInWorkers) {
  auto calls = std::make_shared<Calls>();
  pool::MapResult<long long> result =
      MapAsync(pool_, OwnPid, std::vector<long long>(12, 0), OnResults(calls),
               OnError(calls));
  const std::vector<long long> pids = result.get();
  ASSERT_EQ(pids.size(), 12u);
  for (long long pid : pids) EXPECT_NE(pid, ::getpid());
}

// MapTwoAtOnce returns what two plain loops compute.
TEST_F(MapAsyncTest, MapTwoAtOnceMatchesPlainLoops) {
  const std::vector<long long> items = {7, 0, -4, 12, 13, 99, 100, 3};
  const auto [fs, gs] = MapTwoAtOnce(pool_, Square, Collatz, items);
  EXPECT_EQ(fs, SerialMap(Square, items));
  EXPECT_EQ(gs, SerialMap(Collatz, items));
}

// Both maps run at the same time: four tasks (two items per map, one task
// each) that finish only when all four run at once.
TEST_F(MapAsyncTest, MapTwoAtOnceStartsBothBeforeWaiting) {
  const auto [fs, gs] = MapTwoAtOnce(pool_, MeetFour, MeetFour, {1, 2});
  EXPECT_EQ(fs, (std::vector<long long>{1, 1}));
  EXPECT_EQ(gs, (std::vector<long long>{1, 1}));
}

}  // namespace
}  // namespace exercises
