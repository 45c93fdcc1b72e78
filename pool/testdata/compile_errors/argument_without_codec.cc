// An argument of a type without a pool::Codec.
// expect: pool: a parameter type of the task (T above) has no pool::Codec
#include <vector>

#include "pool/pool.h"

struct Point {
  double x, y;
};
double Norm(Point p) { return p.x * p.x + p.y * p.y; }

int main() {
  pool::Pool pool(2);
  std::vector<Point> points{{1, 2}};
  auto norms = pool.map(Norm, points);
  return static_cast<int>(norms[0]);
}
