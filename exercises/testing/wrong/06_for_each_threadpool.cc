// A wrong solution of exercise 06 that used to pass: ForEachAsCompleted on
// a pool::ThreadPool of its own, so the items run on threads of the caller.

#include "exercises/06_imap_unordered/exercise.h"

namespace exercises {

std::vector<long long> ImapUnorderedAll(pool::Pool& pool,
                                        long long (*fn)(long long),
                                        const std::vector<long long>& items,
                                        int chunksize) {
  std::vector<long long> results;
  for (long long r : pool.imap_unordered(fn, items, {.chunksize = chunksize})) {
    results.push_back(r);
  }
  return results;
}

void ForEachAsCompleted(pool::Pool& /*pool*/, long long (*fn)(long long),
                        const std::vector<long long>& items,
                        const std::function<void(long long)>& on_each) {
  pool::ThreadPool threads(8);
  for (long long r : threads.imap_unordered(fn, items)) on_each(r);
}

}  // namespace exercises
