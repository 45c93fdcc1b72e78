// An error_callback that does not take a pool::Error.
// expect: pool: this .error_callback cannot be called with the error
#include <vector>

#include "pool/pool.h"

int Square(int x) { return x * x; }

int main() {
  pool::Pool pool(2);
  auto r = pool.map_async(Square, std::vector<int>{1, 2},
                          {.error_callback = [](int) {}});
  r.wait();
}
