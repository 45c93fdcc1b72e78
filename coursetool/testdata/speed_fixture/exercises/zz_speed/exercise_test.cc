#include "exercises/zz_speed/exercise.h"

#include <gtest/gtest.h>

namespace {

TEST(SumTest, Small) { EXPECT_EQ(zz::SumTo(10), 55); }

TEST(SumTest, Large) { EXPECT_EQ(zz::SumTo(100000), 5000050000LL); }

}  // namespace
