// pool/internal/ready_flag.h: a flag that is set once, and waiting for it.
//
// What a Future (result_state.h) waits on: one 32-bit word and the futex
// system call, with no mutex or condition variable, so that publishing a
// result nobody waits for yet is one atomic exchange, and a result costs
// nothing to create or destroy.

#ifndef POOL_INTERNAL_READY_FLAG_H_
#define POOL_INTERNAL_READY_FLAG_H_

#include <atomic>
#include <chrono>
#include <cstdint>

namespace pool::internal {

class ReadyFlag {
 public:
  // Whether Set() was called; what Set()'s caller wrote before is then
  // visible (acquire). Takes no lock, so it is safe in a forked child.
  bool IsSet() const noexcept {
    return word_.load(std::memory_order_acquire) == kSet;
  }
  // Sets the flag (release) and wakes the threads waiting for it, if any
  // (a system call only then). Call at most once.
  void Set() noexcept;
  // Yields the CPU up to kSpinRounds times while the flag is not set;
  // returns IsSet(). Worth it before Wait() only where the thread that will
  // set the flag does not need this CPU to get there (see Origin::spin).
  bool Spin() const noexcept;
  // Waits until the flag is set.
  void Wait() const noexcept;
  // Waits at most `timeout`; returns IsSet().
  bool WaitFor(std::chrono::nanoseconds timeout) const noexcept;

 private:
  static constexpr std::uint32_t kClear = 0;
  static constexpr std::uint32_t kWaitedFor = 1;  // Not set; a thread sleeps.
  static constexpr std::uint32_t kSet = 2;
  static constexpr int kSpinRounds = 200;
  // Moves kClear to kWaitedFor; false if the flag is set.
  bool MarkWaiting() const noexcept;

  mutable std::atomic<std::uint32_t> word_{kClear};
};

}  // namespace pool::internal

#endif  // POOL_INTERNAL_READY_FLAG_H_
