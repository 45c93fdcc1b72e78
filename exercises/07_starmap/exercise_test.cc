// Tests for Exercise 7 (Pool::starmap). They run against
// exercises/07_starmap (your code) and solutions/07_starmap.

#include "exercises/07_starmap/exercise.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <random>
#include <utility>
#include <vector>

#include "exercises/testing/checks.h"
#include "exercises/testing/explain.h"
#include "pool/pool.h"

namespace exercises {
namespace {

using ::exercises::testing::RanInWorkers;

// Tasks. They are plain functions: they run in the worker processes.

// Not symmetric, so swapped arguments show.
long long Place(long long a, long long b) { return a * 1000 + b; }
// b-th power of a, modulo a prime; also not symmetric.
long long PowMod(long long a, long long b) {
  long long r = 1;
  for (long long i = 0; i < b; ++i) r = r * (a % 1000003) % 1000003;
  return r;
}
long long OwnPid(long long, long long) { return ::getpid(); }

using Pairs = std::vector<std::pair<long long, long long>>;

Pairs RandomPairs(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<long long> value(0, 3000);
  Pairs pairs(n);
  for (auto& [a, b] : pairs) {
    a = value(rng);
    b = value(rng);
  }
  return pairs;
}

std::vector<long long> SerialStarmap(long long (*fn)(long long, long long),
                                     const Pairs& pairs) {
  std::vector<long long> out;
  for (const auto& [a, b] : pairs) out.push_back(fn(a, b));
  return out;
}

class StarmapTest : public ::testing::Test {
 protected:
  pool::Pool pool_{4};
};

// Results equal a plain loop calling fn(a, b), in order, arguments not
// swapped; for no pairs, one pair and many.
TEST_F(StarmapTest, StarmapPairsMatchesAPlainLoop) {
  for (const Pairs& pairs :
       {Pairs{}, Pairs{{2, 10}}, Pairs{{1, 2}, {2, 1}, {7, 0}, {0, 7}},
        RandomPairs(200, 1)}) {
    EXPECT_EQ(StarmapPairs(pool_, Place, pairs), SerialStarmap(Place, pairs))
        << Explain("with ", "元素对个数 ") << pairs.size()
        << Explain(
               " pairs: the results should be fn(a, b) for each (a, b), in "
               "order (not fn(b, a))",
               "：结果应当是按顺序对每个 (a, b) 调用 fn(a, b) 的值（不是 fn(b, "
               "a)）");
    EXPECT_EQ(StarmapPairs(pool_, PowMod, pairs), SerialStarmap(PowMod, pairs))
        << Explain("with ", "元素对个数 ") << pairs.size()
        << Explain(
               " pairs: the results should be fn(a, b) for each (a, b), in "
               "order (not fn(b, a))",
               "：结果应当是按顺序对每个 (a, b) 调用 fn(a, b) 的值（不是 fn(b, "
               "a)）");
  }
}

// StarmapPairs computes every item in a worker process.
TEST_F(StarmapTest, StarmapPairsRunsInWorkers) {
  const std::vector<long long> pids =
      StarmapPairs(pool_, OwnPid, Pairs(20, {1, 2}));
  ASSERT_EQ(pids.size(), 20u)
      << Explain("one result per pair", "每对元素一个结果");
  EXPECT_TRUE(RanInWorkers("StarmapPairs", pids, pool_.worker_pids()));
}

// StarmapZip pairs xs[i] with ys[i], in order, arguments not swapped.
TEST_F(StarmapTest, StarmapZipMatchesAPlainLoop) {
  const Pairs pairs = RandomPairs(150, 2);
  std::vector<long long> xs, ys;
  for (const auto& [a, b] : pairs) {
    xs.push_back(a);
    ys.push_back(b);
  }
  EXPECT_EQ(StarmapZip(pool_, Place, xs, ys), SerialStarmap(Place, pairs))
      << Explain("the results should be fn(xs[i], ys[i]) for each i, in order",
                 "结果应当是按顺序对每个 i 调用 fn(xs[i], ys[i]) 的值");
  EXPECT_EQ(StarmapZip(pool_, PowMod, xs, ys), SerialStarmap(PowMod, pairs))
      << Explain("the results should be fn(xs[i], ys[i]) for each i, in order",
                 "结果应当是按顺序对每个 i 调用 fn(xs[i], ys[i]) 的值");
}

// Like Python's zip, StarmapZip stops at the end of the shorter input.
TEST_F(StarmapTest, StarmapZipStopsAtTheShorterInput) {
  const std::vector<long long> xs = {1, 2, 3, 4, 5};
  const std::vector<long long> ys = {10, 20, 30};
  const Pairs zipped = {{1, 10}, {2, 20}, {3, 30}};
  const Pairs zipped_back = {{10, 1}, {20, 2}, {30, 3}};
  EXPECT_EQ(StarmapZip(pool_, Place, xs, ys), SerialStarmap(Place, zipped))
      << Explain("5 xs and 3 ys: like Python's zip, stop after 3",
                 "5 个 xs 和 3 个 ys：像 Python 的 zip 一样，取 3 个就停");
  EXPECT_EQ(StarmapZip(pool_, Place, ys, xs), SerialStarmap(Place, zipped_back))
      << Explain("3 xs and 5 ys: like Python's zip, stop after 3",
                 "3 个 xs 和 5 个 ys：像 Python 的 zip 一样，取 3 个就停");
  EXPECT_TRUE(StarmapZip(pool_, Place, xs, {}).empty()) << Explain(
      "zip with an empty input is empty", "与空输入 zip 的结果是空的");
}

// StarmapZip computes every item in a worker process.
TEST_F(StarmapTest, StarmapZipRunsInWorkers) {
  const std::vector<long long> pids =
      StarmapZip(pool_, OwnPid, std::vector<long long>(16, 1),
                 std::vector<long long>(16, 2));
  ASSERT_EQ(pids.size(), 16u)
      << Explain("one result per pair", "每对元素一个结果");
  EXPECT_TRUE(RanInWorkers("StarmapZip", pids, pool_.worker_pids()));
}

}  // namespace
}  // namespace exercises
