// Tests for Exercise 3 (Pool::map). They run against exercises/03_map (your
// code) and solutions/03_map (the reference).

#include "exercises/03_map/exercise.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <random>
#include <set>
#include <vector>

#include "exercises/testing/checks.h"
#include "exercises/testing/explain.h"
#include "pool/pool.h"

namespace exercises {
namespace {

using ::exercises::testing::RanInWorkers;

// Tasks. They are plain functions: they run in the worker processes.

// The article's action: 0 + 1 + ... + (max - 1).
long long SumBelow(long long max) {
  long long sum = 0;
  for (long long i = 0; i < max; ++i) sum += i;
  return sum;
}
long long Collatz(long long x) { return x % 2 == 0 ? x / 2 : 3 * x + 1; }
long long OwnPid(long long) { return ::getpid(); }

std::vector<long long> SerialMap(long long (*fn)(long long),
                                 const std::vector<long long>& items) {
  std::vector<long long> out;
  for (long long x : items) out.push_back(fn(x));
  return out;
}

// Inputs of many shapes: empty, one item, the article's, fewer and more
// items than workers, big items first (so later ones finish first).
std::vector<std::vector<long long>> Inputs() {
  std::mt19937_64 rng(20240611);
  std::uniform_int_distribution<long long> value(-50, 20000);
  std::vector<long long> many(500);
  for (long long& x : many) x = value(rng);
  std::vector<long long> descending;
  for (long long x = 300000; x > 0; x -= 25000) descending.push_back(x);
  return {{}, {42}, {50, 100, 150}, {3, 1, 2}, many, descending};
}

class MapTest : public ::testing::Test {
 protected:
  pool::Pool pool_{4};
};

// The article's program: map(action, (50, 100, 150)) is what a plain loop
// computes (1225, 4950, 11175).
TEST_F(MapTest, MapInWorkersRunsTheArticleProgram) {
  const std::vector<long long> items = {50, 100, 150};
  EXPECT_EQ(MapInWorkers(pool_, SumBelow, items), SerialMap(SumBelow, items))
      << Explain("map(action, (50, 100, 150)) should be 1225, 4950, 11175",
                 "map(action, (50, 100, 150)) 应当是 1225、4950、11175");
}

// Results equal a plain loop, in input order, for inputs of every shape and
// for more than one function.
TEST_F(MapTest, MapInWorkersMatchesAPlainLoop) {
  for (const auto& items : Inputs()) {
    EXPECT_EQ(MapInWorkers(pool_, SumBelow, items), SerialMap(SumBelow, items))
        << Explain("with ", "元素个数 ") << items.size()
        << Explain(
               " items: the results should be fn of each item, in input order",
               "：结果应当是对每个元素调用 fn 的值，并按输入顺序");
    EXPECT_EQ(MapInWorkers(pool_, Collatz, items), SerialMap(Collatz, items))
        << Explain("with ", "元素个数 ") << items.size()
        << Explain(
               " items: the results should be fn of each item, in input order",
               "：结果应当是对每个元素调用 fn 的值，并按输入顺序");
  }
}

// Every item is computed in a worker process, never in the caller.
TEST_F(MapTest, MapInWorkersRunsInWorkers) {
  const std::vector<long long> pids =
      MapInWorkers(pool_, OwnPid, std::vector<long long>(40, 0));
  ASSERT_EQ(pids.size(), 40u)
      << Explain("one result per item", "每个元素一个结果");
  EXPECT_TRUE(RanInWorkers("MapInWorkers", pids, pool_.worker_pids()));
}

// With any chunksize the results still equal a plain loop, in order.
TEST_F(MapTest, MapInChunksMatchesAPlainLoop) {
  for (int chunksize : {1, 2, 7, 1000}) {
    for (const auto& items : Inputs()) {
      EXPECT_EQ(MapInChunks(pool_, Collatz, items, chunksize),
                SerialMap(Collatz, items))
          << Explain("with ", "元素个数 ") << items.size()
          << Explain(" items and chunksize ", "，chunksize 为 ") << chunksize
          << Explain(": the results should be fn of each item, in input order",
                     "：结果应当是对每个元素调用 fn 的值，并按输入顺序");
    }
  }
}

// The chunksize reaches the pool: a single chunk is a single task, so one
// worker computes every item; and 0 is refused, as Python refuses it.
TEST_F(MapTest, MapInChunksPassesTheChunksize) {
  const std::vector<long long> pids =
      MapInChunks(pool_, OwnPid, std::vector<long long>(64, 0), 64);
  ASSERT_EQ(pids.size(), 64u)
      << Explain("one result per item", "每个元素一个结果");
  EXPECT_TRUE(RanInWorkers("MapInChunks", pids, pool_.worker_pids()));
  EXPECT_EQ(std::set<long long>(pids.begin(), pids.end()).size(), 1u)
      << Explain(
             "64 items with chunksize 64 are one chunk, so one worker should "
             "compute them all; they were spread over several, so the "
             "chunksize did not reach pool.map",
             "chunksize 为 64 时，64 "
             "个元素是一个分块，应当由一个工作进程全部算完；"
             "它们却分散到了几个工作进程，所以 chunksize 没有传到 pool.map");
  EXPECT_THROW((void)MapInChunks(pool_, Collatz, {1, 2, 3}, 0),
               pool::UsageError)
      << Explain(
             "chunksize 0 should be refused by the pool (pool::UsageError); "
             "pass it to pool.map unchanged",
             "chunksize 0 应当被进程池拒绝（pool::UsageError）；把它原样传给 "
             "pool.map");
}

}  // namespace
}  // namespace exercises
