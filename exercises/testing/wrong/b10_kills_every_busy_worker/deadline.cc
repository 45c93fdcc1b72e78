// A wrong solution of step b10: when one job is overdue, every busy worker
// is killed and replaced and every running job fails, as if the deadline
// were the pool's and not the task's.

#include "exercises/b10_deadline/deadline.h"

#include <climits>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

namespace bpool {
namespace {

using Clock = std::chrono::steady_clock;

std::optional<Clock::time_point> DeadlineOf(const Slot& slot) {
  if (!slot.job || slot.job->timeout <= std::chrono::milliseconds::zero()) {
    return std::nullopt;
  }
  return slot.started + slot.job->timeout;
}

std::string Message(const Job& job, pid_t pid) {
  return "timed out after " + std::to_string(job.timeout.count()) +
         " ms: worker " + std::to_string(pid) + " was killed";
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
  return static_cast<int>(
      std::chrono::ceil<std::chrono::milliseconds>(*nearest - now).count());
}

void ExpireOverdue(std::vector<Slot>& slots, Clock::time_point now) {
  bool any = false;
  for (const Slot& slot : slots) {
    const std::optional<Clock::time_point> deadline = DeadlineOf(slot);
    if (deadline && *deadline <= now) any = true;
  }
  if (!any) return;
  for (Slot& slot : slots) {
    if (!slot.job) continue;
    const pid_t pid = slot.worker.pid();
    slot.worker.Kill();
    std::optional<Job> job = std::exchange(slot.job, std::nullopt);
    try {
      slot.worker = Worker::Start();
    } catch (const std::system_error&) {
    }
    job->done(Outcome{Outcome::Status::kTimedOut, {}, Message(*job, pid)});
  }
}

}  // namespace bpool
