// Tests for Exercise 12 (when things fail). They run against
// exercises/12_when_things_fail (your code) and solutions/12_when_things_fail.

#include "exercises/12_when_things_fail/exercise.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "exercises/testing/checks.h"
#include "exercises/testing/explain.h"
#include "exercises/testing/gate.h"
#include "pool/pool.h"

namespace exercises {

// How gtest prints an Outcome's kind and a whole Outcome in a failure
// message (instead of their bytes).
void PrintTo(Outcome::Kind kind, std::ostream* os) {
  switch (kind) {
    case Outcome::Kind::kValue:
      *os << "kValue";
      return;
    case Outcome::Kind::kTaskError:
      *os << "kTaskError";
      return;
    case Outcome::Kind::kWorkerDied:
      *os << "kWorkerDied";
      return;
    case Outcome::Kind::kTimeout:
      *os << "kTimeout";
      return;
  }
  *os << "Kind(" << static_cast<int>(kind) << ")";
}

void PrintTo(const Outcome& o, std::ostream* os) {
  *os << "{kind ";
  PrintTo(o.kind, os);
  *os << ", value " << o.value << ", detail \"" << o.detail << "\"}";
}

namespace {

using ::exercises::testing::Gate;
using ::exercises::testing::NobodyGaveUp;
using ::exercises::testing::RanInAWorker;
using ::exercises::testing::RanInWorkers;
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
    EXPECT_EQ(o.kind, Kind::kValue)
        << "fn(" << x
        << Explain(") returns normally, so the outcome is a value",
                   ") 正常返回，所以结果应当是一个值");
    EXPECT_EQ(o.value, Fragile(x))
        << Explain("the value should be fn(", "值应当是 fn(") << x << ")";
  }
  const Outcome pid = RunAndClassify(pool_, OwnPid, 0, kPlenty);
  EXPECT_EQ(pid.kind, Kind::kValue);
  EXPECT_TRUE(RanInAWorker("RunAndClassify", pid.value, pool_.worker_pids()));
}

// A task that throws is a TaskError, with the exception's what() as detail.
TEST_F(FailTest, RunAndClassifyReportsTaskErrors) {
  for (long long x : {-1LL, -42LL}) {
    const Outcome o = RunAndClassify(pool_, Fragile, x, kPlenty);
    EXPECT_EQ(o.kind, Kind::kTaskError)
        << "fn(" << x
        << Explain(
               ") throws, so the outcome is kTaskError (catch pool::TaskError)",
               ") 抛出异常，所以结果应当是 kTaskError（捕获 pool::TaskError）");
    EXPECT_EQ(o.detail, "bad input " + std::to_string(x))
        << Explain("the detail should be the TaskError's message()",
                   "detail 应当是 TaskError 的 message()");
  }
}

// A killed worker is a WorkerDiedError whose detail names the signal.
TEST_F(FailTest, RunAndClassifyReportsAKilledWorker) {
  const Outcome o = RunAndClassify(pool_, Fragile, 1001, kPlenty);
  EXPECT_EQ(o.kind, Kind::kWorkerDied) << Explain(
      "the worker was killed, so the outcome is kWorkerDied (catch "
      "pool::WorkerDiedError)",
      "工作进程被杀死了，所以结果应当是 kWorkerDied（捕获 "
      "pool::WorkerDiedError）");
  EXPECT_NE(o.detail.find("SIGKILL"), std::string::npos)
      << Explain("the detail \"", "detail 的值 \"") << o.detail
      << Explain(
             "\" should be the WorkerDiedError's what(), which names the "
             "signal",
             "\" 应当是 WorkerDiedError 的 what()，其中写明了信号");
}

// A worker that exits is a WorkerDiedError whose detail gives the status.
TEST_F(FailTest, RunAndClassifyReportsAWorkerThatExited) {
  const Outcome o = RunAndClassify(pool_, Fragile, 1002, kPlenty);
  EXPECT_EQ(o.kind, Kind::kWorkerDied) << Explain(
      "the worker exited, so the outcome is kWorkerDied (catch "
      "pool::WorkerDiedError)",
      "工作进程退出了，所以结果应当是 kWorkerDied（捕获 "
      "pool::WorkerDiedError）");
  EXPECT_NE(o.detail.find("status 3"), std::string::npos)
      << Explain("the detail \"", "detail 的值 \"") << o.detail
      << Explain(
             "\" should be the WorkerDiedError's what(), which gives the exit "
             "status",
             "\" 应当是 WorkerDiedError 的 what()，其中给出了退出状态");
}

// A task that has not finished when the timeout runs out is a timeout (the
// task cannot finish: it waits at a shut gate).
TEST_F(FailTest, RunAndClassifyReportsATimeout) {
  const Outcome o = RunAndClassify(pool_, SquareAfterGate, 5, milliseconds(50));
  ASSERT_TRUE(NobodyGaveUp(
      gate_.gave_up(),
      Explain("a gate that opens only after RunAndClassify returns",
              "一道 RunAndClassify 返回后才会打开的闸门"),
      Explain("RunAndClassify waited for the task instead of at most "
              "`timeout`: use get(timeout), not get().",
              "RunAndClassify 一直等到任务结束，而不是最多等 `timeout`："
              "应当用 get(timeout)，不要用 get()。")));
  EXPECT_EQ(o.kind, Kind::kTimeout) << Explain(
      "the task cannot finish within 50 ms, so the outcome is kTimeout (catch "
      "pool::TimeoutError)",
      "任务不可能在 50 ms 内完成，所以结果应当是 kTimeout（捕获 "
      "pool::TimeoutError）");
  gate_.Open();
}

// After failures of every kind the pool still works: a dead worker has been
// replaced.
TEST_F(FailTest, ThePoolKeepsWorkingAfterFailures) {
  for (long long x : {-1LL, 1001LL, 1002LL, 1001LL}) {
    EXPECT_NE(RunAndClassify(pool_, Fragile, x, kPlenty).kind, Kind::kValue)
        << "fn(" << x
        << Explain(") fails, so the outcome is not a value",
                   ") 失败了，所以结果不是一个值");
  }
  const Outcome o = RunAndClassify(pool_, Fragile, 12, kPlenty);
  EXPECT_EQ(o.kind, Kind::kValue)
      << Explain("after failures the pool should still compute fn(12)",
                 "失败之后，进程池仍应算出 fn(12)");
  EXPECT_EQ(o.value, 144);
}

// MapKeepingGoing returns every good result in place, and nullopt exactly
// where a task threw or its worker died.
TEST_F(FailTest, MapKeepingGoingKeepsTheGoodResults) {
  const std::vector<long long> items = {1, -2, 3,    1001, 5,  6,  -7,
                                        8, 9,  1002, 11,   12, 13, -14};
  const std::vector<std::optional<long long>> got =
      MapKeepingGoing(pool_, Fragile, items);
  ASSERT_EQ(got.size(), items.size())
      << Explain("one result per item", "每个元素一个结果");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const bool fails = items[i] < 0 || items[i] > 1000;
    if (fails) {
      EXPECT_FALSE(got[i].has_value())
          << Explain("item ", "元素 ") << i << " (" << items[i]
          << Explain(") fails, so its place should hold std::nullopt, not ",
                     ") 失败了，所以它的位置应当是 std::nullopt，而不是 ")
          << *got[i];
    } else {
      EXPECT_EQ(got[i], Fragile(items[i]))
          << Explain("item ", "元素 ") << i << " (" << items[i]
          << Explain(
                 ") succeeds; its value should be kept although other items "
                 "failed",
                 ") 成功了；尽管其他元素失败了，它的值也应当保留");
    }
  }
}

// With nothing failing, MapKeepingGoing is a plain map, run in workers.
TEST_F(FailTest, MapKeepingGoingWithoutFailures) {
  std::vector<long long> items;
  for (long long x = 0; x < 40; ++x) items.push_back(x * 3);
  const std::vector<std::optional<long long>> got =
      MapKeepingGoing(pool_, Fragile, items);
  ASSERT_EQ(got.size(), items.size())
      << Explain("one result per item", "每个元素一个结果");
  for (std::size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(got[i], Fragile(items[i]))
        << Explain("item ", "元素 ") << i
        << Explain(" should be fn(", " 应当是 fn(") << items[i] << ")";
  }
  std::vector<long long> pids;
  for (const auto& pid : MapKeepingGoing(pool_, OwnPid, {0, 0, 0})) {
    pids.push_back(pid.value_or(-1));
  }
  EXPECT_TRUE(RanInWorkers("MapKeepingGoing", pids, pool_.worker_pids()));
}

}  // namespace
}  // namespace exercises
