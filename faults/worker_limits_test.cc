// Options::memory_limit and cpu_time_limit (pool.h): a task that exceeds
// one fails alone, with the reason named, and the pool serves on. The
// fixture checks that no process, fd or thread is left after each test.
//
// CPU time is counted by the kernel, not by a clock on the wall, so these
// tests hold on a loaded machine; they only take longer there.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "faults/fault_fixture.h"
#include "pool/pool.h"

namespace faults {
namespace {

using namespace std::chrono_literals;

// --- Tasks -----------------------------------------------------------------

pid_t WorkerPid(int) { return ::getpid(); }

// Allocates `mib` MiB and writes its last byte; returns `mib`.
int AllocateMiB(int mib) {
  const std::size_t bytes = static_cast<std::size_t>(mib) << 20;
  volatile char* p = new char[bytes];
  p[bytes - 1] = 1;
  delete[] p;
  return mib;
}

double CpuSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

// Uses `ms` milliseconds of CPU time (forever if negative); returns `ms`.
int SpinMillis(int ms) {
  const double end = CpuSeconds() + ms / 1000.0;
  while (ms < 0 || CpuSeconds() < end) {
  }
  return ms;
}

// Ignores SIGXCPU, raises its soft CPU limit as far as it may, and spins.
int SpinPastTheSoftLimit(int) {
  ::signal(SIGXCPU, SIG_IGN);
  rlimit lim{};
  ::getrlimit(RLIMIT_CPU, &lim);
  lim.rlim_cur = lim.rlim_max;
  ::setrlimit(RLIMIT_CPU, &lim);
  return SpinMillis(-1);
}

// What this process maps now (VmSize), in bytes.
std::size_t MappedBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  unsigned long long pages = 0;
  if (f != nullptr) {
    if (std::fscanf(f, "%llu", &pages) != 1) pages = 0;
    std::fclose(f);
  }
  return static_cast<std::size_t>(pages) *
         static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

// --- memory_limit ----------------------------------------------------------

// The sanitizer runtimes reserve terabytes of address space, so that no
// RLIMIT_AS leaves them working: these tests skip themselves there.
class MemoryLimitTest : public FaultTest {
 protected:
  void SetUp() override {
    if (kSanitized) {
      GTEST_SKIP() << "RLIMIT_AS cannot be used under ASan or TSan, whose "
                      "runtimes map terabytes of shadow memory";
    }
    FaultTest::SetUp();
  }
};

// An allocation beyond the limit throws std::bad_alloc in the task, which
// becomes its TaskError; the same worker (not replaced) serves the next
// tasks, and the other worker is untouched.
TEST_F(MemoryLimitTest, BadAllocBecomesTheTasksError) {
  pool::Pool p(pool::Options{.processes = 2,
                             .memory_limit = MappedBytes() + (256 << 20)});
  const std::vector<pid_t> before = p.worker_pids();
  auto big = p.apply_async(AllocateMiB, std::tuple{4096});
  try {
    big.get();
    ADD_FAILURE() << "4 GiB were allocated under a limit of 256 MiB more "
                     "than the parent maps";
  } catch (const pool::TaskError& e) {
    EXPECT_EQ(e.type_name(), "std::bad_alloc") << e.what();
  }
  EXPECT_EQ(p.map(AllocateMiB, {16, 16, 16, 16}, {.chunksize = 1}),
            (std::vector<int>{16, 16, 16, 16}));
  std::vector<pid_t> after = p.worker_pids();
  std::sort(after.begin(), after.end());
  std::vector<pid_t> sorted = before;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(after, sorted) << "a worker was replaced";
}

// Tries to raise its own RLIMIT_AS to the hard limit and beyond, then
// allocates `mib` MiB: returns `mib`, or throws what the allocation threw.
int RaiseMemoryLimitThenAllocate(int mib) {
  rlimit lim{};
  ::getrlimit(RLIMIT_AS, &lim);
  lim.rlim_cur = lim.rlim_max;
  ::setrlimit(RLIMIT_AS, &lim);
  lim.rlim_cur = lim.rlim_max = RLIM_INFINITY;
  ::setrlimit(RLIMIT_AS, &lim);  // EPERM: an unprivileged process cannot.
  return AllocateMiB(mib);
}

// A task cannot lift the limit: it is the worker's hard limit too. (As
// root, a process may raise its hard limit: the test then only checks that
// the pool survives what follows.)
TEST_F(MemoryLimitTest, TaskCannotRaiseTheLimit) {
  pool::Pool p(pool::Options{.processes = 1,
                             .memory_limit = MappedBytes() + (256 << 20)});
  try {
    (void)p.apply(RaiseMemoryLimitThenAllocate, 4096);
    EXPECT_EQ(::geteuid(), 0u) << "4 GiB were allocated after the task "
                                  "raised its own limit";
  } catch (const pool::TaskError& e) {
    EXPECT_EQ(e.type_name(), "std::bad_alloc") << e.what();
  }
  EXPECT_EQ(p.apply(AllocateMiB, 1), 1);
}

// A limit at or below what the program maps already cannot work (a worker
// starts as a copy of it): UsageError saying so, and nothing is started.
TEST_F(MemoryLimitTest, LimitBelowWhatTheProgramMapsIsAUsageError) {
  const std::string message = pool::testing::UsageErrorMessage([] {
    pool::Pool p(pool::Options{.processes = 1, .memory_limit = 1 << 20});
  });
  EXPECT_NE(message.find("maps already"), std::string::npos) << message;
}

// --- cpu_time_limit --------------------------------------------------------

using CpuTimeLimitTest = FaultTest;

// A task that spins forever is killed by SIGXCPU: WorkerDiedError saying
// "CPU time limit", and a new worker serves the next task.
TEST_F(CpuTimeLimitTest, SpinningTaskFailsWithTheLimitNamed) {
  pool::Pool p(pool::Options{.processes = 2, .cpu_time_limit = 1s});
  auto spin = p.apply_async(SpinMillis, std::tuple{-1});
  auto quick = p.map_async(WorkerPid, std::vector<int>(50, 0));
  pid_t dead = -1;
  try {
    spin.get();
    ADD_FAILURE() << "an endless task returned";
  } catch (const pool::WorkerDiedError& e) {
    EXPECT_NE(std::string(e.what()).find("CPU time limit"), std::string::npos)
        << e.what();
    EXPECT_TRUE(WIFSIGNALED(e.wait_status()) &&
                WTERMSIG(e.wait_status()) == SIGXCPU)
        << e.what();
    dead = e.pid();
  }
  EXPECT_EQ(quick.get().size(), 50u);
  WaitUntil([&] {
    const std::vector<pid_t> pids = p.worker_pids();
    return pids.size() == 2 &&
           std::find(pids.begin(), pids.end(), dead) == pids.end();
  });
  EXPECT_NE(p.apply(WorkerPid, 0), dead);
}

// The limit is per task: tasks that each stay under it succeed, however
// much CPU time their worker uses in all (it retires and is replaced
// before a task could inherit its predecessors' time).
TEST_F(CpuTimeLimitTest, TasksUnderTheLimitSucceedWhateverTheirSum) {
  pool::Pool p(pool::Options{.processes = 1, .cpu_time_limit = 1s});
  const int tasks = 8;  // 3.2 s of CPU time on one worker.
  EXPECT_EQ(p.map(SpinMillis, std::vector<int>(tasks, 400), {.chunksize = 1}),
            std::vector<int>(tasks, 400));
}

// A task that ignores SIGXCPU and raises its own soft limit still stops at
// the hard limit, which it cannot raise: it fails with WorkerDiedError
// (SIGKILL), and the pool serves on.
TEST_F(CpuTimeLimitTest, TaskCannotRaiseItsWayOut) {
  pool::Pool p(pool::Options{.processes = 1, .cpu_time_limit = 1s});
  try {
    (void)p.apply(SpinPastTheSoftLimit, 0);
    ADD_FAILURE() << "an endless task returned";
  } catch (const pool::WorkerDiedError& e) {
    EXPECT_TRUE(WIFSIGNALED(e.wait_status()) &&
                WTERMSIG(e.wait_status()) == SIGKILL)
        << e.what();
  }
  EXPECT_EQ(p.apply(SpinMillis, 1), 1);
}

// A hard RLIMIT_CPU too low for the worker's own hard limit (twice the
// budget plus 2 s) is a UsageError naming both, checked in a child so that
// the test process keeps its limits.
TEST_F(CpuTimeLimitTest, InheritedHardLimitTooLowIsAUsageError) {
  EXPECT_TRUE(ChildSucceeded(RunInChild([]() -> std::string {
    rlimit lim{};
    ::getrlimit(RLIMIT_CPU, &lim);
    lim.rlim_max = lim.rlim_cur = 3;
    if (::setrlimit(RLIMIT_CPU, &lim) != 0) return "setrlimit failed";
    const std::string message = pool::testing::UsageErrorMessage([] {
      pool::Pool p(pool::Options{.processes = 1, .cpu_time_limit = 1s});
    });
    if (message.find("at least 4s") == std::string::npos ||
        message.find("is 3s") == std::string::npos) {
      return "the error does not name both limits: " + message;
    }
    return "";
  })));
}

}  // namespace
}  // namespace faults
