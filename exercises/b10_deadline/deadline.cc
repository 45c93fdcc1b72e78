// Step b10: a deadline; the stuck worker is killed and replaced, and only
// its task fails. Replace each TODO; see README.md.

#include "exercises/b10_deadline/deadline.h"

#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

namespace bpool {

int PollTimeout(const std::vector<Slot>& /*slots*/,
                std::chrono::steady_clock::time_point /*now*/) {
  // TODO: the nearest `started + job->timeout` over the slots holding a job
  // whose timeout is above zero; none: -1. At or before `now`: 0. Else the
  // time left, rounded UP to whole milliseconds (std::chrono::ceil).
  throw std::logic_error("TODO: PollTimeout is not written yet");
}

void ExpireOverdue(std::vector<Slot>& /*slots*/,
                   std::chrono::steady_clock::time_point /*now*/) {
  // TODO: for each slot with a job whose timeout is above zero and whose
  // deadline is at or before `now`: remember the pid; Kill() the worker;
  // take the job out of the slot; put Worker::Start() in the slot (on
  // std::system_error, leave it empty); settle the job as kTimedOut:
  // "timed out after <timeout> ms: worker <pid> was killed".
  throw std::logic_error("TODO: ExpireOverdue is not written yet");
}

}  // namespace bpool
