// An argument that does not convert to the task's parameter.
// expect: pool: the arguments (after the task) do not fit
#include <string>

#include "pool/pool.h"

int Square(int x) { return x * x; }

int main() {
  pool::Pool pool(2);
  return pool.apply(Square, std::string("seven"));
}
