// map with a task of two parameters (that is starmap).
// expect: pool: a map/imap task (first argument) takes exactly one parameter
#include <vector>

#include "pool/pool.h"

int Add(int a, int b) { return a + b; }

int main() {
  pool::Pool pool(2);
  std::vector<int> xs{1, 2, 3};
  return pool.map(Add, xs)[0];
}
