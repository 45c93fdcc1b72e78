// Stopping a pool in the middle of work: terminate() during a large map, and
// the destructor with work queued and running. Nothing may block, every
// result must resolve (CancelledError for what did not finish), and no
// worker may survive.

#include <errno.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "faults/fault_fixture.h"
#include "pool/pool.h"

namespace faults {
namespace {

// --- Tasks -------------------------------------------------------------------

// Records this worker's pid in `path`, then blocks until it is killed.
int MarkThenBlock(std::string path) {
  WriteFileAtomically(path, std::to_string(::getpid()));
  for (;;) ::pause();
}

// A map item: the item with index `at` leaves a marker, so the test knows
// the map is under way; every item takes a little while.
int MarkAt(int x, int at, std::string path) {
  if (x == at) WriteFileAtomically(path, "reached");
  ::usleep(200);
  return x;
}

int Identity(int x) { return x; }

// --- Helpers ----------------------------------------------------------------

bool IsDead(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

template <class R>
bool IsCancelled(const pool::AsyncResult<R>& r) {
  try {
    r.get();
  } catch (const pool::CancelledError&) {
    return true;
  } catch (...) {
  }
  return false;
}

// Work in every state at once: two tasks running (blocked for good) on the
// two workers, a large map queued behind them, and single tasks after it.
struct Backlog {
  std::vector<std::string> markers;
  std::vector<pool::AsyncResult<int>> running;
  std::optional<pool::MapResult<int>> map;
  std::vector<pool::AsyncResult<int>> singles;
};

Backlog Fill(pool::Pool& p) {
  Backlog b;
  for (int i = 0; i < 2; ++i) {
    b.markers.push_back(UniqueTempPath("running"));
    b.running.push_back(
        p.apply_async(MarkThenBlock, std::tuple{b.markers.back()}));
  }
  std::vector<int> items(50000);
  for (std::size_t i = 0; i < items.size(); ++i) items[i] = static_cast<int>(i);
  b.map.emplace(p.map_async(Identity, items, {.chunksize = 1}));
  for (int i = 0; i < 100; ++i) {
    b.singles.push_back(p.apply_async(Identity, std::tuple{i}));
  }
  for (const std::string& m : b.markers) {
    WaitUntil([&] { return !ReadFile(m).empty(); });
  }
  return b;
}

void ExpectAllCancelled(const Backlog& b) {
  for (const auto& r : b.running) {
    EXPECT_TRUE(r.ready());
    EXPECT_TRUE(IsCancelled(r));
  }
  EXPECT_TRUE(b.map->ready());
  EXPECT_TRUE(IsCancelled(*b.map));
  for (const auto& r : b.singles) {
    EXPECT_TRUE(r.ready());
    EXPECT_TRUE(IsCancelled(r));
  }
}

using TerminateTest = FaultTest;

// terminate() with two tasks running and a 50 000-chunk map and 100 tasks
// queued returns (the watchdog is the only time limit), every result is
// ready and failed with CancelledError, and the workers are gone.
TEST_F(TerminateTest, TerminateWithRunningAndQueuedWork) {
  pool::Pool p(2);
  const Backlog b = Fill(p);
  const std::vector<pid_t> workers = p.worker_pids();
  ASSERT_EQ(workers.size(), 2u);
  p.terminate();
  ExpectAllCancelled(b);
  for (pid_t pid : workers) EXPECT_TRUE(IsDead(pid)) << pid;
  EXPECT_TRUE(p.worker_pids().empty());
  EXPECT_THROW(p.apply_async(Identity, std::tuple{1}), pool::UsageError);
  p.join();
}

// terminate() in the middle of a large map that is really running (its
// item 2000 has been computed) resolves the map as cancelled and kills the
// workers in the middle of their chunks.
TEST_F(TerminateTest, TerminateInTheMiddleOfARunningMap) {
  pool::Pool p(2);
  const std::string marker = UniqueTempPath("progress");
  std::vector<std::tuple<int, int, std::string>> items;
  for (int i = 0; i < 100000; ++i) items.emplace_back(i, 2000, marker);
  auto map = p.starmap_async(MarkAt, items, {.chunksize = 1});
  auto after = p.apply_async(Identity, std::tuple{7});
  WaitUntil([&] { return !ReadFile(marker).empty(); });
  const std::vector<pid_t> workers = p.worker_pids();
  p.terminate();
  EXPECT_TRUE(map.ready());
  EXPECT_TRUE(IsCancelled(map));
  EXPECT_TRUE(IsCancelled(after));
  for (pid_t pid : workers) EXPECT_TRUE(IsDead(pid)) << pid;
}

// terminate() from several threads at once, and again after it returned,
// is harmless.
TEST_F(TerminateTest, ConcurrentAndRepeatedTerminate) {
  pool::Pool p(2);
  const Backlog b = Fill(p);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&] { p.terminate(); });
  for (auto& t : threads) t.join();
  p.terminate();
  ExpectAllCancelled(b);
}

// An imap whose pool is terminated while its consumer waits in next():
// next() ends with an error instead of blocking forever.
TEST_F(TerminateTest, TerminateUnblocksImapConsumer) {
  pool::Pool p(2);
  const std::string marker = UniqueTempPath("imap");
  std::vector<std::string> paths(1000, marker);
  auto it = p.imap(MarkThenBlock, paths);
  bool cancelled = false;
  // imap reads its input lazily: the first next() submits the first tasks.
  std::thread consumer([&] {
    try {
      (void)it.next();
    } catch (const pool::Error&) {
      cancelled = true;
    }
  });
  WaitUntil([&] { return !ReadFile(marker).empty(); });
  p.terminate();
  consumer.join();
  EXPECT_TRUE(cancelled);
}

// After terminate(), an imap consumer that skips failed items (the
// documented way: "throws that item's error; the following items can still
// be read") gets CancelledError for each item that was in flight and then
// reaches the end, instead of looping forever.
TEST_F(TerminateTest, ImapDrainAfterTerminate) {
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

using DestructorTest = FaultTest;

// The destructor with work running and queued behaves like terminate():
// it returns, every result resolves with CancelledError, no worker is left.
TEST_F(DestructorTest, DestructorCancelsRunningAndQueuedWork) {
  std::optional<Backlog> b;
  std::vector<pid_t> workers;
  {
    pool::Pool p(2);
    b.emplace(Fill(p));
    workers = p.worker_pids();
  }
  ExpectAllCancelled(*b);
  for (pid_t pid : workers) EXPECT_TRUE(IsDead(pid)) << pid;
}

// The destructor after close() (queued work still allowed to finish, but not
// waited for with join) also cancels what is left, and does not block on
// the running tasks that would never end.
TEST_F(DestructorTest, DestructorAfterCloseWithoutJoin) {
  std::optional<Backlog> b;
  {
    pool::Pool p(2);
    b.emplace(Fill(p));
    p.close();
  }
  ExpectAllCancelled(*b);
}

// A pool held by shared_ptr and destroyed on another thread while the main
// thread waits on one of its results: the wait ends with CancelledError.
TEST_F(DestructorTest, DestructorOnAnotherThreadWakesWaiters) {
  auto p = std::make_shared<pool::Pool>(2);
  const std::string marker = UniqueTempPath("waited");
  auto r = p->apply_async(MarkThenBlock, std::tuple{marker});
  WaitUntil([&] { return !ReadFile(marker).empty(); });
  std::thread destroyer([p = std::move(p)]() mutable { p.reset(); });
  EXPECT_TRUE(IsCancelled(r));
  destroyer.join();
}

}  // namespace
}  // namespace faults
