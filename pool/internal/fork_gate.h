// pool/internal/fork_gate.h: keeps the pool's own threads out of the
// memory allocator while a fork server is forked, in the sanitizer builds.
//
// fork() copies only the calling thread. glibc's malloc takes its locks
// around fork(), so the child's allocator is consistent; the allocators of
// GCC 12's AddressSanitizer and ThreadSanitizer runtimes do not. If another
// thread holds one of their locks at that moment, it stays locked forever in
// the fork server and in every worker forked from it, and the first
// allocation that needs it hangs. Pools built and destroyed by several
// threads at once hit exactly that: another pool's handler thread is always
// allocating or freeing a buffer.
//
// In those builds every pool thread holds the gate shared while it works
// (a handler thread between two poll() calls, a thread inside
// ProcessEngine::Submit), and the fork of a fork server holds it exclusively,
// so no pool thread is inside the allocator then. Threads of the program
// itself are not covered: see pool/README.md ("Fork safety"). In every other
// build the gate compiles to nothing, so the hot path is unchanged.

#ifndef POOL_INTERNAL_FORK_GATE_H_
#define POOL_INTERNAL_FORK_GATE_H_

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define POOL_INTERNAL_FORK_GATE 1
#endif

namespace pool::internal {

#if defined(POOL_INTERNAL_FORK_GATE)

// Holds the gate shared for its lifetime (pool work). Nests: only the
// outermost one on a thread takes the lock (a callback may submit work).
class ForkGateShared {
 public:
  ForkGateShared();
  ~ForkGateShared();
  ForkGateShared(const ForkGateShared&) = delete;
  ForkGateShared& operator=(const ForkGateShared&) = delete;
};

// Lets go of this thread's shared hold for its lifetime (the handler thread
// around poll(), where it allocates nothing and may wait long).
class ForkGateOpen {
 public:
  ForkGateOpen();
  ~ForkGateOpen();
  ForkGateOpen(const ForkGateOpen&) = delete;
  ForkGateOpen& operator=(const ForkGateOpen&) = delete;

 private:
  int depth_;
};

// Holds the gate exclusively for its lifetime (a fork). On a thread that
// holds it shared (a Pool built inside a callback) it cannot wait for
// itself, and does nothing.
class ForkGateExclusive {
 public:
  ForkGateExclusive();
  ~ForkGateExclusive();
  ForkGateExclusive(const ForkGateExclusive&) = delete;
  ForkGateExclusive& operator=(const ForkGateExclusive&) = delete;

 private:
  bool locked_;
};

#else

class ForkGateShared {
 public:
  ForkGateShared() {}
};
class ForkGateOpen {
 public:
  ForkGateOpen() {}
};
class ForkGateExclusive {
 public:
  ForkGateExclusive() {}
};

#endif

}  // namespace pool::internal

#endif  // POOL_INTERNAL_FORK_GATE_H_
