// apply_async's arguments not in a std::tuple.
// expect: pool: apply_async takes (fn, args, options)
#include "pool/pool.h"

int Square(int x) { return x * x; }

int main() {
  pool::Pool pool(2);
  return pool.apply_async(Square, 7).get();
}
