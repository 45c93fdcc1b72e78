// A hostile submission: MapInChunks aborts; MapInWorkers is correct.

#include "exercises/03_map/exercise.h"

#include <cstdlib>

namespace exercises {

std::vector<long long> MapInWorkers(pool::Pool& pool,
                                    long long (*fn)(long long),
                                    const std::vector<long long>& items) {
  return pool.map(fn, items);
}

std::vector<long long> MapInChunks(pool::Pool& /*pool*/,
                                   long long (* /*fn*/)(long long),
                                   const std::vector<long long>& /*items*/,
                                   int /*chunksize*/) {
  std::abort();
}

}  // namespace exercises
