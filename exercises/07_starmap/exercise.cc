// Exercise 7: Pool::starmap. Replace each TODO; see README.md.

#include "exercises/07_starmap/exercise.h"

#include <stdexcept>

namespace exercises {

std::vector<long long> StarmapPairs(
    pool::Pool& /*pool*/, long long (* /*fn*/)(long long, long long),
    const std::vector<std::pair<long long, long long>>& /*pairs*/) {
  // TODO: one call to pool.starmap.
  throw std::logic_error("TODO: StarmapPairs is not written yet");
}

std::vector<long long> StarmapZip(pool::Pool& /*pool*/,
                                  long long (* /*fn*/)(long long, long long),
                                  const std::vector<long long>& /*xs*/,
                                  const std::vector<long long>& /*ys*/) {
  // TODO:
  // Step 1. Zip xs and ys into a vector of std::tuple<long long, long long>,
  //         as long as the shorter of the two.
  // Step 2. One call to pool.starmap.
  throw std::logic_error("TODO: StarmapZip is not written yet");
}

}  // namespace exercises
