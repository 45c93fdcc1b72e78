// Tests for Exercise 14 (tasks that may never end). They run against
// exercises/14_timeouts (your code) and solutions/14_timeouts.
//
// A task that "never ends" here waits at a gate the test never opens
// during the call; it gives up after the gate's guard (5 s), long after
// the deadlines used below, so a solution that only stops waiting (get
// with a timeout) leaves it holding its worker until then, and the gate
// says so.

#include "exercises/14_timeouts/exercise.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
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

using ::exercises::testing::Arrive;
using ::exercises::testing::Gate;
using ::exercises::testing::NobodyGaveUp;
using ::exercises::testing::RanInWorkers;
using ::exercises::testing::WaitAtGate;
using std::chrono::milliseconds;

// The deadline per item: far above what a task that does not wait needs,
// even on a loaded machine, and far below the gate's guard.
constexpr milliseconds kDeadline{1000};

// Tasks. They are plain functions: they run in the worker processes.

// Squares x, except:
//   negative: waits at the gate (never opened during the call): stuck
//   1000:     throws std::domain_error
//   1001:     the worker kills itself with SIGKILL
long long SquareOrStuck(long long x) {
  Arrive();
  if (x < 0) return WaitAtGate() ? 0 : -1;
  if (x == 1000) throw std::domain_error("bad input 1000");
  if (x == 1001) ::raise(SIGKILL);
  return x * x;
}
// 1 for the answer (7); stuck for a negative x; 0 otherwise.
long long IsSeven(long long x) {
  Arrive();
  if (x < 0) return WaitAtGate() ? 0 : -1;
  return x == 7 ? 1 : 0;
}
long long OwnPid(long long) { return ::getpid(); }

std::string Show(const std::vector<std::size_t>& v) {
  std::string out = "{";
  for (std::size_t i = 0; i < v.size(); ++i) {
    out += (i ? ", " : "") + std::to_string(v[i]);
  }
  return out + "}";
}

class TimeoutsTest : public ::testing::Test {
 protected:
  // After a call that may have left stuck tasks: whether the pool is still
  // usable at once. Every worker runs a task; one still held by a stuck
  // task would only get to it when its task gives up at the gate's guard,
  // which the gate then reports.
  ::testing::AssertionResult PoolIsFree(const std::string& what) {
    std::vector<long long> pids = pool_.map(OwnPid, {0, 0, 0, 0, 0, 0, 0, 0});
    ::testing::AssertionResult free = NobodyGaveUp(
        gate_.gave_up(),
        Explain("a gate that opens only after the test ends",
                "一道测试结束后才会打开的闸门"),
        what +
            Explain(" returned while a task past its deadline still held a "
                    "worker: get(timeout) only stops waiting. Give each task "
                    "{.timeout = per_item}, so the pool kills it at the "
                    "deadline.",
                    " 返回时，一个已过时限的任务仍占着一个工作进程："
                    "get(timeout) 只是不再等待。给每个任务加上 "
                    "{.timeout = per_item}，进程池就会在时限到时杀死它。"));
    if (!free) return free;
    return RanInWorkers(what, pids, pool_.worker_pids());
  }

  Gate gate_;  // Before the pool: the workers must see it.
  pool::Pool pool_{2};
};

// Without a stuck task, MapWithDeadline is a plain map, run in the workers.
TEST_F(TimeoutsTest, MapWithDeadlineIsAMapWhenAllFinish) {
  std::vector<long long> items;
  for (long long x = 0; x < 30; ++x) items.push_back(x * 3);
  const DeadlineReport report =
      MapWithDeadline(pool_, SquareOrStuck, items, kDeadline);
  ASSERT_EQ(report.results.size(), items.size())
      << Explain("one result per item", "每个元素一个结果");
  for (std::size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(report.results[i], items[i] * items[i])
        << Explain("item ", "元素 ") << i
        << Explain(" should be fn(", " 应当是 fn(") << items[i] << ")";
  }
  EXPECT_TRUE(report.timed_out.empty()) << Show(report.timed_out);
  std::vector<long long> pids;
  for (const auto& pid :
       MapWithDeadline(pool_, OwnPid, {0, 0, 0}, kDeadline).results) {
    pids.push_back(pid.value_or(-1));
  }
  EXPECT_TRUE(RanInWorkers("MapWithDeadline", pids, pool_.worker_pids()));
}

// Stuck items fail alone, at their places, and are reported; every other
// item keeps its result, whichever chunk or worker it shared with them.
TEST_F(TimeoutsTest, MapWithDeadlineKeepsWhatFinished) {
  const std::vector<long long> items = {-1, 2, 3, 4, -1, 6, 7, 8, 9, 10};
  const DeadlineReport report =
      MapWithDeadline(pool_, SquareOrStuck, items, kDeadline);
  ASSERT_EQ(report.results.size(), items.size())
      << Explain("one result per item", "每个元素一个结果");
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i] < 0) {
      EXPECT_FALSE(report.results[i].has_value())
          << Explain("item ", "元素 ") << i
          << Explain(" never finishes: its place holds std::nullopt",
                     " 永远不会结束：它的位置上应是 std::nullopt");
    } else {
      EXPECT_EQ(report.results[i], items[i] * items[i])
          << Explain("item ", "元素 ") << i << Explain(" (", "（") << items[i]
          << Explain(
                 ") finishes at once: its result must be kept although other "
                 "items ran past their deadline. Give each item a task of its "
                 "own (chunksize 1) with {.timeout = per_item}: a stuck one is "
                 "then stopped alone, and holds up nothing queued behind it",
                 "）立即就能结束：即使别的元素超过了时限，它的结果也必须保留。"
                 "让每个元素各成一个任务（chunksize 1），并带上 "
                 "{.timeout = per_item}：这样卡住的元素只有它自己被停下，"
                 "也不会拖住排在它后面的任何工作");
    }
  }
  EXPECT_EQ(report.timed_out, (std::vector<std::size_t>{0, 4}))
      << Explain(
             "timed_out should list the items that ran past their "
             "deadline, and only those (catch pool::TaskTimeoutError), "
             "got ",
             "timed_out 应当列出超过时限的元素，并且只列出它们（捕获 "
             "pool::TaskTimeoutError），实际是 ")
      << Show(report.timed_out);
  EXPECT_TRUE(PoolIsFree("MapWithDeadline"));
}

// A task that throws or whose worker dies is nullopt, but did not time
// out.
TEST_F(TimeoutsTest, MapWithDeadlineOtherFailuresAreNotTimeouts) {
  const DeadlineReport report =
      MapWithDeadline(pool_, SquareOrStuck, {1000, 5, 1001, -1}, kDeadline);
  ASSERT_EQ(report.results.size(), 4u)
      << Explain("one result per item", "每个元素一个结果");
  EXPECT_FALSE(report.results[0].has_value())
      << Explain("item 0 throws", "元素 0 会抛出异常");
  EXPECT_EQ(report.results[1], 25);
  EXPECT_FALSE(report.results[2].has_value())
      << Explain("item 2's worker dies", "元素 2 的工作进程会死掉");
  EXPECT_FALSE(report.results[3].has_value())
      << Explain("item 3 never finishes", "元素 3 永远不会结束");
  EXPECT_EQ(report.timed_out, (std::vector<std::size_t>{3}))
      << Explain(
             "only item 3 ran past its deadline; a task that threw "
             "(pool::TaskError) or whose worker died "
             "(pool::WorkerDiedError) did not, got ",
             "只有元素 3 超过了时限；抛出异常的任务（pool::TaskError）"
             "或工作进程死掉的任务（pool::WorkerDiedError）不算超时，"
             "实际是 ")
      << Show(report.timed_out);
}

// More stuck items than workers: each is stopped at its deadline, so the
// items queued behind them still run (and their time in the queue does
// not count against them), and the pool is free afterwards.
TEST_F(TimeoutsTest, MapWithDeadlineStopsTheStuckTasks) {
  const std::vector<long long> items = {-1, -1, -1, 4, 5, 6};
  const DeadlineReport report =
      MapWithDeadline(pool_, SquareOrStuck, items, kDeadline);
  ASSERT_EQ(report.results.size(), items.size())
      << Explain("one result per item", "每个元素一个结果");
  for (std::size_t i = 3; i < items.size(); ++i) {
    EXPECT_EQ(report.results[i], items[i] * items[i])
        << Explain("item ", "元素 ") << i
        << Explain(
               " was queued behind three stuck tasks on two "
               "workers: it runs once they are stopped at their "
               "deadlines, and only its own run counts against its "
               "deadline",
               " 排在两个工作进程上三个卡住的任务后面：它们到时限被停下后"
               "它才执行，而只有它自己的执行时间计入它的时限");
  }
  EXPECT_EQ(report.timed_out, (std::vector<std::size_t>{0, 1, 2}))
      << Show(report.timed_out);
  EXPECT_TRUE(PoolIsFree("MapWithDeadline"));
}

// FindFirst: the first item, in input order, whose task says yes in time;
// stuck items before it count as "no".
TEST_F(TimeoutsTest, FindFirstSkipsStuckItems) {
  const Found found =
      FindFirst(pool_, IsSeven, {-1, 3, -1, 7, 9, 7}, kDeadline);
  ASSERT_TRUE(found.index.has_value())
      << Explain("item 3 is 7: FindFirst found nothing",
                 "元素 3 是 7：FindFirst 却什么也没找到");
  EXPECT_EQ(*found.index, 3u) << Explain(
      "the first 7 in input order is item 3; items 0 and 2 never "
      "finish and count as \"no\"",
      "按输入顺序第一个 7 是元素 3；元素 0 和 2 永远不会结束，"
      "算作“不是”");
  EXPECT_TRUE(PoolIsFree("FindFirst"));
}

// FindFirst with no answer: nullopt, nothing cancelled.
TEST_F(TimeoutsTest, FindFirstWithoutAnAnswer) {
  const Found found = FindFirst(pool_, IsSeven, {1, 2, 3, 1000}, kDeadline);
  EXPECT_FALSE(found.index.has_value())
      << Explain("no item is 7", "没有哪个元素是 7");
  EXPECT_EQ(found.cancelled, 0u);
}

// Once the answer is found, the tasks after it that have not started are
// cancelled: they never run.
TEST_F(TimeoutsTest, FindFirstCancelsTheRest) {
  // Two stuck items take both workers until their deadline; then the
  // answer, then 40 more stuck items that must never start.
  std::vector<long long> items = {-1, -1, 7};
  for (int i = 0; i < 40; ++i) items.push_back(-1);
  const Found found = FindFirst(pool_, IsSeven, items, kDeadline);
  ASSERT_TRUE(found.index.has_value()) << Explain("item 2 is 7", "元素 2 是 7");
  EXPECT_EQ(*found.index, 2u);
  // Let whatever still runs finish now, and let the pool drain.
  gate_.Open();
  pool_.close();
  pool_.join();
  // Items 0, 1 and 2 ran; a few after the answer may have started before
  // it was known (a worker takes its next task as soon as it is free).
  EXPECT_LE(gate_.arrived(), 10)
      << Explain("", "43 个任务中有 ") << gate_.arrived()
      << Explain(
             " of the 43 tasks ran: the tasks after the answer should be "
             "cancelled (cancel() on each result) before they start",
             " 个执行了：答案之后的任务应当在开始之前被取消（对每个结果"
             "调用 cancel()）");
  EXPECT_GE(found.cancelled, 33u) << Explain(
      "cancelled should count the cancel() calls that returned "
      "true",
      "cancelled 应当统计返回 true 的 cancel() 调用次数");
  EXPECT_LE(found.cancelled, 40u);
}

}  // namespace
}  // namespace exercises
