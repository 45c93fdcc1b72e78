#include "exercises/zz_speed/exercise.h"

namespace zz {

// Right, and slow: one addition at a time, through memory.
long long SumTo(long long n) {
  volatile long long sum = 0;
  for (long long i = 1; i <= n; ++i) sum = sum + i;
  return sum;
}

}  // namespace zz
