// fork() failing for want of processes (RLIMIT_NPROC). Runs in a forked
// child of the test process that gives up root: RLIMIT_NPROC is not
// enforced for root (or any process with CAP_SYS_RESOURCE or
// CAP_SYS_ADMIN). The child switches to an otherwise unused uid rather than
// "nobody": the kernel counts the limit per uid across the whole machine,
// so processes of "nobody" in other containers, or another run of this test,
// would change the count; a uid made from the test process's pid is used by
// nothing else. Bazel's sandbox runs tests in a user namespace that maps
// only root, where no other uid exists: the target is tagged "no-sandbox".

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <functional>
#include <string>
#include <thread>

#include "faults/fault_fixture.h"
#include "pool/pool.h"

namespace faults {
namespace {

constexpr char kSkip[] = "SKIP: ";

// The processes (not threads) of `uid` other than this one, live or zombie.
int OtherProcessesOfUid(uid_t uid) {
  int n = 0;
  const std::string self = std::to_string(::getpid());
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return -1;
  while (dirent* e = ::readdir(d)) {
    if (std::atoi(e->d_name) <= 0 || self == e->d_name) continue;
    const std::string status =
        ReadFile(std::string("/proc/") + e->d_name + "/status");
    const std::size_t at = status.find("\nUid:\t");
    if (at != std::string::npos &&
        std::strtoul(status.c_str() + at + 6, nullptr, 10) == uid) {
      ++n;
    }
  }
  ::closedir(d);
  return n;
}

// Runs `body` in a forked child that has given up root for a uid of its
// own (see the top), passing it that uid, and expects the child to report
// success. Skips the test where the child cannot change its uid.
void ExpectSucceedsAsFreshUid(const std::function<std::string(uid_t)>& body) {
  const uid_t uid = 1900000000u + static_cast<uid_t>(::getpid());
  const ChildOutcome outcome = RunInChild([&]() -> std::string {
    bool skip = false;
    if (std::string e = DropPrivilegesTo(uid, skip); !e.empty()) {
      return skip ? kSkip + e : e;
    }
    return body(uid);
  });
  if (outcome.report.rfind(kSkip, 0) == 0) GTEST_SKIP() << outcome.report;
  EXPECT_TRUE(ChildSucceeded(outcome));
}

// Lets this process's uid have at most `tasks` processes and threads (the
// limit is RLIMIT_NPROC's). False if setrlimit() refused.
bool LimitTasksTo(int tasks) {
  rlimit lim{};
  ::getrlimit(RLIMIT_NPROC, &lim);
  lim.rlim_cur = static_cast<rlim_t>(tasks);
  return ::setrlimit(RLIMIT_NPROC, &lim) == 0;
}

using ProcessLimitTest = FaultTest;

// The process limit lets the fork server start 6 workers of 12: the
// constructor throws pool::SystemError naming fork, and the 6 workers that
// did start are killed and reaped (no process of the uid is left).
//
// The limit counts every task of the uid, threads included: this process,
// the fork server, the pool's handler thread and 6 workers. The handler
// thread is created right after the first worker is requested; it fails
// instead if the fork server managed all 7 forks before this process made
// that one pthread_create(), and the error then names pthread_create.
TEST_F(ProcessLimitTest, ForkFailureFailsConstructionAndReaps) {
  ExpectSucceedsAsFreshUid([](uid_t uid) -> std::string {
    const int fds = OpenFdCount();
    const int tasks = TasksOfUid(uid);
    const int limit = tasks + 2 + 6;
    if (!LimitTasksTo(limit)) return "setrlimit failed";
    try {
      pool::Pool p(12);
      return "the pool started 12 workers under RLIMIT_NPROC " +
             std::to_string(limit);
    } catch (const pool::SystemError& e) {
      // Usually a worker's fork() fails first; when the fork server is
      // quicker than this process (slow under TSan), the handler thread's
      // pthread_create() does: the same limit, and the same clean failure.
      const std::string what = e.what();
      if (what.find("fork") == std::string::npos &&
          what.find("pthread_create") == std::string::npos) {
        return "the error names neither fork nor pthread_create: " + what;
      }
    }
    if (const int left = OtherProcessesOfUid(uid); left != 0) {
      return "processes of the uid left: " + std::to_string(left);
    }
    return NothingLeftInChild(fds);
  });
}

// The process limit allows the fork server but not the pool's handler
// thread: the constructor must still fail cleanly, leaving no process.
TEST_F(ProcessLimitTest, ThreadLimitLeavesNoZombie) {
  ExpectSucceedsAsFreshUid([](uid_t uid) -> std::string {
    const int fds = OpenFdCount();
    const int tasks = TasksOfUid(uid);
    const int limit = tasks + 1;  // The fork server only.
    if (!LimitTasksTo(limit)) return "setrlimit failed";
    try {
      pool::Pool p(2);
      return "the pool started under RLIMIT_NPROC " + std::to_string(limit);
    } catch (const std::exception&) {
    }
    // Give the fork server every chance to have exited.
    WaitUntil([&] { return TasksOfUid(uid) <= tasks + 1; });
    return NothingLeftInChild(fds);
  });
}

// The process limit lets a ThreadPool start 2 of its 8 threads: the
// constructor stops and joins those 2 and throws pool::SystemError naming
// pthread_create, instead of leaving joinable threads to std::terminate().
TEST_F(ProcessLimitTest, ThreadPoolThreadLimitFailsConstruction) {
  ExpectSucceedsAsFreshUid([](uid_t uid) -> std::string {
    // A first thread, started and joined, so that a thread the runtime
    // keeps once any thread exists (TSan's) is counted before, not after.
    std::thread([] {}).join();
    const int tasks = TasksOfUid(uid);
    const int limit = tasks + 2;
    if (!LimitTasksTo(limit)) return "setrlimit failed";
    try {
      pool::ThreadPool p(8);
      return "the ThreadPool started 8 threads under RLIMIT_NPROC " +
             std::to_string(limit);
    } catch (const pool::SystemError& e) {
      if (std::string(e.what()).find("pthread_create") == std::string::npos) {
        return std::string("the error does not name pthread_create: ") +
               e.what();
      }
    }
    if (const int now = TasksOfUid(uid); now != tasks) {
      return "threads left: " + std::to_string(now - tasks);
    }
    return "";
  });
}

}  // namespace
}  // namespace faults
