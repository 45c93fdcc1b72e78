// Lesson 04: map_async, with callback and error_callback.
//
// map_async is map without the wait: it returns a MapResult at once. When
// every item is done, the pool calls `callback` with the whole list of
// results, or `error_callback` with the error if any item failed.

#include <unistd.h>

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "lessons/common/print.h"
#include "pool/pool.h"

namespace {

// def square(x):
int Square(int x) {
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return x * x;
}

// def check(x): raises for 3.
int Check(int x) {
  if (x == 3) throw std::invalid_argument("3 is unlucky");
  return x;
}

std::string Join(const std::vector<int>& v) {
  std::ostringstream out;
  out << "[";
  for (std::size_t i = 0; i < v.size(); ++i) out << (i ? ", " : "") << v[i];
  out << "]";
  return out.str();
}

}  // namespace

int main() {
  pool::Pool pool(4);
  const pid_t me = ::getpid();
  const std::vector<int> xs = {0, 1, 2, 3, 4, 5, 6, 7};

  // Step 1. Submit with a callback. The callback runs in the parent (in
  // the pool's handler thread), so unlike a task it may capture anything;
  // it prints the pid to show whose process it runs in.
  pool::MapResult<int> r = pool.map_async(
      Square, xs, {.callback = [me](const std::vector<int>& results) {
        lessons::PrintLine("(", ::getpid(), ")callback: ", Join(results),
                           ::getpid() == me ? "  [in the main process]" : "");
      }});

  // Step 2. map_async returned at once; the parent is free to do other
  // work meanwhile. ready() is almost surely false this early (eight
  // 100 ms tasks on four workers take about 200 ms).
  lessons::PrintLine("(", me, ")主进程: map_async returned, ready() = ",
                     r.ready() ? "true" : "false");

  // Step 3. get() waits, then returns the list in input order. The callback
  // has already run by then: a result is published after its callback.
  lessons::PrintLine("(", me, ")主进程: get() = ", Join(r.get()));

  // Step 4. A failing task and an error_callback. The whole map fails with
  // the error of the lowest failing index; the other items still run.
  pool::MapResult<int> bad = pool.map_async(
      Check, xs, {.error_callback = [](const pool::Error& e) {
        lessons::PrintLine("(", ::getpid(), ")error_callback: ", e.what());
      }});
  bad.wait();
  lessons::PrintLine(
      "(", me, ")主进程: successful() = ", bad.successful() ? "true" : "false");
  try {
    bad.get();
  } catch (const pool::TaskError& e) {
    lessons::PrintLine("(", me, ")主进程: get() threw ", e.type_name(), ": ",
                       e.message());
  }

  pool.close();
  pool.join();
  return 0;
}
