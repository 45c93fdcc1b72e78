// pool/test_util.h: the checks every test of a pool needs, shared by pool/'s
// tests, the fault tests (faults/) and the exercise tests (exercises/).
//
// A pool's promise is that it leaks nothing, so a test compares what the
// process holds before and after: open fds, child processes. And a test
// that must see something happen in another process polls for it.

#ifndef POOL_TEST_UTIL_H_
#define POOL_TEST_UTIL_H_

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace pool::testing {

// The fds process `pid` has open (this process when 0), ascending: the
// entries of /proc/<pid>/fd, without the one used to list them. Empty if
// the process is gone.
std::vector<int> OpenFds(pid_t pid = 0);
// The number of fds this process has open.
int OpenFdCount();

// One field of /proc/<pid>/stat, counted from 1 as in proc(5) (2 is the
// command name, 3 the state, 4 the parent's pid, 22 the start time, 52 the
// exit code); empty if the process is gone.
std::string StatField(pid_t pid, int field);

// The whole of a file; empty if it cannot be read. Safe on the /proc files
// of a process that exits meanwhile.
std::string ReadFile(const std::string& path);

// True if this process has no child process at all, live or zombie: every
// process a pool started has exited and been reaped.
bool HasNoChildren();

// Polls `done` every millisecond until it returns true or `limit` has
// passed; returns whether it held. Without a limit it polls until `done`
// holds: then the test's own hang guard (a watchdog, Bazel's timeout) is
// the limit.
bool WaitUntil(
    const std::function<bool()>& done,
    std::chrono::milliseconds limit = std::chrono::milliseconds::max());

// The message of the pool::UsageError that `f` throws; otherwise what it did
// instead ("not a UsageError: ..." or "no exception"), for a failure message.
std::string UsageErrorMessage(const std::function<void()>& f);

}  // namespace pool::testing

#endif  // POOL_TEST_UTIL_H_
