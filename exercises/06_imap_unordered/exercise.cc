// Exercise 6: Pool::imap_unordered. Replace each TODO; see README.md.

#include "exercises/06_imap_unordered/exercise.h"

#include <stdexcept>

namespace exercises {

std::vector<long long> ImapUnorderedAll(pool::Pool& /*pool*/,
                                        long long (* /*fn*/)(long long),
                                        const std::vector<long long>& /*items*/,
                                        int /*chunksize*/) {
  // TODO: loop over pool.imap_unordered(fn, items, chunksize) and collect.
  throw std::logic_error("TODO: ImapUnorderedAll is not written yet");
}

void ForEachAsCompleted(pool::Pool& /*pool*/, long long (* /*fn*/)(long long),
                        const std::vector<long long>& /*items*/,
                        const std::function<void(long long)>& /*on_each*/) {
  // TODO: call on_each on every result of pool.imap_unordered, as it comes.
  throw std::logic_error("TODO: ForEachAsCompleted is not written yet");
}

}  // namespace exercises
