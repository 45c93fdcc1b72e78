// Lesson 02: apply_async, the article's first program.
//
// A pool of 4 worker processes (进程池); `Action` is submitted three times,
// each time passing its argument differently, then the pool is closed and
// joined. Each task prints its pid and its argument, then sleeps 3 s. The
// three sleeps overlap, because three different workers run them.
//
//   bazel-bin/lessons/02_apply_async/02_apply_async [--sleep_ms=3000]

#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <tuple>

#include "lessons/common/print.h"
#include "pool/pool.h"

namespace {

// How long each task sleeps. The article's 3 s unless --sleep_ms says
// otherwise (the test shortens it). A worker is a fork of this process made
// when the Pool is constructed, so it sees the value main() set before that.
long sleep_ms = 3000;

// def action(name='default'):
void Action(std::string name = "default") {
  // print('(%s)进程正在执行,参数为: %s' % (os.getpid(), name))
  lessons::PrintLine("(", ::getpid(), ")进程正在执行,参数为: ", name);
  // time.sleep(3)
  std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
}

}  // namespace

int main(int argc, char** argv) {
  sleep_ms = lessons::IntFlag(argc, argv, "sleep_ms", sleep_ms);

  // Step 1. Create a pool of 4 worker processes (创建包含4条进程的进程池).
  // pool = multiprocessing.Pool(processes=4)
  pool::Pool pool(4);

  // Step 2. Submit Action three times (将action分3次提交给进程池).
  // apply_async returns at once with a handle to the future result.
  //
  // pool.apply_async(action): no argument, so the default one is used. A
  // function pointer forgets C++ default arguments, so the task is a
  // captureless lambda that calls Action() and lets the compiler fill it in.
  auto r1 = pool.apply_async([] { Action(); });
  // pool.apply_async(action, args=('位置参数', )): a positional argument.
  // Python's one-element tuple becomes a std::tuple.
  auto r2 = pool.apply_async(Action, std::tuple{std::string("位置参数")});
  // pool.apply_async(action, kwds={'name': '关键字参数'}): C++ has no
  // keyword arguments. The argument is passed by position; the comment
  // names the parameter, the convention that clang-tidy's
  // bugprone-argument-comment checks.
  auto r3 =
      pool.apply_async(Action, std::tuple{/*name=*/std::string("关键字参数")});

  // Step 3. No more tasks; wait until the queued ones have run and the
  // workers have exited.
  // pool.close()
  // pool.join()
  pool.close();
  pool.join();

  // Step 4 (not in the article). Python never looks at the three results,
  // so an exception inside `action` would vanish without a trace. get()
  // returns at once here (join() has waited) and rethrows a task's error.
  r1.get();
  r2.get();
  r3.get();
  return 0;
}
