// Lesson 09: terminate(): work stops now.
//
// terminate() kills the workers at once (SIGKILL), whatever they are doing,
// and throws away the queued tasks. Every result that was not finished
// resolves with pool::CancelledError, so nobody waits for it forever.

#include <unistd.h>

#include <chrono>
#include <thread>
#include <tuple>
#include <vector>

#include "lessons/common/print.h"
#include "pool/pool.h"

namespace {

int Square(int x) { return x * x; }

// def long_task(i): five seconds of "work".
int LongTask(int i) {
  lessons::PrintLine("(", ::getpid(), ")进程正在执行: task ", i);
  std::this_thread::sleep_for(std::chrono::seconds(5));
  lessons::PrintLine("(", ::getpid(), ")进程正在执行: task ", i, " done");
  return i;
}

}  // namespace

int main() {
  pool::Pool pool(2);
  const pid_t me = ::getpid();

  // Step 1. A result that is finished before terminate() keeps its value.
  auto quick = pool.apply_async(Square, std::tuple{7});
  lessons::PrintLine("(", me, ")主进程: quick result: ", quick.get());

  // Step 2. Six 5-second tasks on two workers: two start, four wait.
  std::vector<pool::AsyncResult<int>> results;
  for (int i = 1; i <= 6; ++i) {
    results.push_back(pool.apply_async(LongTask, std::tuple{i}));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  // Step 3. Stop now. terminate() returns once no worker is left.
  pool.terminate();
  lessons::PrintLine("(", me, ")主进程: terminate() returned, ",
                     pool.worker_pids().size(), " workers left");

  // Step 4. Every unfinished result is ready, with CancelledError. (In
  // Python they stay pending forever: get() without a timeout would hang.)
  for (std::size_t i = 0; i < results.size(); ++i) {
    try {
      results[i].get();
      lessons::PrintLine("(", me, ")主进程: task ", i + 1, " finished?!");
    } catch (const pool::CancelledError& e) {
      lessons::PrintLine("(", me, ")主进程: task ", i + 1,
                         ": ready() = ", results[i].ready() ? "true" : "false",
                         ", get() threw CancelledError: ", e.what());
    }
  }
  lessons::PrintLine("(", me, ")主进程: quick result is still: ", quick.get());

  // Step 5. A terminated pool takes no more work; join() returns at once.
  try {
    auto late = pool.apply_async(Square, std::tuple{8});
  } catch (const pool::UsageError& e) {
    lessons::PrintLine("(", me, ")主进程: apply_async after terminate(): ",
                       "UsageError: ", e.what());
  }
  pool.join();
  lessons::PrintLine("(", me, ")主进程: join() returned");
  return 0;
}
