// exercises/05_imap/exercise.h: Exercise 5, Pool::imap.
//
// Python's pool.imap(func, iterable, chunksize) is the lazy map: it returns
// an iterator, and each result can be used as soon as it and the ones
// before it are done, in input order. This pool's imap also reads its input
// lazily, so the input may even be endless. Write the functions below in
// exercise.cc; README.md has the details.

#ifndef EXERCISES_05_IMAP_EXERCISE_H_
#define EXERCISES_05_IMAP_EXERCISE_H_

#include <cstddef>
#include <vector>

#include "pool/pool.h"

namespace exercises {

// Returns fn of every item, in input order, read one by one from pool.imap
// with the given chunksize. Python: list(pool.imap(fn, items, chunksize))
std::vector<long long> ImapAll(pool::Pool& pool, long long (*fn)(long long),
                               const std::vector<long long>& items,
                               int chunksize);

// Returns {fn(0), fn(1), ..., fn(n - 1)}: imap over the endless input
// 0, 1, 2, ... (std::views::iota), stopping after n results.
// Python: list(itertools.islice(pool.imap(fn, itertools.count()), n))
std::vector<long long> ImapFirstN(pool::Pool& pool, long long (*fn)(long long),
                                  std::size_t n);

}  // namespace exercises

#endif  // EXERCISES_05_IMAP_EXERCISE_H_
