// A pool in a forked child of the process that created it (class G of the
// fault table in pool/README.md). The child of a program that uses a pool
// gets a copy of the Pool object, of its locks (possibly held by the
// handler thread at the moment of fork()) and of its std::thread, but not
// the thread itself. There the copy must be inert: its destructor returns at
// once and leaves the parent's workers alone, its methods throw UsageError,
// and results of the parent's pool either are plain values (ready) or throw
// UsageError instead of waiting forever.
//
// Every scenario runs in a forked child under an alarm, so a regression
// kills the child with SIGALRM and fails the test instead of hanging the
// suite. The child leaves with exit(), which runs static destructors as a
// real program does: that is where a global pool is destroyed.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <numeric>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "faults/fault_fixture.h"
#include "pool/pool.h"

#if defined(__SANITIZE_ADDRESS__)
// LeakSanitizer in a child that calls exit(): the parent's threads were
// copied into the child's memory but do not run there, so LeakSanitizer
// cannot scan their stacks and reports whatever only they referenced (a job
// the handler thread was completing, a result a pool thread was building)
// as leaked. Leak checking stays on for the test process itself.
namespace {
const pid_t test_process = ::getpid();
}  // namespace
extern "C" int __lsan_is_turned_off() { return ::getpid() != test_process; }
#endif

namespace faults {
namespace {

using std::chrono::seconds;

// A child that has not finished its scenario by then is hung.
constexpr int kChildGuardSeconds = 90;

// --- Tasks -------------------------------------------------------------------

int Identity(int x) { return x; }
int Square(int x) { return x * x; }
int Add(int a, int b) { return a + b; }

// Records that it started in `path`, then waits until `gate` exists (which
// works for a worker process and for a pool thread alike).
int MarkThenWaitFor(std::string path, std::string gate) {
  WriteFileAtomically(path, "started");
  while (::access(gate.c_str(), F_OK) != 0) ::usleep(1000);
  return 1;
}

// --- The global pools --------------------------------------------------------

// Stand for a program's global pool: destroyed by exit() in a child. The
// tests create them and destroy them again in the parent, so that the
// fixture finds nothing left between tests.
std::optional<pool::Pool> global_pool;
std::optional<pool::ThreadPool> global_thread_pool;

// A task that uses global_pool from inside another pool's worker, as a task
// that calls "its" program's pool does. The worker is a fork of the parent.
int ApplyOnGlobalPool(int x) { return global_pool->apply(Identity, x); }

template <class P>
struct GlobalScope {
  GlobalScope(std::optional<P>& g, int n) : global(g) { global.emplace(n); }
  ~GlobalScope() { global.reset(); }
  std::optional<P>& global;
};

// --- Running a scenario in a child -------------------------------------------

// The child arms an alarm, runs `body` and leaves with exit(), so that
// static destructors (the global pools') run in it.
ChildOutcome ForkAndRun(const std::function<std::string()>& body) {
  return RunInChild(
      body, {.run_exit_handlers = true, .alarm_seconds = kChildGuardSeconds});
}

// "" if `message` names the fork and says what to do, else why not.
std::string CheckForkMessage(const std::string& what,
                             const std::string& message, const char* remedy) {
  const std::string creator = "process " + std::to_string(::getppid());
  if (message.find("fork()") == std::string::npos ||
      message.find(creator) == std::string::npos ||
      message.find(remedy) == std::string::npos) {
    return what + ": expected a UsageError naming fork(), " + creator +
           " and \"" + remedy + "\", got: " + message + "\n";
  }
  return "";
}

bool IsAlive(pid_t pid) { return ::kill(pid, 0) == 0; }

std::vector<pid_t> Sorted(std::vector<pid_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<int> Iota(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

using ForkTest = FaultTest;

// A child exits while the program's global pool has tasks running and
// queued: exit() destroys the child's copy of the pool, which must return at
// once (it used to join a handler thread that does not exist in the child)
// and must not stop the parent's workers, which go on serving the parent.
TEST_F(ForkTest, ChildExitsWhileGlobalPoolIsBusy) {
  GlobalScope<pool::Pool> scope(global_pool, 3);
  const std::string gate = UniqueTempPath("gate");
  std::vector<pool::AsyncResult<int>> blocked;
  for (int i = 0; i < 2; ++i) {
    const std::string marker = UniqueTempPath("started");
    blocked.push_back(
        global_pool->apply_async(MarkThenWaitFor, std::tuple{marker, gate}));
    WaitUntil([&] { return !ReadFile(marker).empty(); });
  }
  auto queued = global_pool->map_async(Identity, Iota(2000), {.chunksize = 1});
  const std::vector<pid_t> workers = Sorted(global_pool->worker_pids());
  ASSERT_EQ(workers.size(), 3u);

  EXPECT_TRUE(ChildSucceeded(ForkAndRun([] { return std::string(); })));

  for (pid_t pid : workers) EXPECT_TRUE(IsAlive(pid)) << "worker " << pid;
  EXPECT_EQ(Sorted(global_pool->worker_pids()), workers);
  // Some of the map may be queued behind the blocked tasks.
  WriteFileAtomically(gate, "open");
  for (auto& r : blocked) EXPECT_EQ(r.get(), 1);
  EXPECT_EQ(queued.get(), Iota(2000));
  EXPECT_EQ(global_pool->apply(Square, 7), 49);
}

// Children forked one after another while the parent's handler thread is
// streaming tasks, so that some forks catch it holding the pool's lock:
// half of them only exit (destroying the copy), half first call a method.
// Every child must exit cleanly, and the parent's map completes with every
// result.
TEST_F(ForkTest, ChildrenForkedDuringTrafficExitCleanly) {
  GlobalScope<pool::Pool> scope(global_pool, 2);
  const int items = kSanitized ? 20000 : 200000;
  const int max_children = kSanitized ? 20 : 100;
  auto traffic =
      global_pool->map_async(Identity, Iota(items), {.chunksize = 1});
  int children = 0;
  while (!traffic.ready() && children < max_children) {
    const bool call_first = children % 2 == 1;
    const ChildOutcome c = ForkAndRun([call_first] {
      if (!call_first) return std::string();
      const std::string m = pool::testing::UsageErrorMessage(
          [] { (void)global_pool->apply_async(Square, std::tuple{2}); });
      return CheckForkMessage("apply_async", m, "Create a new Pool");
    });
    ASSERT_TRUE(ChildSucceeded(c)) << "child " << children;
    ++children;
  }
  EXPECT_GT(children, 0);
  EXPECT_EQ(traffic.get(), Iota(items));
}

// In a child, every method of the parent's Pool throws UsageError saying
// that the pool belongs to the parent and to create a new one; the parent's
// pool is unaffected (the child's close() and terminate() did nothing).
TEST_F(ForkTest, EveryMethodThrowsInChild) {
  GlobalScope<pool::Pool> scope(global_pool, 2);
  const ChildOutcome c = ForkAndRun([] {
    pool::Pool& p = *global_pool;
    const char* remedy = "Create a new Pool in this process";
    std::vector<int> xs{1, 2, 3};
    std::vector<std::tuple<int, int>> pairs{{1, 2}};
    std::string failures;
    auto check = [&](const std::string& what, auto&& f) {
      failures +=
          CheckForkMessage(what, pool::testing::UsageErrorMessage(f), remedy);
    };
    check("apply_async", [&] { (void)p.apply_async(Square, std::tuple{2}); });
    check("apply", [&] { (void)p.apply(Square, 2); });
    check("map", [&] { (void)p.map(Square, xs); });
    check("map_async", [&] { (void)p.map_async(Square, xs); });
    check("starmap", [&] { (void)p.starmap(Add, pairs); });
    check("starmap_async", [&] { (void)p.starmap_async(Add, pairs); });
    check("imap", [&] { (void)p.imap(Square, xs); });
    check("imap_unordered", [&] { (void)p.imap_unordered(Square, xs); });
    check("processes", [&] { (void)p.processes(); });
    check("worker_pids", [&] { (void)p.worker_pids(); });
    check("close", [&] { p.close(); });
    check("terminate", [&] { p.terminate(); });
    check("join", [&] { p.join(); });
    return failures;
  });
  EXPECT_TRUE(ChildSucceeded(c));
  EXPECT_EQ(global_pool->worker_pids().size(), 2u);
  EXPECT_EQ(global_pool->map(Square, {1, 2, 3}), (std::vector<int>{1, 4, 9}));
  EXPECT_THROW(global_pool->join(), pool::UsageError);  // Still running.
}

// A pool that is a local of the function that forks: the child returns
// from that function, so the pool's destructor runs in the child. It must
// return at once and leave the parent's workers alone.
TEST_F(ForkTest, LocalPoolDestroyedInChild) {
  std::optional<pool::Pool> local;
  local.emplace(2);
  const std::vector<pid_t> workers = Sorted(local->worker_pids());
  const ChildOutcome c = ForkAndRun([&] {
    local.reset();
    return std::string();
  });
  EXPECT_TRUE(ChildSucceeded(c));
  for (pid_t pid : workers) EXPECT_TRUE(IsAlive(pid)) << "worker " << pid;
  EXPECT_EQ(local->apply(Square, 5), 25);
}

// Results and iterators of the parent's pool in a child: a result that was
// ready at the fork is a plain value and can be read; one that was not can
// never be delivered there, so every wait on it throws UsageError at once
// (get(timeout) too, instead of timing out), and an imap iterator throws
// UsageError.
TEST_F(ForkTest, ParentResultsInChild) {
  GlobalScope<pool::Pool> scope(global_pool, 2);
  auto done = global_pool->apply_async(Square, std::tuple{6});
  ASSERT_EQ(done.get(), 36);
  auto failed = global_pool->apply_async(
      Square, std::tuple{1}, {.callback = [](const int&) {
        throw std::runtime_error("callback failed");
      }});
  ASSERT_THROW(failed.get(), pool::CallbackError);
  auto it = global_pool->imap(Square, Iota(100));
  ASSERT_EQ(it.next(), 0);
  const std::string gate = UniqueTempPath("gate");
  const std::string marker = UniqueTempPath("started");
  auto pending =
      global_pool->apply_async(MarkThenWaitFor, std::tuple{marker, gate});
  WaitUntil([&] { return !ReadFile(marker).empty(); });
  auto pending_map =
      global_pool->map_async(Square, Iota(100), {.chunksize = 1});

  const ChildOutcome c = ForkAndRun([&] {
    std::string failures;
    const char* remedy = "create a new Pool in this one";
    if (done.get() != 36 || !done.ready() || !done.successful()) {
      failures += "a result ready before the fork lost its value\n";
    }
    try {
      failed.get();
      failures += "a failed result did not throw its error\n";
    } catch (const pool::CallbackError&) {
    }
    if (pending.ready()) failures += "the pending result claims ready\n";
    if (pending.wait(seconds(0))) failures += "wait(0) said ready\n";
    failures += CheckForkMessage(
        "get", pool::testing::UsageErrorMessage([&] { pending.get(); }),
        remedy);
    failures += CheckForkMessage(
        "get(timeout)",
        pool::testing::UsageErrorMessage([&] { pending.get(seconds(30)); }),
        remedy);
    failures += CheckForkMessage(
        "wait", pool::testing::UsageErrorMessage([&] { pending.wait(); }),
        remedy);
    failures +=
        CheckForkMessage("wait(timeout)", pool::testing::UsageErrorMessage([&] {
                           (void)pending.wait(seconds(30));
                         }),
                         remedy);
    if (!pending_map.ready()) {
      failures += CheckForkMessage(
          "map get",
          pool::testing::UsageErrorMessage([&] { pending_map.get(); }), remedy);
    }
    failures += CheckForkMessage(
        "imap next", pool::testing::UsageErrorMessage([&] { (void)it.next(); }),
        remedy);
    failures += CheckForkMessage(
        "imap next(timeout)",
        pool::testing::UsageErrorMessage([&] { (void)it.next(seconds(30)); }),
        remedy);
    return failures;
  });
  EXPECT_TRUE(ChildSucceeded(c));
  WriteFileAtomically(gate, "open");
  EXPECT_EQ(pending.get(), 1);
  EXPECT_EQ(it.next(), 1);  // The parent's iterator is untouched.
}

// A child may create and use a pool of its own while the parent's copy is
// inert; the child's pool shuts down completely (no process or fd left in
// the child).
TEST_F(ForkTest, ChildCreatesItsOwnPool) {
#if defined(__SANITIZE_THREAD__)
  // The child's pool starts a handler thread, and ThreadSanitizer does not
  // support starting threads in a child of a multi-threaded process: its
  // thread registry still lists the parent's threads, and a new thread that
  // reuses one's id is fatal ("dup thread with used id").
  GTEST_SKIP() << "ThreadSanitizer: no threads after a multi-threaded fork";
#endif
  GlobalScope<pool::Pool> scope(global_pool, 2);
  const ChildOutcome c = ForkAndRun([] {
    const int fds = OpenFdCount();
    {
      pool::Pool own(2);
      if (own.map(Square, {1, 2, 3}) != std::vector<int>{1, 4, 9}) {
        return std::string("the child's own pool computed a wrong map");
      }
      const std::vector<pid_t> parents_workers = [] {
        try {
          return global_pool->worker_pids();
        } catch (const pool::UsageError&) {
          return std::vector<pid_t>{};
        }
      }();
      if (!parents_workers.empty()) {
        return std::string("the parent's pool answered in the child");
      }
      own.close();
      own.join();
    }
    return NothingLeftInChild(fds);
  });
  EXPECT_TRUE(ChildSucceeded(c));
  EXPECT_EQ(global_pool->apply(Square, 3), 9);
}

// The same for a ThreadPool: its threads do not exist in the child, so its
// destructor must not join them (a joinable std::thread would also abort in
// its own destructor); its methods throw UsageError.
TEST_F(ForkTest, ThreadPoolInChild) {
  GlobalScope<pool::ThreadPool> scope(global_thread_pool, 2);
  const std::string gate = UniqueTempPath("gate");
  const std::string marker = UniqueTempPath("started");
  auto blocked = global_thread_pool->apply_async(MarkThenWaitFor,
                                                 std::tuple{marker, gate});
  WaitUntil([&] { return !ReadFile(marker).empty(); });
  const ChildOutcome c = ForkAndRun([&] {
    const char* remedy = "Create a new ThreadPool in this process";
    std::string failures;
    failures += CheckForkMessage("apply", pool::testing::UsageErrorMessage([] {
                                   (void)global_thread_pool->apply(Square, 2);
                                 }),
                                 remedy);
    failures += CheckForkMessage("close", pool::testing::UsageErrorMessage([] {
                                   global_thread_pool->close();
                                 }),
                                 remedy);
    failures += CheckForkMessage(
        "get", pool::testing::UsageErrorMessage([&] { blocked.get(); }),
        "create a new Pool");
    return failures;  // exit() then destroys global_thread_pool.
  });
  EXPECT_TRUE(ChildSucceeded(c));
  WriteFileAtomically(gate, "open");
  EXPECT_EQ(blocked.get(), 1);
  EXPECT_EQ(global_thread_pool->apply(Square, 4), 16);
}

// A task that uses the program's global pool from inside a worker of
// another pool (a worker is a fork of the program): the call throws
// UsageError in the worker, and the task fails with it as a TaskError
// instead of waiting forever for a handler thread that is not there.
TEST_F(ForkTest, TaskUsingTheGlobalPoolInAWorker) {
  GlobalScope<pool::Pool> scope(global_pool, 1);
  pool::Pool other(1);
  auto r = other.apply_async(ApplyOnGlobalPool, std::tuple{5});
  try {
    r.get(seconds(120));  // A hang guard: a regression hangs the task.
    FAIL() << "the task returned a value";
  } catch (const pool::TaskError& e) {
    EXPECT_EQ(e.type_name(), "pool::UsageError") << e.what();
    EXPECT_NE(e.message().find("fork()"), std::string::npos) << e.what();
  } catch (const pool::TimeoutError&) {
    FAIL() << "the task hung calling the global pool from a worker";
  }
  EXPECT_EQ(other.apply(Square, 2), 4);
  EXPECT_EQ(global_pool->apply(Square, 3), 9);
}

}  // namespace
}  // namespace faults
