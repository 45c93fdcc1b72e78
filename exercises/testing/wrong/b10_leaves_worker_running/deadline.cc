// A wrong solution of step b10: at the deadline the job is failed, but its
// worker is left running the stuck task, as Python's get(timeout) leaves
// it. The worker stays busy with work nobody wants, and the next job sent
// to it waits behind that.

#include "exercises/b10_deadline/deadline.h"

#include <climits>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

namespace bpool {
namespace {

using Clock = std::chrono::steady_clock;

// The slot's deadline, if its job has one.
std::optional<Clock::time_point> DeadlineOf(const Slot& slot) {
  if (!slot.job || slot.job->timeout <= std::chrono::milliseconds::zero()) {
    return std::nullopt;
  }
  return slot.started + slot.job->timeout;
}

}  // namespace

int PollTimeout(const std::vector<Slot>& slots, Clock::time_point now) {
  std::optional<Clock::time_point> nearest;
  for (const Slot& slot : slots) {
    const std::optional<Clock::time_point> deadline = DeadlineOf(slot);
    if (deadline && (!nearest || *deadline < *nearest)) nearest = deadline;
  }
  if (!nearest) return -1;
  if (*nearest <= now) return 0;
  // Rounded up: a poll() that returned a fraction of a millisecond early
  // would find nothing due and be called again with 0, spinning until the
  // deadline.
  const auto left =
      std::chrono::ceil<std::chrono::milliseconds>(*nearest - now);
  return left.count() > INT_MAX ? INT_MAX : static_cast<int>(left.count());
}

void ExpireOverdue(std::vector<Slot>& slots, Clock::time_point now) {
  for (Slot& slot : slots) {
    const std::optional<Clock::time_point> deadline = DeadlineOf(slot);
    if (!deadline || *deadline > now) continue;
    const pid_t pid = slot.worker.pid();
    std::optional<Job> job = std::exchange(slot.job, std::nullopt);
    job->done(
        Outcome{Outcome::Status::kTimedOut,
                {},
                "timed out after " + std::to_string(job->timeout.count()) +
                    " ms: worker " + std::to_string(pid) + " was killed"});
  }
}

}  // namespace bpool
