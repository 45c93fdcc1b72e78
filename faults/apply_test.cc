// apply()'s own path (pool/README.md, "The life of a task"): when the
// handler thread sleeps with idle workers, a thread calling apply() borrows
// one of them, writes the task and reads the reply itself. Each fault the
// handler's path survives is put to that path here: the worker dies before
// or during the call, terminate() and close() come from another thread
// while the caller waits, the fork server dies, a task forges a header or
// puts /dev/null over its result pipe, signals interrupt every system call,
// many threads apply at once while workers are killed, maxtasksperchild
// retires the worker after each call. Each fails at most the call it hit,
// with the same error the handler's path gives, and nothing hangs.
//
// Which path a call takes is seen from outside, without timing: a call is
// lent a worker when the handler thread sleeps in poll() (its wchan in
// /proc), and a borrower then waits in poll() too, where a call on the
// handler's path waits on a futex.

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <set>
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
std::string Echo(std::string s) { return s; }
int Throw(int x) { throw std::out_of_range("item " + std::to_string(x)); }

// Records this worker's pid in `path`, then returns `x` once `go` exists
// (never, if it does not).
int MarkThenWait(std::string path, std::string go, int x) {
  WriteFileAtomically(path, std::to_string(::getpid()));
  WaitUntil([&] { return !ReadFile(go).empty(); });
  return x;
}

// A frame header for task `id` with no valid check, written into the
// task's own result pipe (fd 4) before the worker loop's real reply.
int WriteForgedHeader(std::uint64_t size, std::uint64_t id) {
  const std::uint64_t forged[3] = {size, id, 0};
  return ::write(4, forged, sizeof forged) == sizeof forged ? 1 : 0;
}

// The worker's replies go nowhere: the parent reads end of file on its
// result pipe while the worker lives.
int DevNullOverResultPipe(int) {
  const int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  ::dup2(fd, 4);
  ::close(fd);
  return 1;
}

// --- Helpers -----------------------------------------------------------------

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::set<pid_t> ThreadIds() {
  std::set<pid_t> ids;
  DIR* dir = ::opendir("/proc/self/task");
  if (dir == nullptr) return ids;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ids.insert(std::atoi(e->d_name));
  }
  ::closedir(dir);
  return ids;
}

pid_t ThisThread() { return static_cast<pid_t>(::gettid()); }

// Where thread `tid` of this process sleeps ("0" while it runs).
std::string Wchan(pid_t tid) {
  return ReadFile("/proc/self/task/" + std::to_string(tid) + "/wchan");
}
bool SleepsInPoll(pid_t tid) { return Contains(Wchan(tid), "poll"); }
bool SleepsOnFutex(pid_t tid) { return Contains(Wchan(tid), "futex"); }

// The error apply(fn, args...) throws on `p`, or "" if it returns.
template <class F, class... A>
std::string ApplyError(pool::Pool& p, F fn, A... args) {
  try {
    (void)p.apply(fn, args...);
  } catch (const pool::Error& e) {
    return e.what();
  }
  return "";
}

// The fork server of the worker `pid` (its parent).
pid_t ServerOf(pid_t worker) { return std::atoi(StatField(worker, 4).c_str()); }

class LentApplyTest : public FaultTest {
 protected:
  // Builds a pool and finds its handler thread: the one thread the
  // constructor adds to this process.
  std::unique_ptr<pool::Pool> Start(const pool::Options& options) {
    const std::set<pid_t> before = ThreadIds();
    auto p = std::make_unique<pool::Pool>(options);
    for (pid_t t : ThreadIds()) {
      if (before.count(t) == 0) handler_ = t;
    }
    return p;
  }
  std::unique_ptr<pool::Pool> Start(int processes) {
    pool::Options options;
    options.processes = processes;
    return Start(options);
  }
  // Waits until the handler thread sleeps in poll(). It offers its idle
  // workers just before, so the next apply() borrows one, unless a worker
  // is reported dead first.
  void WaitUntilLending() const {
    WaitUntil([&] { return SleepsInPoll(handler_); });
  }

  pid_t handler_ = -1;
};

// --- The path itself ---------------------------------------------------------

// With the handler asleep, apply() waits for its reply in poll() on the
// calling thread (not on a futex for the handler thread), and returns the
// task's value; one call after another keeps going that way.
TEST_F(LentApplyTest, CallerReadsTheReplyItself) {
  auto p = Start(2);
  WaitUntilLending();
  const std::string marker = UniqueTempPath("running");
  const std::string go = UniqueTempPath("go");
  std::atomic<pid_t> caller{0};
  int value = 0;
  std::thread t([&] {
    caller = ThisThread();
    value = p->apply(MarkThenWait, marker, go, 7);
  });
  WaitUntil([&] { return !ReadFile(marker).empty(); });
  WaitUntil([&] { return SleepsInPoll(caller) || SleepsOnFutex(caller); });
  EXPECT_TRUE(SleepsInPoll(caller))
      << "apply() waited for the handler thread: " << Wchan(caller);
  WriteFileAtomically(go, "x");
  t.join();
  EXPECT_EQ(value, 7);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(p->apply(Identity, i), i);
}

// A task that throws fails its call with the task's error; the same worker,
// lent again, serves the next call.
TEST_F(LentApplyTest, TaskExceptionKeepsTheWorker) {
  auto p = Start(1);
  WaitUntilLending();
  const pid_t pid = p->apply(WorkerPid, 0);
  EXPECT_TRUE(Contains(ApplyError(*p, Throw, 5), "item 5"));
  EXPECT_EQ(p->apply(WorkerPid, 0), pid) << "the worker was replaced";
}

// Payloads of 3 MiB each way, more than a pipe holds: the caller writes
// what fits, waits for room and for the reply at once, and reads a reply
// that arrives in many pieces; a SIGALRM without SA_RESTART interrupts its
// system calls every millisecond. Nothing is lost or corrupted.
TEST_F(LentApplyTest, LargePayloadsUnderInterruptions) {
  // Only the applying thread takes SIGALRM: the handler thread inherits the
  // mask that blocks it here.
  sigset_t alrm;
  ::sigemptyset(&alrm);
  ::sigaddset(&alrm, SIGALRM);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &alrm, nullptr), 0);
  auto p = Start(2);
  static std::atomic<long> interruptions{0};
  interruptions = 0;
  struct sigaction sa {
  }, old{};
  sa.sa_handler = [](int) { interruptions.fetch_add(1); };
  ::sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // No SA_RESTART.
  ::sigaction(SIGALRM, &sa, &old);
  const std::size_t size = kSanitized ? (1 << 20) + 3 : 3 << 20;
  std::thread t([&] {
    ::pthread_sigmask(SIG_UNBLOCK, &alrm, nullptr);
    const itimerval every_ms{{0, 1000}, {0, 1000}};
    ::setitimer(ITIMER_REAL, &every_ms, nullptr);
    for (int i = 0; i < 20; ++i) {
      const std::string payload = RandomBytes(size, static_cast<unsigned>(i));
      const std::string back = p->apply(Echo, payload);
      ASSERT_EQ(Hash(back), Hash(payload)) << "call " << i;
    }
    const itimerval off{};
    ::setitimer(ITIMER_REAL, &off, nullptr);
  });
  t.join();
  ::sigaction(SIGALRM, &old, nullptr);
  ::pthread_sigmask(SIG_UNBLOCK, &alrm, nullptr);
  EXPECT_GT(interruptions.load(), 0);
  EXPECT_EQ(p->apply(Identity, 3), 3);
}

// --- Deaths ------------------------------------------------------------------

// The idle worker is dead when apply() borrows it: its fork server is
// stopped, so the handler has not heard of the death. Writing to the dead
// worker's pipe must not raise SIGPIPE in the calling thread; the call sees
// the death through the pidfd, gives the worker back, and once the server
// reports the exit the task, which never started, runs on the replacement.
TEST_F(LentApplyTest, DeadIdleWorkerIsNotBlamed) {
  auto p = Start(1);
  for (int i = 0; i < 5; ++i) {
    const pid_t worker = p->apply(WorkerPid, 0);
    const pid_t server = ServerOf(worker);
    ASSERT_GT(server, 1);
    WaitUntilLending();
    ASSERT_EQ(::kill(server, SIGSTOP), 0);
    ASSERT_EQ(::kill(worker, SIGKILL), 0);
    WaitUntil([&] { return StatField(worker, 3) == "Z"; });
    std::atomic<pid_t> caller{0};
    std::string error = "not run";
    std::thread t([&] {
      caller = ThisThread();
      error = ApplyError(*p, Identity, i);
    });
    // Given back, it waits for the handler's answer.
    WaitUntil([&] { return caller != 0 && SleepsOnFutex(caller); });
    ASSERT_EQ(::kill(server, SIGCONT), 0);
    t.join();
    EXPECT_EQ(error, "") << "a task that never started was blamed";
    EXPECT_NE(p->apply(WorkerPid, 0), worker);
  }
}

// The worker is SIGKILLed while it runs a borrowed call: that call fails
// with WorkerDiedError naming the signal; the pool replaces the worker.
TEST_F(LentApplyTest, WorkerKilledMidCallFailsThatCall) {
  auto p = Start(2);
  for (int i = 0; i < 5; ++i) {
    WaitUntilLending();
    const std::string marker = UniqueTempPath("running");
    std::string error;
    std::thread t([&] {
      error =
          ApplyError(*p, MarkThenWait, marker, std::string("/nonexistent"), 0);
    });
    WaitUntil([&] { return !ReadFile(marker).empty(); });
    const pid_t worker = std::stoi(ReadFile(marker));
    ASSERT_EQ(::kill(worker, SIGKILL), 0);
    t.join();
    EXPECT_TRUE(Contains(error, "SIGKILL")) << error;
    EXPECT_TRUE(Contains(error, std::to_string(worker))) << error;
    EXPECT_EQ(p->apply(Identity, i), i);
  }
}

// The fork server is SIGKILLed while a borrowed call runs: its workers die
// with it, the call fails with the error of the broken pool, and so does
// every later call.
TEST_F(LentApplyTest, KilledForkServerFailsTheCallWithTheReason) {
  auto p = Start(2);
  WaitUntilLending();
  const std::string marker = UniqueTempPath("running");
  std::string error;
  std::thread t([&] {
    error =
        ApplyError(*p, MarkThenWait, marker, std::string("/nonexistent"), 0);
  });
  WaitUntil([&] { return !ReadFile(marker).empty(); });
  const pid_t server = ServerOf(std::stoi(ReadFile(marker)));
  ASSERT_GT(server, 1);
  ASSERT_EQ(::kill(server, SIGKILL), 0);
  t.join();
  EXPECT_TRUE(Contains(error, "fork server")) << error;
  EXPECT_TRUE(Contains(error, "broken")) << error;
  EXPECT_TRUE(Contains(ApplyError(*p, Identity, 1), "broken"));
  p->terminate();
}

// maxtasksperchild=1: every call retires its worker after the reply. Each
// call runs on a new worker, and none fails.
TEST_F(LentApplyTest, MaxTasksPerChildRetiresTheWorkerAfterEachCall) {
  pool::Options options;
  options.processes = 2;
  options.maxtasksperchild = 1;
  auto p = Start(options);
  std::set<pid_t> seen;
  for (int i = 0; i < 20; ++i) {
    const pid_t pid = p->apply(WorkerPid, 0);
    EXPECT_TRUE(seen.insert(pid).second) << "worker " << pid << " ran twice";
  }
}

// --- Stopping the pool during a call
// ------------------------------------------

// terminate() from another thread while a borrowed call waits for a task
// that never ends: the worker is called back and killed, the call fails
// with CancelledError, and terminate() returns.
TEST_F(LentApplyTest, TerminateCallsTheWorkerBack) {
  auto p = Start(2);
  WaitUntilLending();
  const std::string marker = UniqueTempPath("running");
  std::atomic<pid_t> caller{0};
  bool cancelled = false;
  std::thread t([&] {
    caller = ThisThread();
    try {
      (void)p->apply(MarkThenWait, marker, std::string("/nonexistent"), 0);
    } catch (const pool::CancelledError&) {
      cancelled = true;
    }
  });
  WaitUntil([&] { return !ReadFile(marker).empty(); });
  WaitUntil([&] { return SleepsInPoll(caller); });
  p->terminate();
  t.join();
  EXPECT_TRUE(cancelled);
  EXPECT_TRUE(p->worker_pids().empty());
}

// close() while a borrowed call runs lets it finish: the call returns its
// value, then join() returns; apply() after close() is refused.
TEST_F(LentApplyTest, CloseLetsTheCallFinish) {
  auto p = Start(2);
  WaitUntilLending();
  const std::string marker = UniqueTempPath("running");
  const std::string go = UniqueTempPath("go");
  int value = 0;
  std::thread t([&] { value = p->apply(MarkThenWait, marker, go, 11); });
  WaitUntil([&] { return !ReadFile(marker).empty(); });
  p->close();
  EXPECT_TRUE(Contains(ApplyError(*p, Identity, 1), "Pool not running"));
  WriteFileAtomically(go, "x");
  t.join();
  EXPECT_EQ(value, 11);
  p->join();
}

// --- What a task writes into its result pipe
// -----------------------------------

// A forged header (no valid check) before the real reply, in a borrowed
// call: that call fails with ProtocolError naming its task, the worker is
// replaced, and the next call succeeds.
TEST_F(LentApplyTest, ForgedHeaderFailsThatCall) {
  auto p = Start(1);
  // Task ids count from 1: this is task 2.
  const pid_t worker = p->apply(WorkerPid, 0);
  WaitUntilLending();
  const std::string error =
      ApplyError(*p, WriteForgedHeader, std::uint64_t{8}, std::uint64_t{2});
  EXPECT_TRUE(Contains(error, "task 2")) << error;
  EXPECT_TRUE(Contains(error, "did not write")) << error;
  EXPECT_NE(p->apply(WorkerPid, 0), worker);
}

// /dev/null over the result pipe in a borrowed call: the caller reads end
// of file while the worker lives; the call fails with ProtocolError naming
// the pipe, and the pool goes on.
TEST_F(LentApplyTest, EndOfFileFailsThatCall) {
  auto p = Start(1);
  WaitUntilLending();
  const std::string error = ApplyError(*p, DevNullOverResultPipe, 0);
  EXPECT_TRUE(Contains(error, "closed its result pipe")) << error;
  EXPECT_EQ(p->apply(Identity, 4), 4);
}

// --- Many callers
// -------------------------------------------------------------

// Six threads call apply() at once on two workers (so some calls borrow and
// others go through the handler), beside apply_async with callbacks and
// map on another thread, while a third SIGKILLs a random worker every few
// milliseconds, 100 times. Every call returns its own value or fails with
// WorkerDiedError; nothing else, nothing hangs, and the pool serves after.
TEST_F(LentApplyTest, ManyCallersWhileWorkersDie) {
  auto p = Start(2);
  constexpr int kKills = kSanitized ? 20 : 100;
  std::atomic<bool> stop{false};
  std::atomic<long> wrong{0}, died{0}, calls{0}, kills{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 6; ++c) {
    callers.emplace_back([&, c] {
      for (int i = 0; !stop.load(); ++i) {
        const int x = c * 10000000 + i % 10000000;
        calls.fetch_add(1);
        try {
          if (p->apply(Identity, x) != x) wrong.fetch_add(1);
        } catch (const pool::WorkerDiedError&) {
          died.fetch_add(1);
        } catch (...) {
          wrong.fetch_add(1);
        }
      }
    });
  }
  std::atomic<long> callbacks{0};
  std::thread async([&] {
    const std::vector<int> items(50, 1);
    for (int round = 0; !stop.load(); ++round) {
      auto r = p->apply_async(
          Identity, std::tuple{round},
          {.callback = [&](const int&) { callbacks.fetch_add(1); }});
      try {
        if (p->map(Identity, items, {.chunksize = 1}) != items)
          wrong.fetch_add(1);
        if (r.get() != round) wrong.fetch_add(1);
      } catch (const pool::WorkerDiedError&) {
        died.fetch_add(1);
      }
    }
  });
  const std::string self = std::to_string(::getpid());
  std::mt19937 rng(20261130);
  while (kills.load() < kKills) {
    ::usleep(kSanitized ? 20000 : 5000);
    const std::vector<pid_t> pids = p->worker_pids();
    if (pids.empty()) continue;
    const pid_t victim = pids[rng() % pids.size()];
    // Only a worker of this pool's fork server: never a reused pid.
    if (StatField(ServerOf(victim), 4) == self &&
        ::kill(victim, SIGKILL) == 0) {
      kills.fetch_add(1);
    }
  }
  stop = true;
  for (auto& t : callers) t.join();
  async.join();
  EXPECT_EQ(wrong.load(), 0);
  RecordProperty("calls", static_cast<int>(calls.load()));
  RecordProperty("died", static_cast<int>(died.load()));
  RecordProperty("callbacks", static_cast<int>(callbacks.load()));
  for (int i = 0; i < 100; ++i) ASSERT_EQ(p->apply(Identity, i), i);
}

}  // namespace
}  // namespace faults
