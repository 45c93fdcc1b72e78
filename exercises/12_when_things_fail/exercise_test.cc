// Tests for Exercise 12 (when things fail). They run against
// exercises/12_when_things_fail (your code) and solutions/12_when_things_fail.

#include "exercises/12_when_things_fail/exercise.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "exercises/testing/gate.h"
#include "pool/pool.h"

namespace exercises {
namespace {

using ::exercises::testing::Gate;
using ::exercises::testing::WaitAtGate;
using Kind = Outcome::Kind;
using std::chrono::milliseconds;

// A timeout long enough for any task here that does not wait at the gate.
constexpr milliseconds kPlenty{60000};

// Tasks. They are plain functions: they run in the worker processes.

// Squares x, except for a few values that fail on purpose:
//   negative: throws std::domain_error("bad input <x>")
//   1001:     the worker kills itself with SIGKILL
//   1002:     the worker exits with status 3
long long Fragile(long long x) {
  if (x < 0) throw std::domain_error("bad input " + std::to_string(x));
  if (x == 1001) ::raise(SIGKILL);
  if (x == 1002) ::_exit(3);
  return x * x;
}
// Waits at a gate that opens only when the test says so.
long long SquareAfterGate(long long x) { return WaitAtGate() ? x * x : -1; }
long long OwnPid(long long) { return ::getpid(); }

class FailTest : public ::testing::Test {
 protected:
  Gate gate_;  // Before the pool: the workers must see it.
  pool::Pool pool_{4};
};

// A task that returns is reported as a value: fn(x), computed in a worker.
TEST_F(FailTest, RunAndClassifyReportsValues) {
  for (long long x : {0LL, 3LL, 1000LL}) {
    const Outcome o = RunAndClassify(pool_, Fragile, x, kPlenty);
    EXPECT_EQ(o.kind, Kind::kValue) << "x = " << x;
    EXPECT_EQ(o.value, Fragile(x));
  }
  const Outcome pid = RunAndClassify(pool_, OwnPid, 0, kPlenty);
  EXPECT_EQ(pid.kind, Kind::kValue);
  EXPECT_NE(pid.value, ::getpid());
}

// A task that throws is a TaskError, with the exception's what() as detail.
TEST_F(FailTest, RunAndClassifyReportsTaskErrors) {
  for (long long x : {-1LL, -42LL}) {
    const Outcome o = RunAndClassify(pool_, Fragile, x, kPlenty);
    EXPECT_EQ(o.kind, Kind::kTaskError) << "x = " << x;
    EXPECT_EQ(o.detail, "bad input " + std::to_string(x));
  }
}

// A killed worker is a WorkerDiedError whose detail names the signal.
TEST_F(FailTest, RunAndClassifyReportsAKilledWorker) {
  const Outcome o = RunAndClassify(pool_, Fragile, 1001, kPlenty);
  EXPECT_EQ(o.kind, Kind::kWorkerDied);
  EXPECT_NE(o.detail.find("SIGKILL"), std::string::npos) << o.detail;
}

// A worker that exits is a WorkerDiedError whose detail gives the status.
TEST_F(FailTest, RunAndClassifyReportsAWorkerThatExited) {
  const Outcome o = RunAndClassify(pool_, Fragile, 1002, kPlenty);
  EXPECT_EQ(o.kind, Kind::kWorkerDied);
  EXPECT_NE(o.detail.find("status 3"), std::string::npos) << o.detail;
}

// A task that has not finished when the timeout runs out is a timeout (the
// task cannot finish: it waits at a shut gate).
TEST_F(FailTest, RunAndClassifyReportsATimeout) {
  const Outcome o = RunAndClassify(pool_, SquareAfterGate, 5, milliseconds(50));
  EXPECT_EQ(o.kind, Kind::kTimeout);
  EXPECT_FALSE(gate_.gave_up()) << "waited for the task after all";
  gate_.Open();
}

// After failures of every kind the pool still works: a dead worker has been
// replaced.
TEST_F(FailTest, ThePoolKeepsWorkingAfterFailures) {
  for (long long x : {-1LL, 1001LL, 1002LL, 1001LL}) {
    EXPECT_NE(RunAndClassify(pool_, Fragile, x, kPlenty).kind, Kind::kValue);
  }
  const Outcome o = RunAndClassify(pool_, Fragile, 12, kPlenty);
  EXPECT_EQ(o.kind, Kind::kValue);
  EXPECT_EQ(o.value, 144);
}

// MapKeepingGoing returns every good result in place, and nullopt exactly
// where a task threw or its worker died.
TEST_F(FailTest, MapKeepingGoingKeepsTheGoodResults) {
  const std::vector<long long> items = {1, -2, 3,    1001, 5,  6,  -7,
                                        8, 9,  1002, 11,   12, 13, -14};
  const std::vector<std::optional<long long>> got =
      MapKeepingGoing(pool_, Fragile, items);
  ASSERT_EQ(got.size(), items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    const bool fails = items[i] < 0 || items[i] > 1000;
    if (fails) {
      EXPECT_EQ(got[i], std::nullopt) << "item " << items[i];
    } else {
      EXPECT_EQ(got[i], Fragile(items[i])) << "item " << items[i];
    }
  }
}

// With nothing failing, MapKeepingGoing is a plain map, run in workers.
TEST_F(FailTest, MapKeepingGoingWithoutFailures) {
  std::vector<long long> items;
  for (long long x = 0; x < 40; ++x) items.push_back(x * 3);
  const std::vector<std::optional<long long>> got =
      MapKeepingGoing(pool_, Fragile, items);
  ASSERT_EQ(got.size(), items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(got[i], Fragile(items[i]));
  }
  const auto pids = MapKeepingGoing(pool_, OwnPid, {0, 0, 0});
  for (const auto& pid : pids)
    EXPECT_NE(pid, std::optional<long long>(getpid()));
}

}  // namespace
}  // namespace exercises
