#include "exercises/zz_speed/exercise.h"

namespace zz {

long long SumTo(long long /*n*/) { return 0; }

}  // namespace zz
