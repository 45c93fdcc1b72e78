#include "pool/internal/fork_gate.h"

#if defined(POOL_INTERNAL_FORK_GATE)

#include <pthread.h>

namespace pool::internal {
namespace {

// Writer-preferring, so that handler threads taking it shared over and over
// cannot keep a fork waiting.
pthread_rwlock_t* Gate() {
  static pthread_rwlock_t* gate = [] {
    static pthread_rwlock_t lock;
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr,
                                  PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    return &lock;
  }();
  return gate;
}

thread_local int shared_depth = 0;

}  // namespace

ForkGateShared::ForkGateShared() {
  if (shared_depth++ == 0) pthread_rwlock_rdlock(Gate());
}

ForkGateShared::~ForkGateShared() {
  if (--shared_depth == 0) pthread_rwlock_unlock(Gate());
}

ForkGateOpen::ForkGateOpen() : depth_(shared_depth) {
  if (depth_ > 0) pthread_rwlock_unlock(Gate());
  shared_depth = 0;
}

ForkGateOpen::~ForkGateOpen() {
  if (depth_ > 0) pthread_rwlock_rdlock(Gate());
  shared_depth = depth_;
}

ForkGateExclusive::ForkGateExclusive() : locked_(shared_depth == 0) {
  if (locked_) pthread_rwlock_wrlock(Gate());
}

ForkGateExclusive::~ForkGateExclusive() {
  if (locked_) pthread_rwlock_unlock(Gate());
}

}  // namespace pool::internal

#endif
