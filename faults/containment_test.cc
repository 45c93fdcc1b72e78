// What other processes and signals can do to a pool: copies of pool fds held
// by processes that outlive a worker (a task's fork, the parent's own fork),
// a program started with fds 0-2 closed, signals sent to the parent's whole
// process group, a fork server that is killed, the fd limit hit while a
// worker is replaced, a task's child that returns into the worker loop, and
// threads that build and destroy pools at once (pool/README.md's fault
// table, classes A, C, D, I and K). None may hang the pool, kill it, or make
// it answer wrongly; what cannot be recovered is reported as such.

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "faults/fault_fixture.h"
#include "pool/pool.h"

namespace faults {
namespace {

// --- Tasks -------------------------------------------------------------------

int Identity(int x) { return x; }
pid_t WorkerPid(int) { return ::getpid(); }
int UnderscoreExit(int) { ::_exit(0); }
int SlowIdentity(int x) {
  ::usleep(2000);
  return x;
}

// Forks a child that records its pid in `path` and sleeps until killed,
// holding copies of the worker's fds; returns at once.
int ForkSleeper(std::string path) {
  const pid_t child = ::fork();
  if (child == 0) {
    WriteFileAtomically(path, std::to_string(::getpid()));
    for (;;) ::pause();
  }
  return child > 0 ? 0 : -1;
}

// ForkSleeper, then records the worker's pid in `path` and blocks.
int ForkSleeperThenBlock(std::string path) {
  ForkSleeper(path + ".child");
  WriteFileAtomically(path, std::to_string(::getpid()));
  for (;;) ::pause();
}

// Forks; the child *returns* 111 (or throws) into the worker loop instead
// of calling _exit(); the worker waits for the child, then returns 222.
int ForkChildReturns(int throw_in_child) {
  const pid_t child = ::fork();
  if (child == 0) {
    if (throw_in_child != 0) throw std::runtime_error("from the child");
    return 111;
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return 222;
}

// --- Helpers -----------------------------------------------------------------

pid_t ReadPid(const std::string& path) {
  WaitUntil([&] { return !ReadFile(path).empty(); });
  return std::stoi(ReadFile(path));
}

// Kills and reaps a process that was re-parented to this process (a child
// subreaper, see the fixture) or that this process forked.
void KillAndReap(pid_t pid) {
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

template <class R>
std::string ErrorOf(const pool::AsyncResult<R>& r) {
  try {
    r.get();
  } catch (const pool::Error& e) {
    return e.what();
  }
  return "";
}

std::vector<int> Iota(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = i;
  return v;
}

// --- A. Other holders of pool fds
// ----------------------------------------------

using FdHolderTest = FaultTest;

// A task forks a child that sleeps with copies of the worker's pipes; the
// worker is then SIGKILLed. The task fails at once (the death is known from
// the exit status, not from end of file), and close() + join() return while
// the child still lives.
TEST_F(FdHolderTest, TaskChildHoldingPipesDoesNotHideDeath) {
  pool::Pool p(2);
  const std::string path = UniqueTempPath("holder");
  auto r = p.apply_async(ForkSleeperThenBlock, std::tuple{path});
  const pid_t worker = ReadPid(path);
  const pid_t child = ReadPid(path + ".child");
  ASSERT_EQ(::kill(worker, SIGKILL), 0);
  try {
    r.get();
    ADD_FAILURE() << "the killed task succeeded";
  } catch (const pool::WorkerDiedError& e) {
    EXPECT_EQ(e.pid(), worker);
  }
  EXPECT_EQ(p.map(Identity, Iota(100)), Iota(100));
  p.close();
  p.join();
  EXPECT_EQ(::kill(child, 0), 0) << "the child should still be alive here";
  KillAndReap(child);  // Re-parented to this process (a subreaper).
}

// maxtasksperchild=1: every task leaves a sleeping child holding its
// worker's pipes. Retirement and replacement do not wait for those
// children, and close() + join() return while they live.
TEST_F(FdHolderTest, RetirementDoesNotWaitForTaskChildren) {
  pool::Options options;
  options.processes = 1;
  options.maxtasksperchild = 1;
  pool::Pool p(options);
  std::vector<pid_t> children;
  for (int i = 0; i < 3; ++i) {
    const std::string path = UniqueTempPath("retire");
    EXPECT_EQ(p.apply(ForkSleeper, path), 0);
    children.push_back(ReadPid(path));
  }
  EXPECT_EQ(p.apply(Identity, 4), 4);
  p.close();
  p.join();
  for (pid_t child : children) KillAndReap(child);
}

// The parent forks a child (without exec) that holds copies of every pool
// fd and outlives the pool: terminate(), and close() + join(), return.
TEST_F(FdHolderTest, ParentsChildHoldingPoolFdsDoesNotBlockShutdown) {
  for (const bool graceful : {false, true}) {
    pool::Pool p(2);
    EXPECT_EQ(p.apply(Identity, 1), 1);
    std::fflush(nullptr);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      for (;;) ::pause();
    }
    auto r = p.map_async(Identity, Iota(500), {.chunksize = 1});
    if (graceful) {
      p.close();
      p.join();
      EXPECT_EQ(r.get(), Iota(500));
    } else {
      p.terminate();
      EXPECT_TRUE(r.ready());
    }
    KillAndReap(child);
  }
}

// A program started with fds 0, 1 and 2 closed: no pool fd takes those
// numbers (a worker would inherit it as stdin/stdout/stderr), the pool
// works, and terminate() returns.
TEST_F(FdHolderTest, StdioClosedAtStartGetsNoPoolFd) {
  EXPECT_TRUE(ChildSucceeded(RunInChild([]() -> std::string {
    for (int fd = 0; fd <= 2; ++fd) ::close(fd);
    const int fds = OpenFdCount();
    {
      pool::Pool p(2);
      for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) != -1) {
          return "the pool opened fd " + std::to_string(fd);
        }
      }
      if (p.map(Identity, Iota(300)) != Iota(300)) return "wrong results";
      p.terminate();
    }
    {
      pool::Pool p(2);
      auto r = p.apply_async(UnderscoreExit, std::tuple{0});
      if (ErrorOf(r).empty()) return "the dying task succeeded";
      if (p.apply(Identity, 3) != 3) return "no replacement";
      p.close();
      p.join();
    }
    return NothingLeftInChild(fds);
  })));
}

// The parent dies while a child it forked holds a copy of the pool's socket
// to the fork server: the server still notices (it watches the parent, not
// the socket), kills and reaps the workers, and exits.
TEST_F(FdHolderTest, ParentDeathIsNoticedDespiteSocketCopies) {
  const std::string report = UniqueTempPath("pids");
  std::fflush(nullptr);
  const pid_t parent = ::fork();
  ASSERT_GE(parent, 0);
  if (parent == 0) {
    pool::Pool p(2);
    const pid_t holder = ::fork();
    if (holder == 0) {
      for (;;) ::pause();
    }
    std::string pids = std::to_string(holder);
    for (pid_t w : p.worker_pids()) pids += " " + std::to_string(w);
    WriteFileAtomically(report, pids);
    for (;;) ::pause();
  }
  WaitUntil([&] { return !ReadFile(report).empty(); });
  std::vector<pid_t> pids;
  {
    std::istringstream in(ReadFile(report));
    for (pid_t pid; in >> pid;) pids.push_back(pid);
  }
  ASSERT_EQ(pids.size(), 3u);
  std::vector<pid_t> servers;
  for (pid_t c : ChildrenOf(parent)) {
    if (c != pids[0]) servers.push_back(c);
  }
  ASSERT_EQ(servers.size(), 1u);
  KillAndReap(parent);
  // The server is re-parented to this process; it exits by itself.
  int status = 0;
  ASSERT_EQ(::waitpid(servers[0], &status, 0), servers[0]);
  EXPECT_TRUE(WIFEXITED(status)) << pool::DescribeWaitStatus(status);
  for (std::size_t i = 1; i < pids.size(); ++i) {
    EXPECT_NE(::kill(pids[i], 0), 0) << "worker " << pids[i] << " lives on";
  }
  KillAndReap(pids[0]);
}

// --- C. Signals for the parent's process group
// --------------------------------

using ProcessGroupSignalTest = FaultTest;

std::atomic<int> sigints{0};
void CountSigint(int) { sigints.fetch_add(1); }

// Runs a map of slow items while `signo` is sent to the whole process group
// of a child that leads its own group (so the test process is not hit):
// every item succeeds and the workers are the same processes afterwards.
std::string MapSurvivesGroupSignal(pool::Pool& p, int signo) {
  const std::vector<pid_t> before = p.worker_pids();
  for (pid_t w : before) {
    if (::getpgid(w) == ::getpgrp()) {
      return "worker " + std::to_string(w) + " is in the parent's group";
    }
  }
  auto m = p.map_async(SlowIdentity, Iota(400), {.chunksize = 1});
  ::usleep(20000);
  if (::kill(0, signo) != 0) return "kill(0) failed";
  if (m.get() != Iota(400)) return "the map returned wrong results";
  std::vector<pid_t> after = p.worker_pids();
  std::vector<pid_t> sorted = before;
  std::sort(sorted.begin(), sorted.end());
  std::sort(after.begin(), after.end());
  if (sorted != after) return "the workers were replaced: some died";
  return "";
}

// Ctrl-C (SIGINT to the process group) while the parent ignores SIGINT: the
// workers do not get it and the map completes.
TEST_F(ProcessGroupSignalTest, SigintIgnoredByParentSparesWorkers) {
  EXPECT_TRUE(ChildSucceeded(RunInChild([]() -> std::string {
    ::setpgid(0, 0);
    ::signal(SIGINT, SIG_IGN);
    pool::Pool p(2);
    return MapSurvivesGroupSignal(p, SIGINT);
  })));
}

// Ctrl-C while the parent handles SIGINT: the handler runs in the parent,
// the workers do not get the signal, the map completes.
TEST_F(ProcessGroupSignalTest, SigintHandledByParentSparesWorkers) {
  EXPECT_TRUE(ChildSucceeded(RunInChild([]() -> std::string {
    ::setpgid(0, 0);
    sigints = 0;
    struct sigaction sa {};
    sa.sa_handler = CountSigint;
    ::sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &sa, nullptr);
    pool::Pool p(2);
    if (std::string e = MapSurvivesGroupSignal(p, SIGINT); !e.empty()) return e;
    if (sigints.load() != 1) return "the parent's handler did not run once";
    return "";
  })));
}

// A service blocks SIGINT and SIGTERM and waits for them with sigwait();
// SIGTERM to the process group (a service manager stopping it) reaches the
// parent's sigwait() only: the fork server and the workers live on, and
// the parent then shuts the pool down cleanly.
TEST_F(ProcessGroupSignalTest, SigtermToSigwaitingServiceSparesPool) {
  EXPECT_TRUE(ChildSucceeded(RunInChild([]() -> std::string {
    ::setpgid(0, 0);
    sigset_t set;
    ::sigemptyset(&set);
    ::sigaddset(&set, SIGINT);
    ::sigaddset(&set, SIGTERM);
    ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
    pool::Pool p(2);
    if (std::string e = MapSurvivesGroupSignal(p, SIGTERM); !e.empty()) {
      return e;
    }
    int got = 0;
    if (::sigwait(&set, &got) != 0 || got != SIGTERM) return "no SIGTERM";
    if (p.apply(Identity, 6) != 6) return "the pool stopped working";
    p.close();
    p.join();
    return "";
  })));
}

// --- D. Transient and permanent failures
// --------------------------------------

class RecoveryTest : public FaultTest {
 protected:
  void SetUp() override {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "RLIMIT_NOFILE at its minimum starves the sanitizer "
                    "runtime of fds (UBSan's vptr check needs a pipe)";
#endif
    FaultTest::SetUp();
  }
};

// The fd limit is hit while a dead worker is replaced: the next task fails
// with pool::SystemError (EMFILE, naming the limit) and its error_callback
// runs; once fds are free again the pool starts a worker and serves.
TEST_F(RecoveryTest, FdLimitWhileReplacingIsRetried) {
  EXPECT_TRUE(ChildSucceeded(RunInChild([]() -> std::string {
    pool::Pool p(1);
    if (p.apply(Identity, 1) != 1) return "the pool does not work";
    rlimit old{};
    ::getrlimit(RLIMIT_NOFILE, &old);
    rlimit low = old;
    low.rlim_cur = 3;  // fds 0-2 are open: no new fd at all.
    if (::setrlimit(RLIMIT_NOFILE, &low) != 0) return "setrlimit failed";
    auto dying = p.apply_async(UnderscoreExit, std::tuple{0});
    if (ErrorOf(dying).empty()) return "the dying task succeeded";
    std::string callback_saw;
    auto r = p.apply_async(Identity, std::tuple{2},
                           {.error_callback = [&](const pool::Error& e) {
                             callback_saw = e.what();
                           }});
    std::string error;
    try {
      r.get();
    } catch (const pool::SystemError& e) {
      error = e.what();
      if (e.code() != std::errc::too_many_files_open) {
        return "not EMFILE: " + error;
      }
    } catch (const pool::Error& e) {
      return std::string("not a SystemError: ") + e.what();
    }
    ::setrlimit(RLIMIT_NOFILE, &old);
    if (!Contains(error, "RLIMIT_NOFILE")) return "error: \"" + error + "\"";
    if (callback_saw != error) {
      return "the error_callback saw \"" + callback_saw + "\"";
    }
    // The limit is back up: the next attempt starts a worker.
    if (p.apply(Identity, 3) != 3) return "the pool did not recover";
    if (p.worker_pids().size() != 1) return "no worker after recovery";
    return "";
  })));
}

// The fork server is SIGKILLed: the task running fails, and every later
// call says the pool is broken for good and why; terminate() returns and
// no process is left (the workers, re-parented to this subreaper, are
// reaped by the pool).
TEST_F(FaultTest, KilledForkServerBreaksThePoolWithTheReason) {
  pool::Pool p(2);
  const pid_t worker = p.apply(WorkerPid, 0);
  const pid_t server = std::atoi(StatField(worker, 4).c_str());
  ASSERT_GT(server, 1);
  auto r = p.apply_async(SlowIdentity, std::tuple{1});
  ASSERT_EQ(::kill(server, SIGKILL), 0);
  (void)ErrorOf(r);  // Finished before the kill, or failed by it.
  std::string error;
  WaitUntil([&] {
    try {
      auto later = p.apply_async(Identity, std::tuple{2});
      error = ErrorOf(later);
    } catch (const pool::Error& e) {
      error = e.what();
    }
    return !error.empty();
  });
  EXPECT_TRUE(Contains(error, "fork server")) << error;
  EXPECT_TRUE(Contains(error, "killed by signal 9")) << error;
  EXPECT_TRUE(Contains(error, "broken")) << error;
  EXPECT_THROW(p.apply_async(Identity, std::tuple{3}), pool::Error);
  p.terminate();
}

// --- K. A task's child returning into the worker loop
// --------------------------

using ForkedTaskTest = FaultTest;

// A task forks and its child returns (or throws) instead of calling
// _exit(): the child does not answer in the worker's place; the task's
// result is the worker's own (222), and the pool goes on.
TEST_F(ForkedTaskTest, ChildReturningFromATaskDoesNotAnswer) {
  pool::Pool p(1);
  for (const int throw_in_child : {0, 1}) {
    EXPECT_EQ(p.apply(ForkChildReturns, throw_in_child), 222);
    EXPECT_EQ(p.apply(Identity, 7), 7);
  }
  EXPECT_EQ(p.map(ForkChildReturns, std::vector<int>(8, 0), {.chunksize = 4}),
            std::vector<int>(8, 222));
  EXPECT_EQ(p.map(Identity, Iota(300)), Iota(300));
}

// --- I. Pools built and destroyed by several threads at once
// -------------------

// Four threads each build a pool, use it and destroy it, over and over:
// nothing hangs (the fixture's watchdog), every result is right, nothing
// is left behind.
TEST_F(FaultTest, ThreadsBuildAndDestroyPoolsAtOnce) {
  constexpr int kThreads = 4;
  constexpr int kRounds = kSanitized ? 10 : 25;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        pool::Pool p(2);
        if (p.apply(Identity, t * 1000 + i) != t * 1000 + i) ++wrong;
        if (p.map(Identity, Iota(50), {.chunksize = 5}) != Iota(50)) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace faults
