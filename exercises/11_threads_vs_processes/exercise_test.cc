// Tests for Exercise 11 (threads vs processes). They run against
// exercises/11_threads_vs_processes (your code) and its solution.

#include "exercises/11_threads_vs_processes/exercise.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <set>
#include <thread>
#include <vector>

#include "exercises/testing/explain.h"
#include "pool/pool.h"

namespace exercises {
namespace {

// Tasks. They are plain functions: they run in the workers.

long long Triangle(long long x) { return x * (x + 1) / 2; }
long long OwnPid(long long) { return ::getpid(); }
long long OwnThread(long long) {
  return static_cast<long long>(
      std::hash<std::thread::id>()(std::this_thread::get_id()));
}
// A counter in this program's memory, and a task that adds to it.
std::atomic<long long> counter{0};
long long AddToCounter(long long x) { return counter += x; }

std::vector<long long> Serial(long long (*fn)(long long),
                              const std::vector<long long>& items) {
  std::vector<long long> out;
  for (long long x : items) out.push_back(fn(x));
  return out;
}

std::vector<long long> Range(long long n) {
  std::vector<long long> out;
  for (long long x = 0; x < n; ++x) out.push_back(x * 13 % 101);
  return out;
}

// Both pools compute what a plain loop computes, in order.
TEST(ThreadsVsProcessesTest, BothMatchAPlainLoop) {
  for (int workers : {1, 3}) {
    const std::vector<long long> items = Range(200);
    EXPECT_EQ(MapWithThreads(workers, Triangle, items),
              Serial(Triangle, items));
    EXPECT_EQ(MapWithProcesses(workers, Triangle, items),
              Serial(Triangle, items));
  }
}

// Threads run in this process; processes never do.
TEST(ThreadsVsProcessesTest, ThreadsShareTheProcessProcessesDoNot) {
  for (long long pid : MapWithThreads(2, OwnPid, Range(20))) {
    EXPECT_EQ(pid, ::getpid());
  }
  for (long long pid : MapWithProcesses(2, OwnPid, Range(20))) {
    EXPECT_NE(pid, ::getpid());
  }
}

// Threads change this process's memory; each worker process changes only
// its own copy.
TEST(ThreadsVsProcessesTest, ThreadsShareMemoryProcessesDoNot) {
  counter = 0;
  (void)MapWithThreads(2, AddToCounter, {1, 2, 3, 4});
  EXPECT_EQ(counter, 10) << Explain("the threads' additions are visible here",
                                    "线程所加的数在这里看得见");
  (void)MapWithProcesses(2, AddToCounter, {1, 2, 3, 4});
  EXPECT_EQ(counter, 10) << Explain("the processes added to their own copies",
                                    "各进程加在了它们自己的副本上");
}

// Both pools have the requested number of workers: with one, a single
// worker thread (not this thread) or a single process does everything.
TEST(ThreadsVsProcessesTest, BothUseTheWorkerCount) {
  const std::vector<long long> threads =
      MapWithThreads(1, OwnThread, Range(30));
  ASSERT_EQ(threads.size(), 30u);
  EXPECT_EQ(std::set<long long>(threads.begin(), threads.end()).size(), 1u);
  EXPECT_NE(threads.front(), OwnThread(0));
  const std::vector<long long> pids = MapWithProcesses(1, OwnPid, Range(30));
  ASSERT_EQ(pids.size(), 30u);
  EXPECT_EQ(std::set<long long>(pids.begin(), pids.end()).size(), 1u);
}

}  // namespace
}  // namespace exercises
