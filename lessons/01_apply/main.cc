// Lesson 01: apply, the blocking submit.
//
// apply(func, args) sends one call to a worker process and waits for its
// result, like calling the function yourself, except that it runs in
// another process.

#include <unistd.h>

#include <chrono>
#include <thread>

#include "lessons/common/print.h"
#include "pool/pool.h"

namespace {

// def square(x):
int Square(int x) {
  lessons::PrintLine("(", ::getpid(), ")进程正在执行,参数为: ", x);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  return x * x;
}

// def add(a, b):
int Add(int a, int b) { return a + b; }

}  // namespace

int main() {
  // Step 1. with Pool(4) as pool:
  pool::Pool pool(4);
  const pid_t me = ::getpid();

  // Step 2. apply blocks: the line after it runs only once the worker has
  // finished and the result has come back through the pipe.
  lessons::PrintLine("(", me, ")主进程: calling apply(square, (7,))");
  int r = pool.apply(Square, 7);  // r = pool.apply(square, (7,))
  lessons::PrintLine("(", me, ")主进程: apply returned ", r);

  // Step 3. Several arguments: apply(add, (2, 3)). Both spellings work.
  lessons::PrintLine("(", me, ")主进程: add(2, 3) = ", pool.apply(Add, 2, 3));
  lessons::PrintLine(
      "(", me, ")主进程: add(2, 3) = ", pool.apply(Add, std::tuple{2, 3}));

  // Step 4. One worker at a time: apply never runs two tasks in parallel,
  // however many workers there are, because each call waits.
  const auto start = std::chrono::steady_clock::now();
  int total = 0;
  for (int x : {1, 2, 3}) total += pool.apply(Square, x);
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  lessons::PrintLine("(", me, ")主进程: three applies in a row: ", total,
                     ", took about ", static_cast<int>(seconds * 10) / 10.0,
                     " s");
  return 0;
}
