#include "pool/internal/fork_gate.h"

#if defined(POOL_INTERNAL_FORK_GATE)

#include <pthread.h>

namespace pool::internal {
namespace {

thread_local int shared_depth = 0;

pthread_rwlock_t gate_lock;

// Writer-preferring, so that handler threads taking it shared over and over
// cannot keep a fork waiting.
void InitGate() {
  pthread_rwlockattr_t attr;
  pthread_rwlockattr_init(&attr);
  pthread_rwlockattr_setkind_np(&attr,
                                PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
  pthread_rwlock_init(&gate_lock, &attr);
  pthread_rwlockattr_destroy(&attr);
}

// In a child forked by the program (not by the pool), only the forking
// thread exists: the holds of every other thread are gone with them, but
// their lock state was copied. Start from a fresh lock, held again by this
// thread if it held it (a callback that forks), so that a Pool built in the
// child does not wait forever for threads that do not exist there.
void ReinitGateInChild() {
  InitGate();
  if (shared_depth > 0) pthread_rwlock_rdlock(&gate_lock);
}

pthread_rwlock_t* Gate() {
  static const bool ready = [] {
    InitGate();
    pthread_atfork(nullptr, nullptr, &ReinitGateInChild);
    return true;
  }();
  (void)ready;
  return &gate_lock;
}

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
