// exercises/testing/checks.h: checks the exercise tests share, with
// failure messages written for the learner.
//
// Most exercises must run their tasks in the worker processes of the pool
// they are given. A task that returns getpid() tells where it ran; these
// checks compare such pids with the pool's workers and, when they differ,
// say what the code did instead (ran the task itself or on a thread, or in
// a pool of its own) and what to do about it.

#ifndef EXERCISES_TESTING_CHECKS_H_
#define EXERCISES_TESTING_CHECKS_H_

#include <gtest/gtest.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace exercises::testing {

// Passes if every pid in `pids` is one of `workers` (the pool's worker
// processes, from Pool::worker_pids() taken while the pool ran). `what`
// names the function under test, e.g. "MapInWorkers". The message counts
// the items that ran in this test's own process (a plain call, a loop, a
// thread, std::async) and those that ran in some other process (a pool of
// the function's own).
::testing::AssertionResult RanInWorkers(const std::string& what,
                                        const std::vector<long long>& pids,
                                        const std::vector<pid_t>& workers);

// The same for one pid.
::testing::AssertionResult RanInAWorker(const std::string& what, long long pid,
                                        const std::vector<pid_t>& workers);

// Passes if no task gave up waiting at the current gate; otherwise says
// that a task waited kGuard for `waited_for` and what that means
// (`meaning`: what the code under test most likely did wrong).
::testing::AssertionResult NobodyGaveUp(bool gave_up,
                                        const std::string& waited_for,
                                        const std::string& meaning);

}  // namespace exercises::testing

#endif  // EXERCISES_TESTING_CHECKS_H_
