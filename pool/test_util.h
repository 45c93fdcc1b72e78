// pool/test_util.h: the checks every test of a pool needs, shared by pool/'s
// tests, the fault tests (faults/) and the exercise tests (exercises/).
//
// A pool's promise is that it leaks nothing, so a test compares what the
// process holds before and after: open fds, child processes. And a test
// that must see something happen in another process polls for it.

#ifndef POOL_TEST_UTIL_H_
#define POOL_TEST_UTIL_H_

#include <chrono>
#include <functional>
#include <string>

namespace pool::testing {

// The number of fds this process has open (the entries of /proc/self/fd).
int OpenFdCount();

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
