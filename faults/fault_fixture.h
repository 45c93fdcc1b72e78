// faults/fault_fixture.h: what every fault-injection test shares.
//
// FaultTest is the fixture of every test under faults/. Around each test it
// checks the two promises the pool makes whatever went wrong:
//   * no process the pool started is left (no child of the test process,
//     live or zombie; the test process is made a child subreaper, so a worker
//     orphaned by a dead fork server would be re-parented to it and seen);
//   * the test process has exactly as many open fds and threads as before.
// It also arms a watchdog process that aborts the test process if one test
// runs longer than its hang guard, so a hang fails the test with a message
// instead of stalling CI. The watchdog is a process, not a thread: a thread
// would make every fork() of the test a fork of a multi-threaded process.
//
// The helpers below the fixture run code in a forked child (for faults that
// must not touch the test process itself: rlimits, privilege drops) and wait
// for conditions without timing assertions.

#ifndef FAULTS_FAULT_FIXTURE_H_
#define FAULTS_FAULT_FIXTURE_H_

#include <gtest/gtest.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "pool/test_util.h"

namespace faults {

// True in the sanitizer builds (--config=asan, --config=tsan). They run the
// same faults at a smaller scale: every byte copied and every fork() costs
// several times more there, and they look for memory errors and races, not
// for limits of scale.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

// OpenFdCount(), ReadFile(), StatField(pid, field) and WaitUntil(done) (without
// a limit: the fixture's watchdog is the hang guard), shared with pool/'s and
// the exercises' tests.
using pool::testing::OpenFdCount;
using pool::testing::ReadFile;
using pool::testing::StatField;
using pool::testing::WaitUntil;

// The highest fd number this process has open.
int HighestOpenFd();
// The number of threads of this process (entries of /proc/self/task).
int ThreadCount();
// The pids of every process whose parent is `parent` (live or zombie).
std::vector<pid_t> ChildrenOf(pid_t parent);

// A path under TEST_TMPDIR that no other test of this run uses.
std::string UniqueTempPath(const std::string& stem);
// Writes `text` to `path` atomically (write to a temporary, then rename), so
// a reader never sees half of it.
void WriteFileAtomically(const std::string& path, const std::string& text);

// A fast 64-bit hash of a byte string (FNV-1a over 8-byte words).
std::uint64_t Hash(const std::string& bytes);
// `size` pseudo-random bytes from `seed`.
std::string RandomBytes(std::size_t size, std::uint64_t seed);

// The number of tasks (threads of all processes) whose real uid is `uid`.
int TasksOfUid(uid_t uid);

// Gives up root for `uid` (groups, gid and uid), keeping /proc/self
// readable. Returns "" or what failed; sets `not_permitted` when the system
// does not allow it (for example inside a user namespace that maps only
// root, as Bazel's sandbox does).
std::string DropPrivilegesTo(uid_t uid, bool& not_permitted);

// For code running in a RunInChild child: "" if the process has no child
// process and exactly `fds` fds open, else what is left.
std::string NothingLeftInChild(int fds);

// The outcome of RunInChild: the child's waitpid() status and what it wrote
// to its report pipe.
struct ChildOutcome {
  int wait_status = -1;
  std::string report;
};

// How a RunInChild child runs and leaves.
struct ChildOptions {
  // Leave with exit() instead of _exit(), so that static destructors (a
  // global pool's, say) and atexit handlers run in the child.
  bool run_exit_handlers = false;
  // If not 0, an alarm() that kills a child hung for this many seconds.
  unsigned alarm_seconds = 0;
};

// Forks; the child runs `body` and reports its return value ("" means every
// check passed; anything else describes the failure), then leaves as
// `options` say (by default _exit(), without running the parent's atexit
// handlers). The parent waits for the child and returns what it reported.
// An exception escaping `body` is reported too.
ChildOutcome RunInChild(const std::function<std::string()>& body,
                        ChildOptions options = {});

// Checks a RunInChild outcome: exited with status 0 and reported nothing.
::testing::AssertionResult ChildSucceeded(const ChildOutcome& outcome);

// The fixture. Derive from it (or use it directly with TEST_F).
class FaultTest : public ::testing::Test {
 protected:
  // The hang guard of one test, in seconds; a test that needs longer (the
  // chaos run) overrides it.
  virtual int HangGuardSeconds() const { return 240; }

  void SetUp() override;
  void TearDown() override;

 private:
  void StartWatchdog();
  void StopWatchdog();

  bool set_up_ = false;
  int fds_before_ = 0;
  int threads_before_ = 0;
  pid_t watchdog_ = -1;
  int watchdog_fd_ = -1;
};

}  // namespace faults

#endif  // FAULTS_FAULT_FIXTURE_H_
