#include "pool/internal/result_state.h"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <exception>
#include <string>

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

std::string ForeignProcessMessage(const Origin& origin, const char* method,
                                  const char* subject, const char* object) {
  const std::string creator = std::to_string(origin.pid);
  return std::string(method) + " in process " + std::to_string(CurrentPid()) +
         ": " + subject + " a pool created by process " + creator +
         ", and this process is a fork() of it. Nothing here will ever "
         "deliver " +
         object + ": the pool's workers and handler thread belong to process " +
         creator +
         ". Use the pool's results in that process, or create a new Pool in "
         "this one.";
}

}  // namespace

std::string DescribeCallbackFailure(const char* which,
                                    const std::exception_ptr& original) {
  const TaskError e = CurrentExceptionAsTaskError();
  std::string message =
      std::string(which) + " threw " + e.type_name() + ": " + e.message();
  if (original) {
    try {
      std::rethrow_exception(original);
    } catch (const std::exception& o) {
      message += " (while handling: " + std::string(o.what()) + ")";
    } catch (...) {
    }
  }
  return message;
}

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

void CheckCanWait(const Origin& origin, const char* method, bool timed) {
  if (origin.pid != CurrentPid()) {
    throw UsageError(ForeignProcessMessage(
        origin, method, "this result is not ready and comes from", "it"));
  }
  if (InCallbackOf(origin.pool)) {
    throw UsageError(
        std::string(method) +
        " in a callback of the pool that computes this result, which is not "
        "ready: callbacks run on the thread that delivers that pool's "
        "results, so this wait could " +
        (timed ? "only time out" : "never end") +
        ". Use the value the callback receives, or wait outside the "
        "callback.");
  }
}

void ThrowForeignProcess(const Origin& origin, const char* method) {
  throw UsageError(ForeignProcessMessage(
      origin, method, "this iterator's results come from", "them"));
}

void ThrowMovedFrom(const char* method) {
  const std::string name(method);
  throw UsageError(name + " on a moved-from " +
                   name.substr(0, name.find("::")) +
                   ": it no longer refers to a result. Use the object it "
                   "was moved to.");
}

std::exception_ptr CancelledByCancel() {
  return std::make_exception_ptr(
      CancelledError("cancelled: cancel() was called before this task "
                     "started"));
}

}  // namespace pool::internal
