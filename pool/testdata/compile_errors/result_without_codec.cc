// A result of a type without a pool::Codec.
// expect: pool: the task's result type (T above) has no pool::Codec
#include <vector>

#include "pool/pool.h"

struct Point {
  double x, y;
};
Point Origin(int) { return {0, 0}; }

int main() {
  pool::Pool pool(2);
  std::vector<int> xs{1, 2};
  auto points = pool.map(Origin, xs);
  return static_cast<int>(points.size());
}
