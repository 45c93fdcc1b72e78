// pool/internal/misuse.h: the UsageErrors (and the one abort) for a pool or
// a result used where it cannot work: in a process other than the pool's
// (a fork of it), blocking in a callback of the same pool, or through a
// moved-from handle. Each message says what went wrong and what to do.
//
// Where the caller is comes from context.h; the checks that call these are
// in pool.h (BasicPool), async_result.h and result_state.h.

#ifndef POOL_INTERNAL_MISUSE_H_
#define POOL_INTERNAL_MISUSE_H_

#include <sys/types.h>

#include <chrono>

#include "pool/internal/context.h"

namespace pool::internal {

// The UsageError for `kind::method` (e.g. "Pool", "map()") called in a
// process other than `creator`, the one that created the pool.
[[noreturn]] void ThrowForeignPool(const char* kind, const char* method,
                                   pid_t creator);

// The UsageError for a blocking `kind::method` called in a callback of the
// same pool.
[[noreturn]] void ThrowBlockingInCallback(const char* kind, const char* method);

// For a pool (`kind`: "Pool", "ThreadPool") destroyed in one of its own
// callbacks, where its destructor would wait for the callback itself: says
// why on stderr, then aborts.
[[noreturn]] void AbortDestroyedInCallback(const char* kind) noexcept;

// Throws UsageError if `method` (for example "AsyncResult::get()"), about to
// wait for a result from `origin` that is not ready, could never return: in
// a process other than the pool's, or in a callback of the same pool.
// `timed`: the wait has a timeout (it would time out instead of hanging, but
// it cannot succeed either).
void CheckCanWait(const Origin& origin, const char* method, bool timed);

// Throws the UsageError for an imap iterator's `method` called in a process
// other than the one that created its pool.
[[noreturn]] void ThrowForeignProcess(const Origin& origin, const char* method);

// Throws the UsageError for a method called on a moved-from handle.
[[noreturn]] void ThrowMovedFrom(const char* method);

// The UsageError for a `.timeout` given to `kind::method` of a pool that
// cannot stop a running task (a ThreadPool).
[[noreturn]] void ThrowTimeoutUnsupported(const char* kind, const char* method);
// The UsageError for a `.timeout` that is zero or negative.
[[noreturn]] void ThrowTimeoutNotPositive(const char* method,
                                          std::chrono::nanoseconds timeout);

}  // namespace pool::internal

#endif  // POOL_INTERNAL_MISUSE_H_
