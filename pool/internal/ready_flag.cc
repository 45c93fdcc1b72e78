#include "pool/internal/ready_flag.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <climits>
#include <thread>

namespace pool::internal {
namespace {

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t),
              "the futex word is the atomic itself");

// Sleeps while `*word == expected`, at most `timeout` (null: no limit).
// Returns early on a wake-up, a signal or a spurious wake; the caller looks
// again.
void FutexWait(const std::atomic<std::uint32_t>* word, std::uint32_t expected,
               const timespec* timeout) {
  ::syscall(SYS_futex, reinterpret_cast<const std::uint32_t*>(word),
            FUTEX_WAIT_PRIVATE, expected, timeout, nullptr, 0);
}

}  // namespace

void ReadyFlag::Set() noexcept {
  // Whoever calls Set() holds the object alive (the Future is shared), so
  // the wake-up below never touches a destroyed word.
  if (word_.exchange(kSet, std::memory_order_acq_rel) == kWaitedFor) {
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word_),
              FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
  }
}

bool ReadyFlag::MarkWaiting() const noexcept {
  std::uint32_t w = word_.load(std::memory_order_acquire);
  while (w == kClear) {
    if (word_.compare_exchange_weak(w, kWaitedFor, std::memory_order_acquire)) {
      return true;
    }
  }
  return w != kSet;
}

bool ReadyFlag::Spin() const noexcept {
  for (int i = 0; i < kSpinRounds; ++i) {
    if (IsSet()) return true;
    std::this_thread::yield();
  }
  return IsSet();
}

void ReadyFlag::Wait() const noexcept {
  while (MarkWaiting()) FutexWait(&word_, kWaitedFor, nullptr);
}

bool ReadyFlag::WaitFor(std::chrono::nanoseconds timeout) const noexcept {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (MarkWaiting()) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= left.zero()) break;
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(left);
    const timespec relative{
        static_cast<time_t>(seconds.count()),
        static_cast<long>((left - seconds).count())};  // NOLINT(runtime/int)
    FutexWait(&word_, kWaitedFor, &relative);
  }
  return IsSet();
}

}  // namespace pool::internal
