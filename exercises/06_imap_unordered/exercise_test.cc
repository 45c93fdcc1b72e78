// Tests for Exercise 6 (Pool::imap_unordered). They run against
// exercises/06_imap_unordered (your code) and solutions/06_imap_unordered.

#include "exercises/06_imap_unordered/exercise.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <set>
#include <thread>
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

long long SumBelow(long long max) {
  long long sum = 0;
  for (long long i = 0; i < max; ++i) sum += i;
  return sum;
}
long long Square(long long x) { return x * x; }
long long OwnPid(long long) { return ::getpid(); }
// For ForEachAsCompleted's ordering test. Items 1, 2 and 3 run only
// together (each waits until all three have started), so they must be in
// three workers at once; item 0 waits at the gate, which the test opens
// once on_each has seen the other three. The result is pid * 16 + x: which
// item it was, and which process computed it. A serial loop, in any order,
// cannot get past the barrier.
long long ZeroLastOthersTogether(long long x) {
  const bool ok = x == 0 ? WaitAtGate() : ArriveAndWait(3);
  return ok ? ::getpid() * 16LL + x : -1;
}

std::multiset<long long> SerialResults(long long (*fn)(long long),
                                       const std::vector<long long>& items) {
  std::multiset<long long> out;
  for (long long x : items) out.insert(fn(x));
  return out;
}

class ImapUnorderedTest : public ::testing::Test {
 protected:
  Gate gate_;  // Before the pool: the workers must see it.
  pool::Pool pool_{4};
};

// Every result comes out exactly once (as a multiset they equal a plain
// loop's), whatever the input and the chunksize.
TEST_F(ImapUnorderedTest, ImapUnorderedAllReturnsEveryResultOnce) {
  std::mt19937_64 rng(99);
  std::uniform_int_distribution<long long> value(0, 40000);
  std::vector<long long> random(250);
  for (long long& x : random) x = value(rng);
  const std::vector<long long> repeats = {3, 3, 3, 1, 1, 2};
  for (const auto& items :
       {std::vector<long long>{}, std::vector<long long>{8}, repeats, random}) {
    for (int chunksize : {1, 4, 100}) {
      const std::vector<long long> got =
          ImapUnorderedAll(pool_, SumBelow, items, chunksize);
      EXPECT_EQ(std::multiset<long long>(got.begin(), got.end()),
                SerialResults(SumBelow, items))
          << Explain("with ", "元素个数 ") << items.size()
          << Explain(" items and chunksize ", "，chunksize 为 ") << chunksize
          << Explain(": every item's result should come out exactly once",
                     "：每个元素的结果应当恰好出来一次");
    }
  }
}

// The items run in worker processes, and the chunksize reaches the pool:
// one chunk holding every item is one task, run by one worker.
TEST_F(ImapUnorderedTest, ImapUnorderedAllRunsInWorkersWithTheChunksize) {
  const std::vector<long long> pids =
      ImapUnorderedAll(pool_, OwnPid, std::vector<long long>(24, 0), 24);
  ASSERT_EQ(pids.size(), 24u)
      << Explain("one result per item", "每个元素一个结果");
  EXPECT_TRUE(RanInWorkers("ImapUnorderedAll", pids, pool_.worker_pids()));
  EXPECT_EQ(std::set<long long>(pids.begin(), pids.end()).size(), 1u)
      << Explain(
             "24 items with chunksize 24 are one chunk, so one worker should "
             "compute them all; the chunksize did not reach "
             "pool.imap_unordered",
             "chunksize 为 24 时，24 "
             "个元素是一个分块，应当由一个工作进程全部算完；chunksize 没有传到 "
             "pool.imap_unordered");
  EXPECT_THROW((void)ImapUnorderedAll(pool_, Square, {1, 2}, 0),
               pool::UsageError)
      << Explain(
             "chunksize 0 should be refused by the pool (pool::UsageError); "
             "pass it to pool.imap_unordered unchanged",
             "chunksize 0 应当被进程池拒绝（pool::UsageError）；把它原样传给 "
             "pool.imap_unordered");
}

// A slow first item does not hold back the others, and results reach
// on_each as they complete: item 0 can only finish after on_each has seen
// items 1, 2 and 3 (that is when the test opens the gate), and those three
// only finish when they run at the same time, in the pool's workers.
TEST_F(ImapUnorderedTest, ForEachAsCompletedDoesNotWaitForSlowItems) {
  const std::vector<pid_t> workers = pool_.worker_pids();
  std::vector<long long> seen;
  ForEachAsCompleted(
      pool_, ZeroLastOthersTogether, {0, 1, 2, 3}, [&](long long r) {
        seen.push_back(r);
        if (seen.size() == 3 &&
            std::none_of(seen.begin(), seen.end(),
                         [](long long v) { return v % 16 == 0; })) {
          gate_.Open();  // 1, 2 and 3 are in; 0 may finish.
        }
      });
  ASSERT_TRUE(NobodyGaveUp(
      gate_.gave_up(),
      Explain("the other items to run at the same time, or for on_each to "
              "see them before item 0",
              "其他元素同时执行，或者 on_each 在元素 0 之前看到它们"),
      Explain("Call on_each inside the loop over pool.imap_unordered(fn, "
              "items), as each result arrives: not after collecting them, not "
              "in a loop of your own, and not with imap (which waits for item "
              "0 first).",
              "应当在遍历 pool.imap_unordered(fn, items) 的循环里、每个结果"
              "一到就调用 on_each：不要等收集完再调用，不要用自己写的循环，"
              "也不要用 imap（它先等元素 0）。")));
  ASSERT_EQ(seen.size(), 4u) << Explain(
      "on_each should be called once per item", "on_each 应当每个元素调用一次");
  std::vector<long long> order, pids;
  for (long long r : seen) {
    order.push_back(r % 16);
    pids.push_back(r / 16);
  }
  EXPECT_EQ(order.back(), 0) << Explain(
      "item 0 could only finish after the others, so on_each should see it "
      "last",
      "元素 0 只能在其他元素之后完成，所以 on_each 应当最后看到它");
  EXPECT_EQ(std::multiset<long long>(order.begin(), order.end()),
            (std::multiset<long long>{0, 1, 2, 3}));
  EXPECT_TRUE(RanInWorkers("ForEachAsCompleted", pids, workers));
}

// on_each is called once per item, in the calling thread, with results
// computed in the pool's workers.
TEST_F(ImapUnorderedTest, ForEachAsCompletedCallsOncePerItem) {
  const std::thread::id caller = std::this_thread::get_id();
  std::vector<long long> items;
  for (long long x = 0; x < 50; ++x) items.push_back(x * 7 % 11);
  std::multiset<long long> seen;
  int calls_elsewhere = 0;
  ForEachAsCompleted(pool_, Square, items, [&](long long r) {
    seen.insert(r);
    if (std::this_thread::get_id() != caller) ++calls_elsewhere;
  });
  EXPECT_EQ(seen, SerialResults(Square, items))
      << Explain("on_each should be called once with each item's result",
                 "on_each 应当对每个元素的结果各调用一次");
  EXPECT_EQ(calls_elsewhere, 0) << Explain(
      "on_each was called on another thread; call it in the thread that called "
      "ForEachAsCompleted",
      "on_each 在另一个线程中被调用了；应当在调用 ForEachAsCompleted "
      "的线程中调用它");
  std::vector<long long> pids;
  ForEachAsCompleted(pool_, OwnPid, std::vector<long long>(12, 0),
                     [&](long long pid) { pids.push_back(pid); });
  EXPECT_TRUE(RanInWorkers("ForEachAsCompleted", pids, pool_.worker_pids()));
}

}  // namespace
}  // namespace exercises
