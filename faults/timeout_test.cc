// Per-task timeouts and cancel() (pool.h, "Timeouts"; async_result.h): a
// task past its deadline fails alone with TaskTimeoutError and its worker is
// replaced, on every method; a task that ends at its deadline has exactly
// one outcome; timeouts hold while other workers are SIGKILLed; cancel()
// racing with the start of a task either stops it before it runs or leaves
// it alone, never both. The fixture checks that no process, fd or thread is
// left after each test.
//
// The deadlines here are generous next to what the tasks do (a task that
// must succeed returns at once and has seconds), and the tests assert
// outcomes, never durations: the machine may be loaded.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "faults/fault_fixture.h"
#include "pool/pool.h"

namespace faults {
namespace {

using namespace std::chrono_literals;

// --- Tasks (plain functions: they run in the workers) ----------------------

// Its square; a negative x never returns.
int SquareOrHang(int x) {
  if (x < 0) {
    for (;;) ::pause();
  }
  return x * x;
}
// Their sum; a negative a never returns.
int AddOrHang(int a, int b) { return a < 0 ? SquareOrHang(-1) : a + b; }

// Sleeps `us` microseconds, then returns it.
int SleepMicros(int us) {
  timespec ts{us / 1000000, (us % 1000000) * 1000L};
  while (::nanosleep(&ts, &ts) != 0) {
  }
  return us;
}

// Memory shared with the workers (mapped before the pool forks its fork
// server), where tasks count how often each of them ran.
struct Shared {
  std::atomic<int> runs[4096];
  std::atomic<int> gate;  // Block() waits until it is 1.
  std::atomic<int> blocked;
};
Shared* shared = nullptr;

// Maps `shared` (zeroed) for this test; the pools must be made after.
void MapShared() {
  void* m = ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(m, MAP_FAILED);
  shared = new (m) Shared{};
}
void UnmapShared() {
  ::munmap(shared, sizeof(Shared));
  shared = nullptr;
}

// Counts one run of task i and returns i.
int CountRun(int i) {
  shared->runs[i].fetch_add(1);
  return i;
}
// Says it is running, then waits for the gate to open.
int Block(int) {
  shared->blocked.store(1);
  while (shared->gate.load() == 0) ::usleep(1000);
  return 0;
}

// --- Helpers ----------------------------------------------------------------

// Whether `f` throws a TaskTimeoutError that names its limit; else what
// happened instead.
template <class F>
::testing::AssertionResult TimesOut(F&& f, const std::string& limit) {
  try {
    f();
    return ::testing::AssertionFailure() << "no error";
  } catch (const pool::TaskTimeoutError& e) {
    const std::string what = e.what();
    if (what.find("ran past its timeout of " + limit) == std::string::npos) {
      return ::testing::AssertionFailure()
             << "the message does not name the limit " << limit << ": " << what;
    }
    return ::testing::AssertionSuccess();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure()
           << "not a TaskTimeoutError: " << e.what();
  }
}

// Waits until the pool has `n` workers again and `dead` is not among them.
void WaitForReplacement(pool::Pool& p, int n, pid_t dead) {
  WaitUntil([&] {
    const std::vector<pid_t> pids = p.worker_pids();
    return static_cast<int>(pids.size()) == n &&
           std::find(pids.begin(), pids.end(), dead) == pids.end();
  });
}

// The pid of the worker a TaskTimeoutError names, or -1.
template <class F>
pid_t TimedOutWorker(F&& f) {
  try {
    f();
  } catch (const pool::TaskTimeoutError& e) {
    return e.pid();
  } catch (...) {
  }
  return -1;
}

std::vector<int> Iota(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

using TimeoutTest = FaultTest;

// --- A timeout on each method ----------------------------------------------

// apply(): the hung task fails with TaskTimeoutError naming its limit, the
// worker is replaced, and the next apply() with a timeout succeeds.
TEST_F(TimeoutTest, Apply) {
  pool::Pool p(2);
  EXPECT_TRUE(TimesOut(
      [&] { (void)p.apply(SquareOrHang, std::tuple{-1}, {.timeout = 200ms}); },
      "200ms"));
  const pid_t dead = TimedOutWorker(
      [&] { (void)p.apply(SquareOrHang, std::tuple{-1}, {.timeout = 300ms}); });
  ASSERT_GT(dead, 0);
  WaitForReplacement(p, 2, dead);
  EXPECT_EQ(p.apply(SquareOrHang, std::tuple{7}, {.timeout = 30s}), 49);
  EXPECT_EQ(p.apply(SquareOrHang, 8), 64);
}

// apply_async(): only the hung task fails; error_callback gets the
// TaskTimeoutError; the tasks around it (some queued behind it on the
// same worker) succeed.
TEST_F(TimeoutTest, ApplyAsyncFailsOnlyTheHungTask) {
  pool::Pool p(2);
  std::atomic<int> timeouts{0}, other_errors{0};
  std::vector<pool::AsyncResult<int>> fast;
  for (int i = 0; i < 20; ++i) {
    fast.push_back(p.apply_async(SquareOrHang, std::tuple{i}));
  }
  auto hung = p.apply_async(
      SquareOrHang, std::tuple{-1},
      {.error_callback =
           [&](const pool::Error& e) {
             if (dynamic_cast<const pool::TaskTimeoutError*>(&e)) {
               ++timeouts;
             } else {
               ++other_errors;
             }
           },
       .timeout = 250ms});
  for (int i = 20; i < 40; ++i) {
    fast.push_back(p.apply_async(SquareOrHang, std::tuple{i}));
  }
  EXPECT_TRUE(TimesOut([&] { hung.get(); }, "250ms"));
  EXPECT_FALSE(hung.successful());
  for (int i = 0; i < 40; ++i) EXPECT_EQ(fast[i].get(), i * i);
  EXPECT_EQ(timeouts.load(), 1);
  EXPECT_EQ(other_errors.load(), 0);
}

// map() and map_async(): the map fails with TaskTimeoutError (the chunk is
// the task), and its error_callback gets it.
TEST_F(TimeoutTest, MapAndMapAsync) {
  pool::Pool p(2);
  EXPECT_TRUE(TimesOut(
      [&] {
        (void)p.map(SquareOrHang, {1, 2, -1, 4},
                    {.chunksize = 1, .timeout = 2s});
      },
      "2s"));
  std::atomic<int> timeouts{0};
  auto m = p.map_async(
      SquareOrHang, std::vector<int>{1, -1, 3, 4, 5},
      {.chunksize = 2,
       .error_callback =
           [&](const pool::Error& e) {
             timeouts +=
                 dynamic_cast<const pool::TaskTimeoutError*>(&e) != nullptr;
           },
       .timeout = 1500ms});
  EXPECT_TRUE(TimesOut([&] { m.get(); }, "1.5s"));
  EXPECT_EQ(timeouts.load(), 1);
  EXPECT_EQ(p.map(SquareOrHang, {1, 2, 3}, {.timeout = 30s}),
            (std::vector<int>{1, 4, 9}));
}

// starmap() and starmap_async().
TEST_F(TimeoutTest, StarmapAndStarmapAsync) {
  pool::Pool p(2);
  EXPECT_TRUE(TimesOut(
      [&] {
        (void)p.starmap(AddOrHang, {{1, 2}, {-1, 0}}, {.timeout = 1s});
      },
      "1s"));
  auto m = p.starmap_async(AddOrHang,
                           std::vector<std::tuple<int, int>>{{-1, 0}, {2, 3}},
                           {.chunksize = 1, .timeout = 800ms});
  EXPECT_TRUE(TimesOut([&] { m.get(); }, "800ms"));
  EXPECT_EQ(p.starmap(AddOrHang, {{1, 2}, {3, 4}}, {.timeout = 30s}),
            (std::vector<int>{3, 7}));
}

// imap(): the hung item's position throws TaskTimeoutError; the items
// before and after it are delivered in order. With chunksize 2, both
// positions of the hung chunk throw it.
TEST_F(TimeoutTest, ImapYieldsTheTimeoutAtItsPosition) {
  pool::Pool p(2);
  {
    auto it = p.imap(SquareOrHang, std::vector<int>{1, 2, -1, 4},
                     {.chunksize = 1, .timeout = 1s});
    EXPECT_EQ(it.next(), 1);
    EXPECT_EQ(it.next(), 4);
    EXPECT_TRUE(TimesOut([&] { (void)it.next(); }, "1s"));
    EXPECT_EQ(it.next(), 16);
    EXPECT_EQ(it.next(), std::nullopt);
  }
  auto it = p.imap(SquareOrHang, std::vector<int>{5, -1, 3, 4},
                   {.chunksize = 2, .timeout = 700ms});
  EXPECT_TRUE(TimesOut([&] { (void)it.next(); }, "700ms"));
  EXPECT_TRUE(TimesOut([&] { (void)it.next(); }, "700ms"));
  EXPECT_EQ(it.next(), 9);
  EXPECT_EQ(it.next(), 16);
  EXPECT_EQ(it.next(), std::nullopt);
}

// imap_unordered(): the other results all arrive, and one TaskTimeoutError.
TEST_F(TimeoutTest, ImapUnordered) {
  pool::Pool p(2);
  auto it = p.imap_unordered(SquareOrHang, std::vector<int>{1, 2, -1, 4, 5},
                             {.timeout = 600ms});
  std::vector<int> got;
  int timeouts = 0;
  for (;;) {
    try {
      const std::optional<int> r = it.next();
      if (!r) break;
      got.push_back(*r);
    } catch (const pool::TaskTimeoutError&) {
      ++timeouts;
    }
  }
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<int>{1, 4, 16, 25}));
  EXPECT_EQ(timeouts, 1);
}

// The clock starts when the task starts in its worker: a task that waited
// in the queue far longer than its timeout, behind a slow one, succeeds.
TEST_F(TimeoutTest, QueueTimeDoesNotCount) {
  pool::Pool p(1);
  auto slow = p.apply_async(SleepMicros, std::tuple{1500000});
  auto quick = p.apply_async(SquareOrHang, std::tuple{6}, {.timeout = 500ms});
  EXPECT_EQ(quick.get(), 36);
  EXPECT_EQ(slow.get(), 1500000);
}

// A zero or negative timeout is a UsageError at the call, before anything
// is submitted.
TEST_F(TimeoutTest, NonPositiveTimeoutIsAUsageError) {
  pool::Pool p(1);
  const std::string zero = pool::testing::UsageErrorMessage([&] {
    (void)p.apply_async(SquareOrHang, std::tuple{1}, {.timeout = 0s});
  });
  EXPECT_NE(zero.find("timeout must be positive, not 0"), std::string::npos)
      << zero;
  const std::string negative = pool::testing::UsageErrorMessage(
      [&] { (void)p.map(SquareOrHang, {1}, {.timeout = -5ms}); });
  EXPECT_NE(negative.find("not -5ms"), std::string::npos) << negative;
}

// --- Exactly one outcome at the deadline -----------------------------------

// Tasks that sleep about as long as their timeout: each one has exactly one
// outcome (its value or TaskTimeoutError), seen once by its callbacks and by
// get(), never both and never neither.
TEST_F(TimeoutTest, FinishingAtTheDeadlineHasExactlyOneOutcome) {
  pool::Pool p(2);
  const int n = kSanitized ? 60 : 300;
  constexpr int kTimeoutUs = 20000;
  std::vector<std::atomic<int>> values(n), errors(n), wrong(n);
  std::vector<pool::AsyncResult<int>> results;
  for (int i = 0; i < n; ++i) {
    const int us = kTimeoutUs + (i % 9 - 4) * 150;
    results.push_back(p.apply_async(
        SleepMicros, std::tuple{us},
        {.callback = [&, i](const int&) { ++values[i]; },
         .error_callback =
             [&, i](const pool::Error& e) {
               if (dynamic_cast<const pool::TaskTimeoutError*>(&e)) {
                 ++errors[i];
               } else {
                 ++wrong[i];
               }
             },
         .timeout = std::chrono::microseconds(kTimeoutUs)}));
  }
  int succeeded = 0, timed_out = 0;
  for (int i = 0; i < n; ++i) {
    const int us = kTimeoutUs + (i % 9 - 4) * 150;
    bool value = false;
    try {
      EXPECT_EQ(results[i].get(), us);
      value = true;
      ++succeeded;
    } catch (const pool::TaskTimeoutError&) {
      ++timed_out;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "task " << i << ": " << e.what();
    }
    EXPECT_EQ(values[i].load() + errors[i].load(), 1)
        << "task " << i << ": callback " << values[i].load()
        << " times, error_callback " << errors[i].load() << " times";
    EXPECT_EQ(values[i].load(), value ? 1 : 0) << "task " << i;
    EXPECT_EQ(wrong[i].load(), 0) << "task " << i;
  }
  std::printf("%d tasks at their deadline: %d succeeded, %d timed out\n", n,
              succeeded, timed_out);
  EXPECT_EQ(p.apply(SquareOrHang, 3), 9);
}

// Short tasks several to a worker (the pool sends tiny tasks ahead, so the
// next one is in the worker's pipe), every tenth sleeping about as long as
// the 300 us timeout: when one ends at its deadline, its worker starts the
// next at once, racing with the parent's stop. Every task has exactly one
// outcome, and it is its value or TaskTimeoutError: never a WorkerDiedError,
// which would blame the task after it for the stop.
TEST_F(TimeoutTest, DeadlineRacesWithTheNextTaskOfTheWorker) {
  pool::Pool p(2);
  const int n = kSanitized ? 500 : 3000;
  std::vector<std::atomic<int>> outcomes(n);
  std::vector<pool::AsyncResult<int>> results;
  const auto sleep_of = [](int i) {
    return i % 10 == 0 ? 300 + (i / 10 % 5 - 2) * 40 : 0;
  };
  for (int i = 0; i < n; ++i) {
    results.push_back(p.apply_async(
        SleepMicros, std::tuple{sleep_of(i)},
        {.callback = [&, i](const int&) { ++outcomes[i]; },
         .error_callback = [&, i](const pool::Error&) { ++outcomes[i]; },
         .timeout = 300us}));
  }
  int timed_out = 0;
  for (int i = 0; i < n; ++i) {
    try {
      EXPECT_EQ(results[i].get(), sleep_of(i));
    } catch (const pool::TaskTimeoutError&) {
      ++timed_out;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "task " << i << ": " << e.what();
    }
    EXPECT_EQ(outcomes[i].load(), 1) << "task " << i;
  }
  std::printf("%d short tasks: %d timed out\n", n, timed_out);
}

// --- Timeouts among killed workers ----------------------------------------

// While a thread SIGKILLs a random worker every 20 ms, hung tasks with a
// timeout and quick tasks without one run side by side. Every result
// resolves: a quick task with its value or WorkerDiedError, a hung one with
// TaskTimeoutError or WorkerDiedError; never anything else, never a hang.
TEST_F(TimeoutTest, TimeoutsWhileOtherWorkersAreKilled) {
  pool::Pool p(4);
  std::atomic<bool> stop{false};
  std::thread killer([&] {
    std::mt19937 rng(7);
    while (!stop.load()) {
      const std::vector<pid_t> pids = p.worker_pids();
      if (!pids.empty()) ::kill(pids[rng() % pids.size()], SIGKILL);
      std::this_thread::sleep_for(20ms);
    }
  });
  const int n = kSanitized ? 40 : 160;
  std::vector<pool::AsyncResult<int>> quick, hung;
  for (int i = 0; i < n; ++i) {
    quick.push_back(p.apply_async(SquareOrHang, std::tuple{i}));
    if (i % 4 == 0) {
      hung.push_back(
          p.apply_async(SquareOrHang, std::tuple{-1}, {.timeout = 50ms}));
    }
  }
  int timeouts = 0;
  for (auto& r : hung) {
    try {
      r.get();
      ADD_FAILURE() << "a hung task returned";
    } catch (const pool::TaskTimeoutError&) {
      ++timeouts;
    } catch (const pool::WorkerDiedError&) {
    }
  }
  for (int i = 0; i < n; ++i) {
    try {
      EXPECT_EQ(quick[i].get(), i * i);
    } catch (const pool::WorkerDiedError&) {
    }
  }
  stop = true;
  killer.join();
  std::printf("%zu hung tasks: %d timed out, the rest killed\n", hung.size(),
              timeouts);
  WaitUntil([&] { return p.worker_pids().size() == 4; });
  EXPECT_EQ(p.map(SquareOrHang, {1, 2, 3}, {.timeout = 30s}),
            (std::vector<int>{1, 4, 9}));
}

// --- cancel() ---------------------------------------------------------------

class CancelTest : public FaultTest {
 protected:
  void SetUp() override {
    FaultTest::SetUp();
    MapShared();
  }
  void TearDown() override {
    UnmapShared();
    FaultTest::TearDown();
  }
};

// cancel() racing with the start of each task: whatever it returns is
// true of the task. Cancelled ones never ran, get() throws CancelledError
// and error_callback ran once; the others ran exactly once and return
// their value.
TEST_F(CancelTest, CancelRacingWithStart) {
  const int n = kSanitized ? 400 : 2000;
  std::vector<std::atomic<int>> cancelled_seen(n);
  std::vector<bool> cancelled(n);
  {
    pool::Pool p(2);
    std::vector<pool::AsyncResult<int>> results;
    for (int i = 0; i < n; ++i) {
      results.push_back(p.apply_async(
          CountRun, std::tuple{i},
          {.error_callback = [&, i](const pool::Error& e) {
            cancelled_seen[i] +=
                dynamic_cast<const pool::CancelledError*>(&e) != nullptr;
          }}));
      // Every third task is cancelled at once, the others a little later,
      // from another point of the queue: some before, some after they
      // start.
      if (i % 3 == 0) cancelled[i] = results[i].cancel();
      if (i >= 8 && i % 3 == 1) cancelled[i - 8] = results[i - 8].cancel();
    }
    for (int i = 0; i < n; ++i) {
      if (cancelled[i]) {
        EXPECT_TRUE(results[i].ready()) << "task " << i;
        EXPECT_THROW(results[i].get(), pool::CancelledError) << "task " << i;
        EXPECT_TRUE(results[i].cancel()) << "task " << i << " (again)";
      } else {
        EXPECT_EQ(results[i].get(), i);
        EXPECT_FALSE(results[i].cancel()) << "task " << i << " (done)";
      }
    }
    p.close();
    p.join();
  }
  int stopped = 0;
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(shared->runs[i].load(), cancelled[i] ? 0 : 1) << "task " << i;
    EXPECT_EQ(cancelled_seen[i].load(), cancelled[i] ? 1 : 0) << "task " << i;
    stopped += cancelled[i];
  }
  std::printf("%d of %d tasks cancelled before they started\n", stopped, n);
}

// close() then join() with cancelled tasks still queued behind a running
// one: when the running task ends, the handler drops the cancelled tasks,
// and that is the last of the work; join() returns. (It once went back to
// poll() with nothing left to wait for, and join() hung.)
TEST_F(CancelTest, JoinAfterCancelledTasksAreDropped) {
  pool::Pool p(1);  // A new pool sends one task at a time to its worker.
  auto running = p.apply_async(Block, std::tuple{0});
  WaitUntil([] { return shared->blocked.load() == 1; });
  std::vector<pool::AsyncResult<int>> queued;
  for (int i = 0; i < 20; ++i) {
    queued.push_back(p.apply_async(CountRun, std::tuple{i}));
  }
  int cancelled = 0;
  for (auto& r : queued) cancelled += r.cancel();
  EXPECT_EQ(cancelled, 20) << "tasks queued behind a blocked worker";
  p.close();
  shared->gate = 1;
  p.join();  // The fixture's hang guard fails the test if this hangs.
  EXPECT_EQ(running.get(), 0);
  for (int i = 0; i < 20; ++i) {
    EXPECT_THROW(queued[i].get(), pool::CancelledError) << "task " << i;
    EXPECT_EQ(shared->runs[i].load(), 0) << "task " << i << " ran";
  }
  EXPECT_TRUE(p.worker_pids().empty());
}

// close(), then cancel() of every queued task from another thread while
// the running one is still blocked, then the gate opens: join() returns
// whatever the order in which the handler sees close() and the cancels,
// and each task is resolved once: cancelled (never ran) exactly when
// cancel() said true.
TEST_F(CancelTest, CancelRacingWithClose) {
  const int n = kSanitized ? 100 : 400;
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < n; ++i) shared->runs[i] = 0;
    shared->gate = 0;
    shared->blocked = 0;
    std::vector<std::atomic<int>> errors(n);
    std::vector<char> cancelled(n);
    pool::Pool p(2);
    auto running = p.apply_async(Block, std::tuple{0});
    WaitUntil([] { return shared->blocked.load() == 1; });
    std::vector<pool::AsyncResult<int>> results;
    for (int i = 0; i < n; ++i) {
      results.push_back(p.apply_async(
          CountRun, std::tuple{i},
          {.error_callback = [&, i](const pool::Error&) { ++errors[i]; }}));
    }
    // The second worker runs some of them meanwhile; the canceller takes
    // the rest from the back, while close() and (in odd rounds) the gate
    // open.
    std::thread canceller([&] {
      for (int i = n - 1; i >= 0; --i) cancelled[i] = results[i].cancel();
    });
    if (round % 2 == 1) shared->gate = 1;
    p.close();
    canceller.join();
    shared->gate = 1;
    p.join();  // The fixture's hang guard fails the test if this hangs.
    EXPECT_EQ(running.get(), 0);
    EXPECT_TRUE(p.worker_pids().empty());
    for (int i = 0; i < n; ++i) {
      if (cancelled[i]) {
        EXPECT_THROW(results[i].get(), pool::CancelledError) << "task " << i;
        EXPECT_EQ(shared->runs[i].load(), 0)
            << "cancelled task " << i << " ran";
        EXPECT_EQ(errors[i].load(), 1) << "task " << i;
      } else {
        EXPECT_EQ(results[i].get(), i);
        EXPECT_EQ(shared->runs[i].load(), 1) << "task " << i;
        EXPECT_EQ(errors[i].load(), 0) << "task " << i;
      }
    }
  }
}

// cancel() from another thread while terminate() stops the pool: every
// result is resolved once, with CancelledError from whichever came first
// (cancel() when it said true), and no task ran twice.
TEST_F(CancelTest, CancelRacingWithTerminate) {
  const int n = kSanitized ? 100 : 400;
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < n; ++i) shared->runs[i] = 0;
    std::vector<std::atomic<int>> errors(n);
    std::vector<char> cancelled(n);
    std::vector<pool::AsyncResult<int>> results;
    {
      pool::Pool p(2);
      for (int i = 0; i < n; ++i) {
        results.push_back(p.apply_async(
            CountRun, std::tuple{i},
            {.error_callback = [&, i](const pool::Error&) { ++errors[i]; }}));
      }
      std::thread canceller([&] {
        for (int i = n - 1; i >= 0; --i) cancelled[i] = results[i].cancel();
      });
      p.terminate();
      canceller.join();
      EXPECT_TRUE(p.worker_pids().empty());
    }
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(results[i].ready()) << "task " << i;
      EXPECT_LE(shared->runs[i].load(), 1) << "task " << i;
      if (cancelled[i]) {
        EXPECT_EQ(shared->runs[i].load(), 0)
            << "cancelled task " << i << " ran";
        try {
          (void)results[i].get();
          ADD_FAILURE() << "cancelled task " << i << " has a value";
        } catch (const pool::CancelledError& e) {
          EXPECT_NE(std::string(e.what()).find("cancel() was called"),
                    std::string::npos)
              << "task " << i << ": " << e.what();
        }
      }
      bool failed = false;
      try {
        (void)results[i].get();
      } catch (const pool::CancelledError&) {
        failed = true;
      }
      EXPECT_EQ(errors[i].load(), failed ? 1 : 0) << "task " << i;
    }
  }
}

// A callback that cancels the tasks queued behind its own, on the handler
// thread: they are dropped, and close() and join() return.
TEST_F(CancelTest, CancelFromACallback) {
  pool::Pool p(1);
  std::vector<pool::AsyncResult<int>> queued;
  std::atomic<int> cancelled_in_callback{0};
  auto first = p.apply_async(Block, std::tuple{0}, {.callback = [&](int) {
                               for (auto& r : queued) {
                                 cancelled_in_callback += r.cancel();
                               }
                             }});
  WaitUntil([] { return shared->blocked.load() == 1; });
  for (int i = 0; i < 20; ++i) {
    queued.push_back(p.apply_async(CountRun, std::tuple{i}));
  }
  p.close();
  shared->gate = 1;
  p.join();
  EXPECT_EQ(first.get(), 0);
  EXPECT_EQ(cancelled_in_callback.load(), 20)
      << "tasks queued behind the one whose callback cancels them";
  for (int i = 0; i < 20; ++i) {
    EXPECT_THROW(queued[i].get(), pool::CancelledError) << "task " << i;
    EXPECT_EQ(shared->runs[i].load(), 0) << "task " << i << " ran";
  }
}

// Results outlive their pool: cancel() afterwards is false (terminate()
// resolved them) and touches nothing of the pool that is gone.
TEST_F(CancelTest, CancelAfterThePoolIsGone) {
  std::optional<pool::AsyncResult<int>> queued;
  std::optional<pool::AsyncResult<std::vector<int>>> mapped;
  {
    pool::Pool p(1);
    auto running = p.apply_async(Block, std::tuple{0});
    WaitUntil([] { return shared->blocked.load() == 1; });
    queued = p.apply_async(CountRun, std::tuple{1});
    mapped = p.map_async(CountRun, Iota(10), {.chunksize = 2});
  }
  shared->gate = 1;
  EXPECT_FALSE(queued->cancel());
  EXPECT_FALSE(mapped->cancel());
  EXPECT_THROW(queued->get(), pool::CancelledError);
  EXPECT_THROW(mapped->get(), pool::CancelledError);
}

// cancel() on a running task is false and changes nothing; its timeout
// still stops it.
TEST_F(CancelTest, RunningTaskIsNotCancelled) {
  pool::Pool p(1);
  auto r = p.apply_async(Block, std::tuple{0}, {.timeout = 1s});
  WaitUntil([] { return shared->blocked.load() == 1; });
  EXPECT_FALSE(r.cancel());
  EXPECT_TRUE(TimesOut([&] { r.get(); }, "1s"));
}

// A map whose chunks are all still queued (its one worker is busy) is
// cancelled whole: true, and get() throws CancelledError at once. One with
// chunks running: false, the rest is cancelled, get() throws
// CancelledError, and not every item ran.
TEST_F(CancelTest, MapAsync) {
  pool::Pool p(1);
  auto blocker = p.apply_async(Block, std::tuple{0});
  WaitUntil([] { return shared->blocked.load() == 1; });
  auto queued = p.map_async(CountRun, Iota(100), {.chunksize = 1});
  EXPECT_TRUE(queued.cancel());
  EXPECT_TRUE(queued.ready());
  EXPECT_THROW(queued.get(), pool::CancelledError);
  shared->gate = 1;
  blocker.get();

  auto running =
      p.map_async(SleepMicros, std::vector<int>(200, 2000), {.chunksize = 1});
  WaitUntil([&] { return !p.worker_pids().empty(); });
  std::this_thread::sleep_for(20ms);
  (void)running.cancel();
  EXPECT_THROW(running.get(), pool::CancelledError);
  int ran = 0;
  for (int i = 0; i < 100; ++i) ran += shared->runs[i].load();
  EXPECT_EQ(ran, 0) << "items of the cancelled map ran";
  EXPECT_EQ(p.map(CountRun, {1, 2}), (std::vector<int>{1, 2}));
}

// An imap cancelled before its first next() has submitted nothing: true,
// then one CancelledError, then the end. Cancelled in the middle: false;
// what had started arrives, cancelled items and the unread input throw
// CancelledError, the iteration ends, and the pool serves on.
TEST_F(CancelTest, Imap) {
  pool::Pool p(2);
  auto untouched = p.imap(CountRun, Iota(100));
  EXPECT_TRUE(untouched.cancel());
  EXPECT_THROW((void)untouched.next(), pool::CancelledError);
  EXPECT_EQ(untouched.next(), std::nullopt);

  auto it = p.imap(CountRun, Iota(4000), {.chunksize = 1, .buffersize = 64});
  for (int i = 0; i < 10; ++i) EXPECT_EQ(it.next(), i);
  EXPECT_FALSE(it.cancel());
  EXPECT_FALSE(it.cancel());
  int values = 10, cancelled = 0;
  for (;;) {
    try {
      const std::optional<int> r = it.next();
      if (!r) break;
      EXPECT_EQ(*r, values + cancelled) << "out of order";
      ++values;
    } catch (const pool::CancelledError&) {
      ++cancelled;
    }
  }
  EXPECT_LT(values, 4000);
  EXPECT_GE(cancelled, 1);
  int ran = 0;
  for (int i = 0; i < 4000; ++i) ran += shared->runs[i].load();
  EXPECT_LT(ran, 4000);
  EXPECT_EQ(p.map(SquareOrHang, {1, 2}), (std::vector<int>{1, 4}));
}

// The same in chunks of 7: each position yields its item's value or
// CancelledError; an item whose value arrived ran once, a cancelled one
// never; whole chunks were submitted; the unread input ends it with one
// more CancelledError.
TEST_F(CancelTest, ImapInChunks) {
  pool::Pool p(2);
  constexpr int kChunk = 7;
  auto it =
      p.imap(CountRun, Iota(4000), {.chunksize = kChunk, .buffersize = 9});
  for (int i = 0; i < 100; ++i) EXPECT_EQ(it.next(), i);
  EXPECT_FALSE(it.cancel()) << "chunks had started";
  int position = 100, cancelled = 0;
  std::vector<bool> ran(4000);
  for (int i = 0; i < 100; ++i) ran[i] = true;
  for (;; ++position) {
    try {
      const std::optional<int> r = it.next();
      if (!r) break;
      EXPECT_EQ(*r, position) << "out of order";
      ran.at(static_cast<std::size_t>(position)) = true;
    } catch (const pool::CancelledError&) {
      ++cancelled;
    }
  }
  ASSERT_GE(cancelled, 2) << "no chunk was cancelled";
  const int submitted = position - 1;  // The last error is the input's end.
  EXPECT_EQ(submitted % kChunk, 0)
      << submitted << " items resolved: not whole chunks of " << kChunk;
  for (int i = 0; i < 4000; ++i) {
    EXPECT_EQ(shared->runs[i].load(), ran[i] ? 1 : 0) << "item " << i;
  }
  EXPECT_EQ(p.map(SquareOrHang, {1, 2}), (std::vector<int>{1, 4}));
}

}  // namespace
}  // namespace faults
