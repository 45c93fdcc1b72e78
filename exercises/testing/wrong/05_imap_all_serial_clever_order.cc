// A wrong solution of exercise 05: ImapAll as a serial loop in this
// process that computes the items in an order chosen to open the test's
// gate (item 2 first), then returns them in input order.

#include <optional>
#include <ranges>

#include "exercises/05_imap/exercise.h"

namespace exercises {

std::vector<long long> ImapAll(pool::Pool& /*pool*/, long long (*fn)(long long),
                               const std::vector<long long>& items,
                               int /*chunksize*/) {
  std::vector<long long> results(items.size());
  for (std::size_t i = items.size(); i-- > 0;) results[i] = fn(items[i]);
  return results;
}

std::vector<long long> ImapFirstN(pool::Pool& pool, long long (*fn)(long long),
                                  std::size_t n) {
  std::vector<long long> results;
  if (n == 0) return results;
  pool::IMapIterator<long long> it = pool.imap(fn, std::views::iota(0LL));
  while (results.size() < n) results.push_back(*it.next());
  return results;
}

}  // namespace exercises
