// The callbacks passed as positional arguments, where the options go.
// expect: pool: map_async and starmap_async take (fn, items, options)
#include <vector>

#include "pool/pool.h"

int Square(int x) { return x * x; }

int main() {
  pool::Pool pool(2);
  std::vector<int> xs{1, 2, 3};
  auto on_results = [](const std::vector<int>&) {};
  auto on_error = [](const pool::Error&) {};
  auto r = pool.map_async(Square, xs, on_results, on_error);
  r.wait();
}
