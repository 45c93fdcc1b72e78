// Lesson 10: `with Pool(...) as pool:` is a C++ scope.
//
// Python's `with` ends the pool when the block ends; in C++ the pool's
// destructor does, at the closing brace (RAII). Both end it the same,
// perhaps surprising, way: with terminate(), not close(). Work still
// running or queued at that moment is cancelled.

#include <unistd.h>

#include <chrono>
#include <thread>
#include <tuple>
#include <vector>

#include "lessons/common/print.h"
#include "pool/pool.h"

namespace {

// def slow_square(x): one second of "work".
int SlowSquare(int x) {
  lessons::PrintLine("(", ::getpid(), ")进程正在执行: ", x);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  lessons::PrintLine("(", ::getpid(), ")进程正在执行: ", x, " done");
  return x * x;
}

}  // namespace

int main() {
  const pid_t me = ::getpid();

  // Step 1. The safe use, as in lesson 03: map() blocks until every result
  // is in, so by the end of the block there is nothing left to cancel.
  {  // with multiprocessing.Pool(processes=2) as pool:
    pool::Pool pool(2);
    std::vector<int> results = pool.map(SlowSquare, {1, 2});
    lessons::PrintLine("(", me, ")主进程: step 1: map() returned ", results[0],
                       ", ", results[1]);
  }  // __exit__: terminate(), harmless here.

  // Step 2. The trap: apply_async() returns at once, and the block ends
  // while the task is still running. ~Pool() terminates: the task is
  // killed and its result resolves with CancelledError. (The handle
  // outlives the pool; it shares its state with it.)
  std::vector<pool::AsyncResult<int>> kept;
  {
    pool::Pool pool(2);
    kept.push_back(pool.apply_async(SlowSquare, std::tuple{3}));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    lessons::PrintLine("(", me, ")主进程: step 2: leaving the scope");
  }  // ~Pool(): terminate(), then wait for the workers to be gone.
  try {
    lessons::PrintLine("(", me, ")主进程: step 2: get() = ", kept[0].get());
  } catch (const pool::CancelledError& e) {
    lessons::PrintLine(
        "(", me, ")主进程: step 2: get() threw CancelledError: ", e.what());
  }

  // Step 3. The fix: to finish the work, say so before the scope ends:
  // close() and join() (or get() every result you need) inside the block.
  kept.clear();
  {
    pool::Pool pool(2);
    kept.push_back(pool.apply_async(SlowSquare, std::tuple{4}));
    pool.close();
    pool.join();
    lessons::PrintLine("(", me, ")主进程: step 3: leaving the scope");
  }
  lessons::PrintLine("(", me, ")主进程: step 3: get() = ", kept[0].get());
  return 0;
}
