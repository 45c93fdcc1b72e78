// Tests for Exercise 5 (Pool::imap). They run against exercises/05_imap
// (your code) and solutions/05_imap (the reference).

#include "exercises/05_imap/exercise.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <random>
#include <set>
#include <vector>

#include "exercises/testing/gate.h"
#include "pool/pool.h"

namespace exercises {
namespace {

using ::exercises::testing::Gate;
using ::exercises::testing::OpenGateFromTask;
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
// item 2 opens.
long long ZeroWaitsForTwo(long long x) {
  if (x == 2) OpenGateFromTask();
  if (x == 0 && !WaitAtGate()) return -1;
  return x * 10;
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
          << items.size() << " items, chunksize " << chunksize;
    }
  }
}

// Results come out in input order even when a later item finishes first.
TEST_F(ImapTest, ImapAllFollowsInputOrderNotCompletionOrder) {
  EXPECT_EQ(ImapAll(pool_, ZeroWaitsForTwo, {0, 1, 2, 3}, 1),
            (std::vector<long long>{0, 10, 20, 30}));
  EXPECT_FALSE(gate_.gave_up());
}

// The items run in worker processes, and the chunksize reaches the pool:
// one chunk holding every item is one task, run by one worker.
TEST_F(ImapTest, ImapAllRunsInWorkersWithTheChunksize) {
  const std::vector<long long> pids =
      ImapAll(pool_, OwnPid, std::vector<long long>(30, 0), 30);
  ASSERT_EQ(pids.size(), 30u);
  EXPECT_EQ(std::set<long long>(pids.begin(), pids.end()).size(), 1u);
  EXPECT_NE(pids.front(), ::getpid());
  EXPECT_THROW((void)ImapAll(pool_, Square, {1, 2}, 0), pool::UsageError);
}

// The first n results of an endless input are fn(0), ..., fn(n - 1).
TEST_F(ImapTest, ImapFirstNTakesAPrefixOfAnEndlessInput) {
  for (std::size_t n : {0u, 1u, 4u, 57u}) {
    std::vector<long long> expected;
    for (long long x = 0; x < static_cast<long long>(n); ++x) {
      expected.push_back(Square(x));
    }
    EXPECT_EQ(ImapFirstN(pool_, Square, n), expected) << "n = " << n;
  }
}

// ImapFirstN runs the items in workers.
TEST_F(ImapTest, ImapFirstNRunsInWorkers) {
  const std::vector<long long> pids = ImapFirstN(pool_, OwnPid, 9);
  ASSERT_EQ(pids.size(), 9u);
  for (long long pid : pids) EXPECT_NE(pid, ::getpid());
}

// ImapFirstN stops after n results: it never waits for result n + 1
// (which here could only come after a gate that stays shut).
TEST_F(ImapTest, ImapFirstNDoesNotWaitForMore) {
  EXPECT_EQ(ImapFirstN(pool_, FirstTenOnly, 10),
            SerialMap(Square, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_FALSE(gate_.gave_up()) << "waited for a result after the n-th";
}

}  // namespace
}  // namespace exercises
