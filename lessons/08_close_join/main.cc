// Lesson 08: close() then join(): queued work still finishes.
//
// close() stops the pool from taking new work but lets everything already
// submitted run to the end; join() waits for that, and for the workers to
// exit.

#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "lessons/common/print.h"
#include "pool/pool.h"

namespace {

// def task(i):
int Task(int i) {
  lessons::PrintLine("(", ::getpid(), ")进程正在执行: task ", i);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  lessons::PrintLine("(", ::getpid(), ")进程正在执行: task ", i, " done");
  return i;
}

int Square(int x) { return x * x; }

}  // namespace

int main() {
  // Step 1. Two workers, six tasks: four of them wait in the queue.
  pool::Pool pool(2);
  const pid_t me = ::getpid();
  std::vector<pool::AsyncResult<int>> results;
  for (int i = 1; i <= 6; ++i) {
    results.push_back(pool.apply_async(Task, std::tuple{i}));
  }

  // Step 2. join() before close() is a mistake: the pool would never end.
  try {
    pool.join();
  } catch (const pool::UsageError& e) {
    lessons::PrintLine(
        "(", me, ")主进程: join() before close(): UsageError: ", e.what());
  }

  // Step 3. close() returns at once; the queued tasks are not cancelled.
  pool.close();
  int ready = 0;
  for (const auto& r : results) ready += r.ready() ? 1 : 0;
  lessons::PrintLine("(", me, ")主进程: close() returned, ", ready,
                     " of 6 results ready");

  // Step 4. After close(), new work is refused.
  try {
    auto late = pool.apply_async(Square, std::tuple{7});
  } catch (const pool::UsageError& e) {
    lessons::PrintLine("(", me, ")主进程: apply_async after close(): ",
                       "UsageError: ", e.what());
  }

  // Step 5. join() waits for all six tasks and for the workers to exit.
  pool.join();
  ready = 0;
  for (const auto& r : results) ready += r.ready() ? 1 : 0;
  lessons::PrintLine("(", me, ")主进程: join() returned, ", ready,
                     " of 6 results ready, ", pool.worker_pids().size(),
                     " workers left");
  int sum = 0;
  for (const auto& r : results) sum += r.get();
  lessons::PrintLine("(", me, ")主进程: sum of results: ", sum);
  return 0;
}
