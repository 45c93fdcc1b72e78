// exercises/06_imap_unordered/exercise.h: Exercise 6, Pool::imap_unordered.
//
// Python's pool.imap_unordered(func, iterable, chunksize) is imap without
// the ordering: results come out as soon as they finish, whatever their
// position in the input. A slow item no longer holds back the fast ones
// behind it. Write the functions below in exercise.cc; README.md has the
// details.

#ifndef EXERCISES_06_IMAP_UNORDERED_EXERCISE_H_
#define EXERCISES_06_IMAP_UNORDERED_EXERCISE_H_

#include <functional>
#include <vector>

#include "pool/pool.h"

namespace exercises {

// Returns fn of every item, in the order the results finished, using the
// given chunksize. Python: list(pool.imap_unordered(fn, items, chunksize))
std::vector<long long> ImapUnorderedAll(pool::Pool& pool,
                                        long long (*fn)(long long),
                                        const std::vector<long long>& items,
                                        int chunksize);

// Calls on_each(result) for every item's result, in this thread, as soon as
// it is available, in the order the results finish.
// Python: for r in pool.imap_unordered(fn, items): on_each(r)
void ForEachAsCompleted(pool::Pool& pool, long long (*fn)(long long),
                        const std::vector<long long>& items,
                        const std::function<void(long long)>& on_each);

}  // namespace exercises

#endif  // EXERCISES_06_IMAP_UNORDERED_EXERCISE_H_
