// A hostile submission: before main() runs, it prints what a passing
// GoogleTest run prints and ends the process with status 0. Nothing is
// implemented.

#include "exercises/07_starmap/exercise.h"

#include <unistd.h>

#include <cstdio>
#include <stdexcept>

namespace {

struct FakeResults {
  FakeResults() {
    std::printf(
        "[==========] Running 5 tests from 1 test suite.\n"
        "[       OK ] StarmapTest.StarmapPairsMatchesAPlainLoop (1 ms)\n"
        "[==========] 5 tests from 1 test suite ran. (5 ms total)\n"
        "[  PASSED  ] 5 tests.\n");
    std::fflush(stdout);
    ::_exit(0);
  }
};
FakeResults fake;

}  // namespace

namespace exercises {

std::vector<long long> StarmapPairs(
    pool::Pool& /*pool*/, long long (* /*fn*/)(long long, long long),
    const std::vector<std::pair<long long, long long>>& /*pairs*/) {
  throw std::logic_error("not written");
}

std::vector<long long> StarmapZip(pool::Pool& /*pool*/,
                                  long long (* /*fn*/)(long long, long long),
                                  const std::vector<long long>& /*xs*/,
                                  const std::vector<long long>& /*ys*/) {
  throw std::logic_error("not written");
}

}  // namespace exercises
