// pool/internal/context.h: where the calling thread is, as the pool's
// checks ask it: in which process (a fork of the pool's creator?), and in a
// callback of which pool.
//
// Both answers are cheap (a load each), so that every public call can ask
// them: the misuse checks of misuse.h turn what would hang or crash into a
// UsageError from them.

#ifndef POOL_INTERNAL_CONTEXT_H_
#define POOL_INTERNAL_CONTEXT_H_

#include <sys/types.h>

namespace pool::internal {

// The pid of the calling process. A pthread_atfork() handler keeps it up to
// date in forked children, so checking "is this the process that created
// the pool?" costs a load instead of a getpid() system call.
pid_t CurrentPid();

// Where a result comes from: the pool that resolves it (an identity that is
// compared, never dereferenced) and the process that created that pool.
// `spin`: a wait for the result yields the CPU for a moment before it
// sleeps (ReadyFlag::Spin). True for a ThreadPool, whose task threads
// publish the results: a result nearly done then costs its thread no
// wake-up system call and the waiter no sleep. False for a Pool, whose
// handler thread needs the CPU that a spinning waiter would take from it
// (on 2 cores, spinning halved Pool's apply_async throughput).
struct Origin {
  const void* pool = nullptr;
  pid_t pid = 0;
  bool spin = false;
};

// Marks the calling thread, for its lifetime, as running a callback of
// `pool`. Nests: the previous mark is restored on destruction.
class CallbackScope {
 public:
  explicit CallbackScope(const void* pool) noexcept;
  ~CallbackScope();
  CallbackScope(const CallbackScope&) = delete;
  CallbackScope& operator=(const CallbackScope&) = delete;

 private:
  const void* previous_;
};

// True if the calling thread is running a callback of `pool`.
bool InCallbackOf(const void* pool) noexcept;

}  // namespace pool::internal

#endif  // POOL_INTERNAL_CONTEXT_H_
