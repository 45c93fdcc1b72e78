// An instructor's hidden test for exercise 03 (used by the grader's
// end-to-end check of --hidden): one more case, run against each
// submission's MapInWorkers.

#include <gtest/gtest.h>

#include <vector>

#include "exercises/03_map/exercise.h"
#include "pool/pool.h"

namespace {

long long Negate(long long x) { return -x; }

TEST(HiddenMapTest, MapInWorkersNegatesALongInput) {
  pool::Pool pool(2);
  std::vector<long long> items, expected;
  for (long long x = 0; x < 1000; ++x) {
    items.push_back(x);
    expected.push_back(-x);
  }
  EXPECT_EQ(exercises::MapInWorkers(pool, Negate, items), expected);
}

}  // namespace
