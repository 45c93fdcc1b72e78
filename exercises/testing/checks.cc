#include "exercises/testing/checks.h"

#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "exercises/testing/explain.h"
#include "exercises/testing/gate.h"

namespace exercises::testing {

namespace {

std::string Join(const std::vector<pid_t>& pids) {
  std::ostringstream out;
  for (std::size_t i = 0; i < pids.size(); ++i) {
    out << (i ? ", " : "") << pids[i];
  }
  return out.str();
}

}  // namespace

::testing::AssertionResult RanInWorkers(const std::string& what,
                                        const std::vector<long long>& pids,
                                        const std::vector<pid_t>& workers) {
  const long long self = ::getpid();
  std::size_t here = 0, elsewhere = 0;
  long long stranger = 0;
  for (long long pid : pids) {
    if (pid == self) {
      ++here;
    } else if (std::find(workers.begin(), workers.end(), pid) ==
               workers.end()) {
      ++elsewhere;
      stranger = pid;
    }
  }
  if (here == 0 && elsewhere == 0) return ::testing::AssertionSuccess();
  ::testing::AssertionResult failure = ::testing::AssertionFailure();
  failure << what
          << Explain(
                 " must run the tasks in the worker processes of the pool it "
                 "was given (pids ",
                 " 必须在传给它的那个进程池的工作进程中执行任务(这些工作进程的 "
                 "pid:")
          << Join(workers) << Explain(").", ")。");
  if (here > 0) {
    failure
        << "\n  " << here << Explain(" of ", " 个任务(共 ") << pids.size()
        << Explain(" tasks ran in this test's own process (pid ",
                   " 个)在本测试自己的进程中执行(pid ")
        << self
        << Explain(
               "): the function was called directly, in a loop, or on a "
               "thread (std::thread, std::async, a ThreadPool). Submit the "
               "work through the pool instead.",
               ")：函数被直接调用了，在循环中，或在线程中(std::thread、std::"
               "async、ThreadPool)。请改为通过进程池提交工作。");
  }
  if (elsewhere > 0) {
    failure << "\n  " << elsewhere << Explain(" of ", " 个任务(共 ")
            << pids.size() << Explain(" tasks ran in process ", " 个)在进程 ")
            << stranger
            << Explain(
                   ", which is not one of that pool's workers: use the pool "
                   "passed in, not a pool of your own.",
                   " 中执行，它不是那个进程池的工作进程：请使用传进来的进程池，"
                   "而不是自己建的。");
  }
  return failure;
}

::testing::AssertionResult RanInAWorker(const std::string& what, long long pid,
                                        const std::vector<pid_t>& workers) {
  return RanInWorkers(what, std::vector<long long>{pid}, workers);
}

::testing::AssertionResult NobodyGaveUp(bool gave_up,
                                        const std::string& waited_for,
                                        const std::string& meaning) {
  if (!gave_up) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << Explain("A task waited ", "一个任务等待了 ") << kGuard.count()
         << Explain(" s for ", " 秒，等的是 ") << waited_for
         << Explain(" and gave up. ", "，然后放弃了。") << meaning;
}

}  // namespace exercises::testing
