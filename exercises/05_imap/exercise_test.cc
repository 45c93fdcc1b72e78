// Tests for Exercise 5 (Pool::imap). They run against exercises/05_imap
// (your code) and solutions/05_imap (the reference).

#include "exercises/05_imap/exercise.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <random>
#include <set>
#include <vector>

#include "exercises/testing/checks.h"
#include "exercises/testing/explain.h"
#include "exercises/testing/gate.h"
#include "pool/pool.h"

namespace exercises {
namespace {

using ::exercises::testing::Gate;
using ::exercises::testing::NobodyGaveUp;
using ::exercises::testing::OpenGateFromTask;
using ::exercises::testing::RanInWorkers;
using ::exercises::testing::WaitAtGate;

// Tasks. They are plain functions: they run in the worker processes.

long long SumBelow(long long max) {
  long long sum = 0;
  for (long long i = 0; i < max; ++i) sum += i;
  return sum;
}
long long Square(long long x) { return x * x; }
long long OwnPid(long long) { return ::getpid(); }
// Item 0 cannot finish before item 2 has run: it waits at the gate, which
// item 2 opens. Each result is x * 10 plus, above that, the pid of the
// process that computed it (pid * 1000 + x * 10).
long long ZeroWaitsForTwo(long long x) {
  if (x == 2) OpenGateFromTask();
  if (x == 0 && !WaitAtGate()) return -1;
  return ::getpid() * 1000LL + x * 10;
}
// Items 0..9 are squared at once; later items wait at a gate that stays
// shut, so asking for any of them would wait forever.
long long FirstTenOnly(long long x) {
  if (x >= 10 && !WaitAtGate()) return -1;
  return x * x;
}

std::vector<long long> SerialMap(long long (*fn)(long long),
                                 const std::vector<long long>& items) {
  std::vector<long long> out;
  for (long long x : items) out.push_back(fn(x));
  return out;
}

class ImapTest : public ::testing::Test {
 protected:
  Gate gate_;  // Before the pool: the workers must see it.
  pool::Pool pool_{4};
};

// Results equal a plain loop, in input order, for several inputs and
// chunksizes (big items first, so later items tend to finish first).
TEST_F(ImapTest, ImapAllMatchesAPlainLoop) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<long long> value(0, 50000);
  std::vector<long long> random(300);
  for (long long& x : random) x = value(rng);
  std::vector<long long> descending;
  for (long long x = 400000; x > 0; x -= 20000) descending.push_back(x);
  for (const auto& items : {std::vector<long long>{}, std::vector<long long>{5},
                            random, descending}) {
    for (int chunksize : {1, 3, 64}) {
      EXPECT_EQ(ImapAll(pool_, SumBelow, items, chunksize),
                SerialMap(SumBelow, items))
          << Explain("with ", "元素个数 ") << items.size()
          << Explain(" items and chunksize ", "，chunksize 为 ") << chunksize
          << Explain(": the results should be fn of each item, in input order",
                     "：结果应当是对每个元素调用 fn 的值，并按输入顺序");
    }
  }
}

// Results come out in input order even when a later item finishes first
// (item 0 waits for item 2, so they must run at the same time, in the
// pool's workers).
TEST_F(ImapTest, ImapAllFollowsInputOrderNotCompletionOrder) {
  const std::vector<long long> got =
      ImapAll(pool_, ZeroWaitsForTwo, {0, 1, 2, 3}, 1);
  ASSERT_TRUE(NobodyGaveUp(
      gate_.gave_up(),
      Explain("item 2 to run while item 0 was still running",
              "元素 0 还在执行时元素 2 开始执行"),
      Explain("The items did not run side by side in the pool: loop over "
              "pool.imap(fn, items, {.chunksize = chunksize}) instead of "
              "computing them yourself.",
              "这些元素没有在进程池里并行执行：应当遍历 "
              "pool.imap(fn, items, {.chunksize = chunksize})，"
              "而不是自己逐个计算。")));
  ASSERT_EQ(got.size(), 4u)
      << Explain("one result per item", "每个元素一个结果");
  std::vector<long long> values, pids;
  for (long long r : got) {
    values.push_back(r % 1000);
    pids.push_back(r / 1000);
  }
  EXPECT_EQ(values, (std::vector<long long>{0, 10, 20, 30})) << Explain(
      "the results should come out in input order (item 0 first), although "
      "item 2 finished before item 0",
      "结果应当按输入顺序出来（元素 0 在前），尽管元素 2 比元素 0 先完成");
  EXPECT_TRUE(RanInWorkers("ImapAll", pids, pool_.worker_pids()));
}

// The items run in worker processes, and the chunksize reaches the pool:
// one chunk holding every item is one task, run by one worker.
TEST_F(ImapTest, ImapAllRunsInWorkersWithTheChunksize) {
  const std::vector<long long> pids =
      ImapAll(pool_, OwnPid, std::vector<long long>(30, 0), 30);
  ASSERT_EQ(pids.size(), 30u)
      << Explain("one result per item", "每个元素一个结果");
  EXPECT_TRUE(RanInWorkers("ImapAll", pids, pool_.worker_pids()));
  EXPECT_EQ(std::set<long long>(pids.begin(), pids.end()).size(), 1u)
      << Explain(
             "30 items with chunksize 30 are one chunk, so one worker should "
             "compute them all; the chunksize did not reach pool.imap",
             "chunksize 为 30 时，30 "
             "个元素是一个分块，应当由一个工作进程全部算完；chunksize 没有传到 "
             "pool.imap");
  EXPECT_THROW((void)ImapAll(pool_, Square, {1, 2}, 0), pool::UsageError)
      << Explain(
             "chunksize 0 should be refused by the pool (pool::UsageError); "
             "pass it to pool.imap unchanged",
             "chunksize 0 应当被进程池拒绝（pool::UsageError）；把它原样传给 "
             "pool.imap");
}

// The first n results of an endless input are fn(0), ..., fn(n - 1).
TEST_F(ImapTest, ImapFirstNTakesAPrefixOfAnEndlessInput) {
  for (std::size_t n : {0u, 1u, 4u, 57u}) {
    std::vector<long long> expected;
    for (long long x = 0; x < static_cast<long long>(n); ++x) {
      expected.push_back(Square(x));
    }
    EXPECT_EQ(ImapFirstN(pool_, Square, n), expected)
        << "ImapFirstN(pool, fn, " << n << ") should return fn(0) ... fn(" << n
        << " - 1), " << n << Explain(" results", " 个结果");
  }
}

// ImapFirstN runs the items in workers.
TEST_F(ImapTest, ImapFirstNRunsInWorkers) {
  const std::vector<long long> pids = ImapFirstN(pool_, OwnPid, 9);
  ASSERT_EQ(pids.size(), 9u)
      << Explain("ImapFirstN(pool, fn, 9) gives 9 results",
                 "ImapFirstN(pool, fn, 9) 得到 9 个结果");
  EXPECT_TRUE(RanInWorkers("ImapFirstN", pids, pool_.worker_pids()));
}

// ImapFirstN stops after n results: it never waits for result n + 1
// (which here could only come after a gate that stays shut).
TEST_F(ImapTest, ImapFirstNDoesNotWaitForMore) {
  const std::vector<long long> got = ImapFirstN(pool_, FirstTenOnly, 10);
  ASSERT_TRUE(NobodyGaveUp(
      gate_.gave_up(),
      Explain("the test to end (result 11 never comes)",
              "测试结束（第 11 个结果永远不会来）"),
      Explain("ImapFirstN asked for result n + 1 after the n-th. Stop after "
              "the n-th result: a range-for asks for the next one in every "
              "++, a loop over it.next() asks only when you call it.",
              "ImapFirstN 拿到第 n 个结果后又要了第 n + 1 个。拿到第 n "
              "个就应当停下：range-for 的每次 ++ 都会要下一个结果，"
              "而循环调用 it.next() 只在你调用时才要。")));
  EXPECT_EQ(got, SerialMap(Square, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

}  // namespace
}  // namespace exercises
