#include "exercises/testing/checks.h"

#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "exercises/testing/gate.h"

namespace exercises::testing {

namespace {

std::string Join(const std::vector<pid_t>& pids) {
  std::ostringstream out;
  for (std::size_t i = 0; i < pids.size(); ++i) {
    out << (i ? ", " : "") << pids[i];
  }
  return out.str();
}

}  // namespace

::testing::AssertionResult RanInWorkers(const std::string& what,
                                        const std::vector<long long>& pids,
                                        const std::vector<pid_t>& workers) {
  const long long self = ::getpid();
  std::size_t here = 0, elsewhere = 0;
  long long stranger = 0;
  for (long long pid : pids) {
    if (pid == self) {
      ++here;
    } else if (std::find(workers.begin(), workers.end(), pid) ==
               workers.end()) {
      ++elsewhere;
      stranger = pid;
    }
  }
  if (here == 0 && elsewhere == 0) return ::testing::AssertionSuccess();
  ::testing::AssertionResult failure = ::testing::AssertionFailure();
  failure << what << " must run the tasks in the worker processes of the "
          << "pool it was given (pids " << Join(workers) << ").";
  if (here > 0) {
    failure << "\n  " << here << " of " << pids.size()
            << " tasks ran in this test's own process (pid " << self
            << "): the function was called directly, in a loop, or on a "
               "thread (std::thread, std::async, a ThreadPool). Submit "
               "the work through the pool instead.";
  }
  if (elsewhere > 0) {
    failure << "\n  " << elsewhere << " of " << pids.size()
            << " tasks ran in process " << stranger
            << ", which is not one of that pool's workers: use the pool "
               "passed in, not a pool of your own.";
  }
  return failure;
}

::testing::AssertionResult RanInAWorker(const std::string& what, long long pid,
                                        const std::vector<pid_t>& workers) {
  return RanInWorkers(what, std::vector<long long>{pid}, workers);
}

::testing::AssertionResult NobodyGaveUp(bool gave_up,
                                        const std::string& waited_for,
                                        const std::string& meaning) {
  if (!gave_up) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "A task waited " << kGuard.count() << " s for " << waited_for
         << " and gave up. " << meaning;
}

}  // namespace exercises::testing
