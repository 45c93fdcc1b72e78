// A generic lambda: it has no single function address to send.
// expect: pool: the task (first argument) is not a plain function
#include "pool/pool.h"

int main() {
  pool::Pool pool(2);
  return pool.apply([](auto x) { return x * 2; }, 7);
}
