#include "pool/internal/context.h"

#include <pthread.h>
#include <unistd.h>

#include <atomic>

namespace pool::internal {
namespace {

std::atomic<pid_t> current_pid{0};

void UpdatePidInChild() {
  current_pid.store(::getpid(), std::memory_order_relaxed);
}

// Registered before main() runs (see kRegistered below) and at the latest on
// first use, so every fork() after a pool exists updates the cached pid.
bool RegisterForkHandler() {
  current_pid.store(::getpid(), std::memory_order_relaxed);
  ::pthread_atfork(nullptr, nullptr, &UpdatePidInChild);
  return true;
}

[[maybe_unused]] const pid_t kRegistered = CurrentPid();

// The pool whose callback the calling thread is running, if any.
thread_local const void* callback_of = nullptr;

}  // namespace

pid_t CurrentPid() {
  static const bool registered = RegisterForkHandler();
  (void)registered;
  return current_pid.load(std::memory_order_relaxed);
}

CallbackScope::CallbackScope(const void* pool) noexcept
    : previous_(callback_of) {
  callback_of = pool;
}

CallbackScope::~CallbackScope() { callback_of = previous_; }

bool InCallbackOf(const void* pool) noexcept {
  return pool != nullptr && callback_of == pool;
}

}  // namespace pool::internal
