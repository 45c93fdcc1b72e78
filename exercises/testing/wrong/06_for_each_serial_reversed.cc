// A wrong solution of exercise 06 that used to pass: ForEachAsCompleted as
// a serial loop in this thread, over the items in reverse order (which
// happened to put item 0 last).

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
  for (auto it = items.rbegin(); it != items.rend(); ++it) on_each(fn(*it));
}

}  // namespace exercises
