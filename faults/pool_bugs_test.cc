// Reproductions of pool bugs found by the fault-injection suite. Each test
// states the behaviour the pool documents and fails until the bug named in
// its comment is fixed; the target is tagged "manual" so that //... stays
// green meanwhile. Run them with
//   ./bazelw test //faults:pool_bugs_test

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <exception>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "faults/fault_fixture.h"
#include "pool/pool.h"

namespace faults {
namespace {

constexpr std::size_t kMiB = 1024 * 1024;
constexpr char kSkip[] = "SKIP: ";

// Exits (status 0) once the parent has put 48 KiB of the next task into this
// worker's task pipe (fd 3, kTaskFd in pool/internal/worker.cc), that is in
// the middle of writing it; gives up waiting after about 10 s.
int ExitWhenTaskPipeFull(int) {
  int queued = 0;
  for (int i = 0; i < 100000; ++i) {
    if (::ioctl(3, FIONREAD, &queued) != 0 || queued >= 48 * 1024) break;
    ::usleep(100);
  }
  ::_exit(0);
}

std::string Complement(std::string data, std::uint64_t expected_hash) {
  if (Hash(data) != expected_hash) throw std::runtime_error("corrupted");
  for (char& c : data) c = static_cast<char>(~c);
  return data;
}

// Records this worker's pid in `path`, then blocks until it is killed.
int MarkThenBlock(std::string path) {
  WriteFileAtomically(path, std::to_string(::getpid()));
  for (;;) ::pause();
}

using PoolBugTest = FaultTest;

// A program may reset SIGPIPE to its default after its first pool (the pool
// only changes the disposition once per process). A later pool must still
// survive writing to a dead worker. Runs in a child process, which owns its
// signal dispositions.
//
// POOL BUG (tagged manual, see faults/BUILD): IgnoreSigpipe() in
// pool/internal/fd.cc ignores SIGPIPE once per process (std::call_once), and
// the handler thread writes to the task pipes with plain writev(); once the
// disposition is back to SIG_DFL, the parent is killed by SIGPIPE.
TEST_F(PoolBugTest, SigpipeResetToDefaultBetweenPools) {
  const ChildOutcome outcome = RunInChild([]() -> std::string {
    { pool::Pool first(1); }
    ::signal(SIGPIPE, SIG_DFL);
    pool::Pool p(1);
    std::string data = RandomBytes(16 * kMiB, 3);
    const std::uint64_t hash = Hash(data);
    auto dies = p.apply_async(ExitWhenTaskPipeFull, std::tuple{0});
    auto big = p.apply_async(Complement, std::tuple{std::move(data), hash});
    try {
      dies.get();
      return "the exiting task succeeded";
    } catch (const pool::WorkerDiedError&) {
    }
    if (big.get().size() != 16 * kMiB) return "the big task lost bytes";
    return "";
  });
  EXPECT_TRUE(ChildSucceeded(outcome))
      << "(killed by signal 13 is SIGPIPE: the parent died writing to the "
         "dead worker)";
}

// The process limit allows the fork server but not the pool's handler
// thread: the constructor must still fail cleanly, leaving no process.
//
// POOL BUG (tagged manual, see faults/BUILD): ProcessEngine's constructor
// (pool/internal/process_engine.cc) starts the fork server, then creates
// the handler thread; when std::thread throws (EAGAIN), the exception
// leaves the constructor without reaping the fork server, which stays a
// zombie child of the program.
TEST_F(PoolBugTest, ThreadLimitLeavesNoZombie) {
  const uid_t uid = 1900000000u + static_cast<uid_t>(::getpid());
  const ChildOutcome outcome = RunInChild([uid]() -> std::string {
    bool skip = false;
    if (std::string e = DropPrivilegesTo(uid, skip); !e.empty()) {
      return skip ? kSkip + e : e;
    }
    const int fds = OpenFdCount();
    const int tasks = TasksOfUid(uid);
    rlimit lim{};
    ::getrlimit(RLIMIT_NPROC, &lim);
    lim.rlim_cur = static_cast<rlim_t>(tasks + 1);  // The fork server only.
    if (::setrlimit(RLIMIT_NPROC, &lim) != 0) return "setrlimit failed";
    try {
      pool::Pool p(2);
      return "the pool started under RLIMIT_NPROC " +
             std::to_string(lim.rlim_cur);
    } catch (const std::exception&) {
    }
    // Give the fork server every chance to have exited.
    WaitUntil([&] { return TasksOfUid(uid) <= tasks + 1; });
    return NothingLeftInChild(fds);
  });
  if (outcome.report.rfind(kSkip, 0) == 0) GTEST_SKIP() << outcome.report;
  EXPECT_TRUE(ChildSucceeded(outcome));
}

// After terminate(), an imap consumer that skips failed items (the
// documented way: "throws that item's error; the following items can still
// be read") gets CancelledError for each item that was in flight and then
// reaches the end, instead of looping forever.
//
// POOL BUG (tagged manual, see faults/BUILD): IMapState::Next
// (pool/async_result.h) takes the next outcome, counts it consumed, and
// then calls TopUp(), whose feed calls Submit() on the terminated pool and
// throws UsageError("Pool not running"). That exception replaces the
// item's CancelledError, which is lost; and since every later next() calls
// TopUp() first, each one throws UsageError again: the iterator never ends
// and never returns the remaining cancelled items.
TEST_F(PoolBugTest, ImapDrainAfterTerminate) {
  pool::Pool p(2);
  const std::string marker = UniqueTempPath("imap");
  std::vector<std::string> paths(1000, marker);
  auto it = p.imap(MarkThenBlock, paths);
  std::string first_error;
  std::thread consumer([&] {
    try {
      (void)it.next();
    } catch (const pool::Error& e) {
      first_error = e.what();
    }
  });
  WaitUntil([&] { return !ReadFile(marker).empty(); });
  p.terminate();
  consumer.join();
  EXPECT_NE(first_error.find("cancelled"), std::string::npos)
      << "the first next() after terminate() threw: " << first_error;
  // Drain, skipping errors; 1000 items cannot need more than 1001 calls.
  bool ended = false;
  int usage_errors = 0;
  for (int i = 0; i < 1001 && !ended; ++i) {
    try {
      ended = !it.next().has_value();
    } catch (const pool::UsageError&) {
      ++usage_errors;
    } catch (const pool::Error&) {
    }
  }
  EXPECT_TRUE(ended) << "next() never reached the end; it threw "
                        "UsageError \"Pool not running\" "
                     << usage_errors << " times";
}

}  // namespace
}  // namespace faults
