// Lesson 06: imap_unordered, results in completion order.
//
// Like imap (lesson 05), but each result is handed out as soon as it is
// ready, whatever its place in the input.

#include <unistd.h>

#include <chrono>
#include <thread>
#include <utility>
#include <vector>

#include "lessons/common/print.h"
#include "pool/pool.h"

namespace {

// def slow_square(x): sleeps x * 200 ms, then says it is done.
int SlowSquare(int x) {
  std::this_thread::sleep_for(std::chrono::milliseconds(200 * x));
  lessons::PrintLine("(", ::getpid(), ")进程正在执行: ", x, " done");
  return x * x;
}

// def tagged_square(x): return (x, x * x)
std::pair<int, int> TaggedSquare(int x) { return {x, SlowSquare(x)}; }

// def nap(ms): sleeps, then returns how long it slept.
int Nap(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return ms;
}

}  // namespace

int main() {
  pool::Pool pool(4);
  const pid_t me = ::getpid();

  // Step 1. The same input as Step 2 of lesson 05, but unordered: the
  // fastest item comes out first, and nobody waits for item 4.
  lessons::PrintLine("(", me,
                     ")主进程: imap_unordered(slow_square, [4, 1, 3, 2])");
  for (int r : pool.imap_unordered(SlowSquare, std::vector<int>{4, 1, 3, 2})) {
    lessons::PrintLine("(", me, ")主进程: got ", r);
  }

  // Step 2. The order no longer tells you which input a result belongs to.
  // When you need to know, return the input along with the result.
  lessons::PrintLine("(", me,
                     ")主进程: imap_unordered(tagged_square, [4, 1, 3, 2])");
  for (const auto& [x, r] :
       pool.imap_unordered(TaggedSquare, std::vector<int>{4, 1, 3, 2})) {
    lessons::PrintLine("(", me, ")主进程: got ", x, " -> ", r);
  }

  // Step 3. Why it matters: one slow item at the front. imap cannot hand
  // out anything until the 20 s nap is over, so next(timeout) gives up;
  // imap_unordered hands out the 10 ms nap as soon as it is done.
  auto ordered = pool.imap(Nap, std::vector<int>{20000, 10, 20});
  try {
    ordered.next(std::chrono::seconds(1));
  } catch (const pool::TimeoutError& e) {
    lessons::PrintLine(
        "(", me, ")主进程: imap: next(1 s) threw TimeoutError: ", e.what());
  }
  auto unordered = pool.imap_unordered(Nap, std::vector<int>{20000, 10, 20});
  lessons::PrintLine("(", me, ")主进程: imap_unordered: next(10 s) = ",
                     unordered.next(std::chrono::seconds(10)).value());

  // Step 4. Two 20 s naps are still running and nobody wants them:
  // terminate() kills the workers instead of waiting (lesson 09).
  pool.terminate();
  return 0;
}
