// Exercise 5: Pool::imap, the reference solution.

#include "exercises/05_imap/exercise.h"

#include <optional>
#include <ranges>

namespace exercises {

std::vector<long long> ImapAll(pool::Pool& pool, long long (*fn)(long long),
                               const std::vector<long long>& items,
                               int chunksize) {
  std::vector<long long> results;
  // Each pass of the loop waits for the next result in input order; the
  // workers keep computing the ones after it meanwhile.
  for (long long r : pool.imap(fn, items, {.chunksize = chunksize}))
    results.push_back(r);
  return results;
}

std::vector<long long> ImapFirstN(pool::Pool& pool, long long (*fn)(long long),
                                  std::size_t n) {
  std::vector<long long> results;
  if (n == 0) return results;  // Not even one result is wanted.
  // The endless range is moved into the iterator, which reads it only a
  // bounded window ahead of what has been consumed.
  pool::IMapIterator<long long> it = pool.imap(fn, std::views::iota(0LL));
  // next() asks for exactly one result per call; a range-for would have to
  // break right after the n-th result to avoid asking for one more.
  while (results.size() < n) {
    std::optional<long long> r = it.next();
    results.push_back(*r);  // Never nullopt: the input does not end.
  }
  return results;
}

}  // namespace exercises
