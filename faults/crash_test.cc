// Faults inside a task, an initializer or a callback: the worker is killed,
// crashes or exits; the task throws; the initializer fails; a callback
// throws. Each must fail exactly the one thing it hit, with a message that
// says what happened, and leave the pool serving.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "faults/fault_fixture.h"
#include "pool/pool.h"

namespace faults {
namespace {

// --- Tasks (plain functions: they run in the workers) ----------------------

int Identity(int x) { return x; }
pid_t WorkerPid(int) { return ::getpid(); }

// Records this worker's pid in `path`, then blocks until it is killed.
int MarkThenBlock(std::string path) {
  WriteFileAtomically(path, std::to_string(::getpid()));
  for (;;) ::pause();
}

// A real invalid memory access. The sanitizers install a SIGSEGV handler
// that would turn the fault into exit(1); the default disposition is what a
// plain program has, so it is restored first.
int Segfault(int) {
  ::signal(SIGSEGV, SIG_DFL);
  void* page =
      ::mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  *static_cast<volatile int*>(page) = 1;
  return 0;
}
int Abort(int) { std::abort(); }
int ExitThree(int) { std::exit(3); }
int UnderscoreExitZero(int) { ::_exit(0); }

class InvalidSize : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};
int ThrowSubclass(int x) {
  throw InvalidSize("size " + std::to_string(x) + " is not a power of two");
}
int ThrowFortyTwo(int) { throw 42; }
struct Silent {
  int code;
};
int ThrowSilent(int) { throw Silent{7}; }

// --- Helpers ----------------------------------------------------------------

std::vector<int> Iota(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

// Waits until the pool has `n` workers again and `dead` is not among them.
void WaitForReplacement(pool::Pool& p, int n, pid_t dead) {
  WaitUntil([&] {
    const std::vector<pid_t> pids = p.worker_pids();
    return static_cast<int>(pids.size()) == n &&
           std::find(pids.begin(), pids.end(), dead) == pids.end();
  });
}

// Submits `fn` (which kills its worker one way or another) among 300 other
// tasks; checks that only it failed, with `expected` in its message, that
// every other task succeeded, and that the pool is at full strength again.
template <class F>
void ExpectOnlyTheDyingTaskFails(F fn, const std::string& expected) {
  pool::Pool p(2);
  const std::vector<int> items = Iota(300);
  auto before = p.map_async(Identity, items, {.chunksize = 1});
  auto dying = p.apply_async(fn, std::tuple{0});
  auto after = p.map_async(Identity, items, {.chunksize = 1});

  pid_t dead = -1;
  try {
    dying.get();
    ADD_FAILURE() << "the dying task returned normally";
  } catch (const pool::WorkerDiedError& e) {
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos)
        << e.what();
    dead = e.pid();
  }
  EXPECT_EQ(before.get(), items);
  EXPECT_EQ(after.get(), items);
  WaitForReplacement(p, 2, dead);
  EXPECT_EQ(p.apply(Identity, 41), 41);
  EXPECT_EQ(p.map(Identity, items), items);
}

// Checks that `fn` fails with a TaskError of `type` and `message`, and that
// the same worker (same pid) then serves the next task.
template <class F>
void ExpectTaskErrorAndSameWorker(F fn, const std::string& type,
                                  const std::string& message) {
  pool::Pool p(1);
  const pid_t pid = p.apply(WorkerPid, 0);
  auto r = p.apply_async(fn, std::tuple{16 + 1});
  try {
    r.get();
    ADD_FAILURE() << "the task returned normally";
  } catch (const pool::TaskError& e) {
    EXPECT_NE(e.type_name().find(type), std::string::npos) << e.type_name();
    EXPECT_NE(e.message().find(message), std::string::npos) << e.message();
    EXPECT_NE(std::string(e.what()).find(type), std::string::npos) << e.what();
  }
  EXPECT_FALSE(r.successful());
  EXPECT_EQ(p.apply(WorkerPid, 0), pid) << "the worker was replaced";
  EXPECT_EQ(p.apply(Identity, 5), 5);
}

using WorkerDeathTest = FaultTest;

// A worker SIGKILLed in the middle of a task fails that task with the signal
// named; the tasks queued behind it on the same worker and on the others
// succeed, and a replacement worker takes over.
TEST_F(WorkerDeathTest, SigkillMidTaskFailsOnlyThatTask) {
  pool::Pool p(2);
  const std::string marker = UniqueTempPath("victim");
  const std::vector<int> items = Iota(500);
  auto victim = p.apply_async(MarkThenBlock, std::tuple{marker});
  auto others = p.map_async(Identity, items, {.chunksize = 1});
  WaitUntil([&] { return !ReadFile(marker).empty(); });
  const pid_t pid = std::stoi(ReadFile(marker));
  ASSERT_EQ(::kill(pid, SIGKILL), 0);

  try {
    victim.get();
    ADD_FAILURE() << "the killed task returned";
  } catch (const pool::WorkerDiedError& e) {
    EXPECT_EQ(e.pid(), pid);
    EXPECT_NE(std::string(e.what()).find("killed by signal 9 (SIGKILL)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(others.get(), items);
  WaitForReplacement(p, 2, pid);
  EXPECT_EQ(p.map(Identity, items, {.chunksize = 7}), items);
}

// A task that segfaults fails with "SIGSEGV"; only that task fails.
TEST_F(WorkerDeathTest, SegfaultFailsOnlyThatTask) {
  ExpectOnlyTheDyingTaskFails(Segfault, "killed by signal 11 (SIGSEGV)");
}

// A task that calls abort() fails with "SIGABRT"; only that task fails.
TEST_F(WorkerDeathTest, AbortFailsOnlyThatTask) {
  ExpectOnlyTheDyingTaskFails(Abort, "killed by signal 6 (SIGABRT)");
}

// A task that calls exit(3) fails with its exit status; only it fails.
TEST_F(WorkerDeathTest, ExitThreeFailsOnlyThatTask) {
  ExpectOnlyTheDyingTaskFails(ExitThree, "exited with status 3");
}

// A task that calls _exit(0) is not mistaken for a success: it fails with
// "exited with status 0".
TEST_F(WorkerDeathTest, UnderscoreExitZeroFailsOnlyThatTask) {
  ExpectOnlyTheDyingTaskFails(UnderscoreExitZero, "exited with status 0");
}

using TaskExceptionTest = FaultTest;

// A std::exception subclass crosses with its demangled type and what(); the
// worker survives and runs the next task.
TEST_F(TaskExceptionTest, StdExceptionSubclassKeepsWorker) {
  ExpectTaskErrorAndSameWorker(ThrowSubclass, "InvalidSize",
                               "size 17 is not a power of two");
}

// `throw 42` crosses as type "int", message "42"; the worker survives.
TEST_F(TaskExceptionTest, ThrownIntKeepsWorker) {
  ExpectTaskErrorAndSameWorker(ThrowFortyTwo, "int", "42");
}

// A thrown type with no what() crosses with its type name and a message
// saying so; the worker survives.
TEST_F(TaskExceptionTest, TypeWithoutWhatKeepsWorker) {
  ExpectTaskErrorAndSameWorker(ThrowSilent, "Silent", "has no what()");
}

// In a map, a throwing item fails the map with that item's error while the
// other items of its chunk still run; the worker survives.
TEST_F(TaskExceptionTest, ThrowInMapChunkKeepsWorker) {
  pool::Pool p(1);
  const pid_t pid = p.apply(WorkerPid, 0);
  EXPECT_THROW((void)p.map(ThrowFortyTwo, Iota(50), {.chunksize = 10}),
               pool::TaskError);
  EXPECT_EQ(p.apply(WorkerPid, 0), pid);
}

using InitializerFaultTest = FaultTest;

// An initializer that throws makes the constructor throw InitializerError
// with the exception's message; no worker is left behind (fixture).
TEST_F(InitializerFaultTest, ThrowingInitializerFailsConstruction) {
  pool::Options options;
  options.processes = 3;
  options.initializer = [] { throw std::runtime_error("no config file"); };
  try {
    pool::Pool p(options);
    ADD_FAILURE() << "the pool was constructed";
  } catch (const pool::InitializerError& e) {
    EXPECT_NE(std::string(e.what()).find("no config file"), std::string::npos)
        << e.what();
  }
}

// An initializer that crashes makes the constructor throw InitializerError
// naming the signal; no worker is left behind (fixture).
TEST_F(InitializerFaultTest, CrashingInitializerFailsConstruction) {
  pool::Options options;
  options.processes = 3;
  options.initializer = [] { std::abort(); };
  try {
    pool::Pool p(options);
    ADD_FAILURE() << "the pool was constructed";
  } catch (const pool::InitializerError& e) {
    EXPECT_NE(std::string(e.what()).find("SIGABRT"), std::string::npos)
        << e.what();
  }
}

// An initializer that exits with status 0 (so it never says "ready") is an
// initializer failure too, not a hang.
TEST_F(InitializerFaultTest, ExitingInitializerFailsConstruction) {
  pool::Options options;
  options.processes = 2;
  options.initializer = [] { ::_exit(0); };
  EXPECT_THROW(pool::Pool p(options), pool::InitializerError);
}

// When the initializer of a replacement worker fails, the pool reports
// InitializerError for the work it can no longer run, instead of hanging.
TEST_F(InitializerFaultTest, FailingReplacementReportsInitializerError) {
  const std::string poison = UniqueTempPath("poison");
  pool::Options options;
  options.processes = 1;
  options.initializer = [poison] {
    if (!ReadFile(poison).empty()) throw std::runtime_error("poisoned");
  };
  pool::Pool p(options);
  EXPECT_EQ(p.apply(Identity, 1), 1);
  WriteFileAtomically(poison, "x");
  EXPECT_THROW(p.apply(UnderscoreExitZero, 0), pool::WorkerDiedError);
  try {
    auto r = p.apply_async(Identity, std::tuple{2});
    r.get();
    ADD_FAILURE() << "a task ran without a worker";
  } catch (const pool::InitializerError& e) {
    EXPECT_NE(std::string(e.what()).find("poisoned"), std::string::npos)
        << e.what();
  }
}

using CallbackFaultTest = FaultTest;

// A throwing callback fails its result with CallbackError carrying the
// exception; the pool goes on serving.
TEST_F(CallbackFaultTest, ThrowingCallbackFailsItsResult) {
  pool::Pool p(2);
  auto r = p.apply_async(
      Identity, std::tuple{5}, {.callback = [](const int& v) {
        throw std::runtime_error("callback saw " + std::to_string(v));
      }});
  try {
    r.get();
    ADD_FAILURE() << "the result succeeded";
  } catch (const pool::CallbackError& e) {
    EXPECT_NE(std::string(e.what()).find("callback saw 5"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(p.apply(Identity, 6), 6);
  EXPECT_EQ(p.map(Identity, Iota(100)), Iota(100));
}

// A throwing error_callback fails its result with CallbackError that names
// both its own exception and the task's error.
TEST_F(CallbackFaultTest, ThrowingErrorCallbackFailsItsResult) {
  pool::Pool p(2);
  auto r =
      p.apply_async(ThrowFortyTwo, std::tuple{1},
                    {.error_callback = [](const pool::Error&) { throw 7; }});
  try {
    r.get();
    ADD_FAILURE() << "the result succeeded";
  } catch (const pool::CallbackError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("error_callback threw int: 7"), std::string::npos)
        << what;
    EXPECT_NE(what.find("42"), std::string::npos) << what;
  }
  EXPECT_EQ(p.apply(Identity, 6), 6);
}

// One throwing callback among many fails only its own result.
TEST_F(CallbackFaultTest, OneThrowingCallbackAmongManyFailsOnlyItsResult) {
  pool::Pool p(2);
  std::vector<pool::AsyncResult<int>> results;
  for (int i = 0; i < 200; ++i) {
    results.push_back(
        p.apply_async(Identity, std::tuple{i}, {.callback = [](const int& v) {
                        if (v == 100) throw std::logic_error("hundred");
                      }}));
  }
  for (int i = 0; i < 200; ++i) {
    if (i == 100) {
      EXPECT_THROW(results[100].get(), pool::CallbackError);
    } else {
      EXPECT_EQ(results[static_cast<std::size_t>(i)].get(), i);
    }
  }
  auto m =
      p.map_async(Identity, Iota(64),
                  {.chunksize = 4, .callback = [](const std::vector<int>&) {
                     throw std::runtime_error("map cb");
                   }});
  EXPECT_THROW(m.get(), pool::CallbackError);
  EXPECT_EQ(p.map(Identity, Iota(64), {.chunksize = 4}), Iota(64));
}

}  // namespace
}  // namespace faults
