// A callback that cannot take the result (an int here).
// expect: pool: this .callback cannot be called with the result
#include <string>

#include "pool/pool.h"

int Square(int x) { return x * x; }

int main() {
  pool::Pool pool(2);
  auto r = pool.apply_async(Square, std::tuple{7},
                            {.callback = [](const std::string&) {}});
  return r.get();
}
