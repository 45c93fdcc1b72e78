#include <gtest/gtest.h>

#include "pool/pool.h"
int Square(int x) { return x * x; }
TEST(Smoke, Basic) {
  pool::Pool p(4);
  EXPECT_EQ(p.apply(Square, 7), 49);
  auto v = p.map(Square, {1, 2, 3});
  EXPECT_EQ(v, (std::vector<int>{1, 4, 9}));
  std::vector<int> xs{1, 2, 3, 4, 5};
  std::vector<int> got;
  for (int r : p.imap(Square, xs)) got.push_back(r);
  EXPECT_EQ(got, (std::vector<int>{1, 4, 9, 16, 25}));
  p.close();
  p.join();
}
