// A hostile submission: ApplyOne ends the test process with exit(0), which
// once counted as a pass. ApplyNoArgs and ApplyTwo are correct.

#include "exercises/01_apply/exercise.h"

#include <cstdlib>

namespace exercises {

long long ApplyNoArgs(pool::Pool& pool, long long (*fn)()) {
  return pool.apply(fn);
}

long long ApplyOne(pool::Pool& /*pool*/, long long (* /*fn*/)(long long),
                   long long /*x*/) {
  std::exit(0);
}

long long ApplyTwo(pool::Pool& pool, long long (*fn)(long long, long long),
                   long long a, long long b) {
  return pool.apply(fn, std::tuple{a, b});
}

}  // namespace exercises
