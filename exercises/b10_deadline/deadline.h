// exercises/b10_deadline/deadline.h: Step b10 of the build-your-own-pool
// track. A task that never ends: a deadline, and a kill when it passes.
//
// A task stuck in a loop or a blocking call holds its worker forever.
// Waiting less for it (Python's get(timeout)) does not free the worker: the
// task runs on, and the work queued behind it waits. The track's pool does
// what pool/ does with `.timeout`: a job may carry a timeout (Job::timeout,
// set by Pool::apply_async(fn, arg, timeout)); its clock starts when the
// engine sends it to a worker (Slot::started: time in the queue does not
// count); when the deadline passes, the worker is killed and replaced, and
// that job, and only it, ends as kTimedOut.
//
// b05's Engine::Step() calls the two functions below: PollTimeout() to know
// how long poll() may wait, and ExpireOverdue() after it has settled the
// replies that arrived, so a job whose reply came in time is never also
// timed out.
//
// Contract:
// - A slot's deadline is `started + job->timeout`, for a slot that holds a
//   job whose timeout is above zero. A timeout of zero is no limit.
// - PollTimeout(slots, now): how many milliseconds poll() may wait before
//   the nearest deadline, rounded UP (poll() must not wake before it, only
//   to find nothing due and spin); 0 if a deadline is at or before `now`;
//   -1 (wait without limit) if no slot has a deadline. Reads only.
// - ExpireOverdue(slots, now): for each slot whose deadline is at or before
//   `now`: kills and reaps its worker, puts a freshly started worker in the
//   slot (none if fork fails: the engine skips such slots, as in b09), and
//   settles the job, once, as kTimedOut, with an error that names the limit
//   and the worker, e.g. "timed out after 200 ms: worker 4242 was killed".
//   Leaves every other slot, its worker and its job, alone. Does not throw.
// - Both are called on the engine's thread.

#ifndef EXERCISES_B10_DEADLINE_DEADLINE_H_
#define EXERCISES_B10_DEADLINE_DEADLINE_H_

#include <chrono>
#include <vector>

#include "exercises/b05_many_workers/engine.h"

namespace bpool {

// Milliseconds from `now` to the nearest deadline in `slots`, rounded up;
// 0 if one has passed; -1 if there is none. See above.
int PollTimeout(const std::vector<Slot>& slots,
                std::chrono::steady_clock::time_point now);

// Kills, replaces and settles as kTimedOut every slot past its deadline at
// `now`. See above.
void ExpireOverdue(std::vector<Slot>& slots,
                   std::chrono::steady_clock::time_point now);

}  // namespace bpool

#endif  // EXERCISES_B10_DEADLINE_DEADLINE_H_
