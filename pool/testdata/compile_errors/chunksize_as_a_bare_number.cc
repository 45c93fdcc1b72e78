// chunksize passed as a bare number instead of {.chunksize = 8}.
// expect: pool: map and starmap take (fn, items, options)
#include <vector>

#include "pool/pool.h"

int Square(int x) { return x * x; }

int main() {
  pool::Pool pool(2);
  std::vector<int> xs{1, 2, 3};
  return pool.map(Square, xs, 8)[0];
}
