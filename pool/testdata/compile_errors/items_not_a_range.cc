// Items that are not a range.
// expect: pool: the items (second argument) are not a range
#include "pool/pool.h"

int Square(int x) { return x * x; }

int main() {
  pool::Pool pool(2);
  auto it = pool.imap(Square, 7);
  return it.next().value_or(0);
}
