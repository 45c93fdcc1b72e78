// Exercise 11: threads vs processes, the reference solution.

#include "exercises/11_threads_vs_processes/exercise.h"

namespace exercises {

std::vector<long long> MapWithThreads(int workers, long long (*fn)(long long),
                                      const std::vector<long long>& items) {
  // Same API, same rules for fn; the tasks run on threads of this process,
  // so they see (and can change) this process's memory.
  pool::ThreadPool pool(workers);
  return pool.map(fn, items);
}

std::vector<long long> MapWithProcesses(int workers, long long (*fn)(long long),
                                        const std::vector<long long>& items) {
  // Each worker is a separate process with its own copy of memory; only
  // the encoded items and results cross over.
  pool::Pool pool(workers);
  return pool.map(fn, items);
}

}  // namespace exercises
