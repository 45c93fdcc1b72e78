#include "pool/internal/misuse.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "pool/errors.h"

namespace pool::internal {
namespace {

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

void ThrowForeignPool(const char* kind, const char* method, pid_t creator) {
  const std::string name(kind);
  throw UsageError(
      name + "::" + method + " in process " + std::to_string(CurrentPid()) +
      ": this " + name + " was created by process " + std::to_string(creator) +
      ", and this process is a fork() of it. A pool belongs to the process "
      "that created it (its workers and handler thread are there); a copy "
      "made by fork() is inert. Create a new " +
      name + " in this process.");
}

void ThrowBlockingInCallback(const char* kind, const char* method) {
  throw UsageError(std::string(kind) + "::" + method +
                   " in a callback of the same pool: callbacks run on the "
                   "thread that delivers that pool's results, so the call "
                   "would wait for itself forever. Submit with the _async "
                   "variant and a callback instead, or call it outside the "
                   "callback.");
}

void AbortDestroyedInCallback(const char* kind) noexcept {
  std::fprintf(stderr,
               "pool: a %s was destroyed in one of its own callbacks; that "
               "cannot work (the callback runs on a thread the destructor "
               "must wait for)\n",
               kind);
  std::abort();
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

void ThrowTimeoutUnsupported(const char* kind, const char* method) {
  throw UsageError(std::string(kind) + "::" + method +
                   " with a timeout: a thread cannot be stopped while it "
                   "runs a task, so a ThreadPool cannot enforce one. Use a "
                   "Pool (its worker is killed at the deadline), or "
                   "get(timeout) to stop only waiting.");
}

void ThrowTimeoutNotPositive(const char* method,
                             std::chrono::nanoseconds timeout) {
  throw UsageError(std::string(method) + ": timeout must be positive, not " +
                   DescribeDuration(timeout));
}

}  // namespace pool::internal
