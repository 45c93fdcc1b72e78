// Lesson 12: when things fail (beyond the article).
//
// Three ways a task can go wrong, and what the caller sees:
//   1. the task throws            -> pool::TaskError, with the type and what()
//   2. the worker process dies    -> pool::WorkerDiedError, naming the signal;
//                                    the pool replaces the worker
//   3. the result takes too long  -> get(timeout) throws pool::TimeoutError;
//                                    the task goes on running

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "lessons/common/print.h"
#include "pool/pool.h"

namespace {

// def lookup(i): return [1, 2, 3][i]
int Lookup(int i) {
  const std::vector<int> v = {1, 2, 3};
  if (i < 0 || i >= static_cast<int>(v.size())) {
    throw std::out_of_range("list index out of range");
  }
  return v[static_cast<std::size_t>(i)];
}

// Throws something that is not an exception class at all.
int ThrowInt(int x) { throw x; }

// Dies the way a process killed by the OOM killer, or by `kill -9`, dies:
// SIGKILL, which it cannot catch, so no exception and no message.
int Die(int) {
  lessons::PrintLine("(", ::getpid(), ")进程正在执行: killing myself");
  ::kill(::getpid(), SIGKILL);
  return 0;  // Never reached.
}

// Ends its own process with an exit status, as a task calling exit() would.
int Quit(int status) { ::_exit(status); }

int Square(int x) { return x * x; }

// def nap(ms): sleeps, then returns how long it slept.
int Nap(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return ms;
}

std::string PidList(std::vector<pid_t> pids) {
  std::sort(pids.begin(), pids.end());
  std::string out = "[";
  for (std::size_t i = 0; i < pids.size(); ++i) {
    out += (i ? ", " : "") + std::to_string(pids[i]);
  }
  return out + "]";
}

// Waits (up to 10 s) until the pool has `n` live workers, none of them
// `gone`: a replacement is started in the background after a worker dies,
// and the list of pids is updated a moment after the error is delivered.
std::vector<pid_t> WaitForWorkers(pool::Pool& pool, std::size_t n,
                                  pid_t gone = -1) {
  std::vector<pid_t> pids;
  for (int i = 0; i < 1000; ++i) {
    pids = pool.worker_pids();
    if (pids.size() == n &&
        std::find(pids.begin(), pids.end(), gone) == pids.end()) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pids;
}

}  // namespace

int main() {
  pool::Pool pool(2);

  // Step 1. A task that throws. The exception cannot cross to the parent
  // as itself (its type may not even exist there as a value the pool can
  // rebuild), so it arrives as a TaskError carrying the type and what().
  try {
    (void)pool.apply(Lookup, 7);
  } catch (const pool::TaskError& e) {
    lessons::PrintLine("step 1: TaskError: ", e.what());
    lessons::PrintLine("step 1: type_name() = ", e.type_name(),
                       ", message() = ", e.message());
  }
  try {
    (void)pool.apply(ThrowInt, 42);
  } catch (const pool::TaskError& e) {
    lessons::PrintLine("step 1: TaskError: ", e.what());
  }

  // Step 2. A worker killed in the middle of a task. Only that task fails;
  // the pool starts a replacement worker and goes on.
  const std::vector<pid_t> before = WaitForWorkers(pool, 2);
  lessons::PrintLine("step 2: workers before: ", PidList(before));
  try {
    (void)pool.apply(Die, 0);
  } catch (const pool::WorkerDiedError& e) {
    lessons::PrintLine("step 2: WorkerDiedError: ", e.what());
    if (WIFSIGNALED(e.wait_status())) {
      lessons::PrintLine("step 2: the signal: ",
                         pool::SignalName(WTERMSIG(e.wait_status())));
    }
    const std::vector<pid_t> after = WaitForWorkers(pool, 2, e.pid());
    lessons::PrintLine("step 2: workers after: ", PidList(after));
    const bool replaced =
        after.size() == 2 &&
        std::find(after.begin(), after.end(), e.pid()) == after.end();
    lessons::PrintLine("step 2: dead worker replaced: ",
                       replaced ? "yes" : "no");
  }
  lessons::PrintLine("step 2: the pool still works: apply(square, 6) = ",
                     pool.apply(Square, 6));
  try {
    (void)pool.apply(Quit, 3);
  } catch (const pool::WorkerDiedError& e) {
    lessons::PrintLine("step 2: WorkerDiedError: ", e.what());
  }

  // Step 3. get(timeout): give up waiting, not the task.
  auto slow = pool.apply_async(Nap, std::tuple{2000});
  try {
    (void)slow.get(std::chrono::milliseconds(100));
  } catch (const pool::TimeoutError& e) {
    lessons::PrintLine("step 3: TimeoutError: ", e.what(),
                       "; ready() = ", slow.ready() ? "true" : "false");
  }
  lessons::PrintLine("step 3: get() = ", slow.get());

  pool.close();
  pool.join();
  return 0;
}
