// A task that captures a local: it would not exist in the worker.
// expect: pool: the task (first argument) has state
#include "pool/pool.h"

int main() {
  pool::Pool pool(2);
  int k = 3;
  return pool.apply([k](int x) { return x * k; }, 7);
}
