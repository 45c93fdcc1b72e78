// Exercise 6: Pool::imap_unordered, the reference solution.

#include "exercises/06_imap_unordered/exercise.h"

namespace exercises {

std::vector<long long> ImapUnorderedAll(pool::Pool& pool,
                                        long long (*fn)(long long),
                                        const std::vector<long long>& items,
                                        int chunksize) {
  std::vector<long long> results;
  results.reserve(items.size());
  // Each pass takes whichever result arrived first. With chunksize > 1 the
  // results of one chunk arrive together, in order within the chunk.
  for (long long r : pool.imap_unordered(fn, items, {.chunksize = chunksize})) {
    results.push_back(r);
  }
  return results;
}

void ForEachAsCompleted(pool::Pool& pool, long long (*fn)(long long),
                        const std::vector<long long>& items,
                        const std::function<void(long long)>& on_each) {
  // on_each runs here, in the consuming thread, while the workers go on
  // with the remaining items.
  for (long long r : pool.imap_unordered(fn, items)) on_each(r);
}

}  // namespace exercises
