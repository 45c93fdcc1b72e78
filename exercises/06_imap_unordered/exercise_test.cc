// Tests for Exercise 6 (Pool::imap_unordered). They run against
// exercises/06_imap_unordered (your code) and solutions/06_imap_unordered.

#include "exercises/06_imap_unordered/exercise.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <set>
#include <vector>

#include "exercises/testing/gate.h"
#include "pool/pool.h"

namespace exercises {
namespace {

using ::exercises::testing::Gate;
using ::exercises::testing::WaitAtGate;

// Tasks. They are plain functions: they run in the worker processes.

long long SumBelow(long long max) {
  long long sum = 0;
  for (long long i = 0; i < max; ++i) sum += i;
  return sum;
}
long long Square(long long x) { return x * x; }
long long OwnPid(long long) { return ::getpid(); }
// Item 0 waits at the gate; the others are squared at once.
long long ZeroWaits(long long x) {
  if (x == 0 && !WaitAtGate()) return -1;
  return x * x;
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
          << items.size() << " items, chunksize " << chunksize;
    }
  }
}

// The items run in worker processes, and the chunksize reaches the pool:
// one chunk holding every item is one task, run by one worker.
TEST_F(ImapUnorderedTest, ImapUnorderedAllRunsInWorkersWithTheChunksize) {
  const std::vector<long long> pids =
      ImapUnorderedAll(pool_, OwnPid, std::vector<long long>(24, 0), 24);
  ASSERT_EQ(pids.size(), 24u);
  EXPECT_EQ(std::set<long long>(pids.begin(), pids.end()).size(), 1u);
  EXPECT_NE(pids.front(), ::getpid());
  EXPECT_THROW((void)ImapUnorderedAll(pool_, Square, {1, 2}, 0),
               pool::UsageError);
}

// A slow first item does not hold back the others: item 0 can only finish
// after on_each has seen the other three results (that is when the test
// opens the gate), so in completion order it comes last.
TEST_F(ImapUnorderedTest, ForEachAsCompletedDoesNotWaitForSlowItems) {
  std::vector<long long> seen;
  ForEachAsCompleted(pool_, ZeroWaits, {0, 1, 2, 3}, [&](long long r) {
    seen.push_back(r);
    if (seen.size() == 3 && std::count(seen.begin(), seen.end(), 0) == 0) {
      gate_.Open();  // Items 1, 2 and 3 are in; item 0 may finish now.
    }
  });
  EXPECT_FALSE(gate_.gave_up()) << "waited for item 0 before the others";
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen.back(), 0) << "item 0 cannot finish before the gate opens";
  EXPECT_EQ(std::multiset<long long>(seen.begin(), seen.end()),
            (std::multiset<long long>{0, 1, 4, 9}));
}

// on_each is called once per item, in the calling thread.
TEST_F(ImapUnorderedTest, ForEachAsCompletedCallsOncePerItem) {
  const pid_t self = ::getpid();
  std::vector<long long> items;
  for (long long x = 0; x < 50; ++x) items.push_back(x * 7 % 11);
  std::multiset<long long> seen;
  int calls_elsewhere = 0;
  ForEachAsCompleted(pool_, Square, items, [&](long long r) {
    seen.insert(r);
    if (::getpid() != self) ++calls_elsewhere;
  });
  EXPECT_EQ(seen, SerialResults(Square, items));
  EXPECT_EQ(calls_elsewhere, 0);
}

}  // namespace
}  // namespace exercises
