#include "exercises/zz_speed/exercise.h"

namespace zz {

// Fast and wrong: speed earns nothing unless every test passes.
long long SumTo(long long n) { return n * n / 2; }

}  // namespace zz
