// Lesson 05: imap, the lazy map.
//
// imap returns an iterator at once. Each result can be consumed as soon as
// it, and every result before it, is ready: the results come out in input
// order, one at a time, while later items are still running.

#include <unistd.h>

#include <chrono>
#include <ranges>
#include <thread>
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

int Square(int x) { return x * x; }

// How many items the pool has read from the endless input of Step 3. The
// input is read in the parent, so a plain global will do.
int items_read = 0;

}  // namespace

int main() {
  pool::Pool pool(4);
  const pid_t me = ::getpid();

  // Step 1. Lazy: the loop body runs as each result arrives, not after all
  // of them (that would be map). The first result is printed while the
  // slower items are still running.
  lessons::PrintLine("(", me, ")主进程: imap(slow_square, [1, 2, 3, 4])");
  for (int r : pool.imap(SlowSquare, std::vector<int>{1, 2, 3, 4})) {
    lessons::PrintLine("(", me, ")主进程: got ", r);
  }

  // Step 2. In input order: item 4 finishes last, yet its result comes out
  // first, because it was first in the input. The others wait for it.
  lessons::PrintLine("(", me, ")主进程: imap(slow_square, [4, 1, 3, 2])");
  for (int r : pool.imap(SlowSquare, std::vector<int>{4, 1, 3, 2})) {
    lessons::PrintLine("(", me, ")主进程: got ", r);
  }

  // Step 3. An endless input. The pool reads the input only a bounded
  // window ahead of what you have consumed (`buffersize` chunks; here 8),
  // so taking the first five results of 1, 2, 3, ... works. (Advanced aside:
  // CPython 3.11's imap reads its input as fast as it can, however far ahead of
  // the consumer; see the README.)
  auto numbers = std::views::iota(1) | std::views::transform([](int i) {
                   ++items_read;
                   return i;
                 });
  lessons::PrintLine("(", me, ")主进程: imap(square, itertools.count(1))");
  int taken = 0;
  for (int r : pool.imap(Square, numbers, {.chunksize = 1, .buffersize = 8})) {
    lessons::PrintLine("(", me, ")主进程: got ", r);
    if (++taken == 5) break;
  }
  lessons::PrintLine("(", me, ")主进程: input items read: ", items_read);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  lessons::PrintLine("(", me,
                     ")主进程: input items read a second later: ", items_read);

  pool.close();
  pool.join();
  return 0;
}
