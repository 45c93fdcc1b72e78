// Lesson 14: a task that never ends (beyond the article).
//
// A task stuck in a loop or in a call that never returns holds its worker:
//   1. get(timeout)        -> pool::TimeoutError: the caller stops waiting;
//                             the task runs on, and the tasks queued behind
//                             it wait too (Python does the same)
//   2. {.timeout = 200ms}  -> at the deadline the worker is killed and
//                             replaced; only that task fails, with
//                             pool::TaskTimeoutError (pebble's timeout=)
//   3. cancel()            -> a task that has not started never will;
//                             a running one is not stopped by it
//   4. resource limits     -> a task that allocates too much gets
//                             std::bad_alloc; one that spins too long is
//                             killed by the kernel (SIGXCPU)

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "lessons/common/print.h"
#include "pool/pool.h"

namespace {

using namespace std::chrono_literals;

// A flag in memory shared with the workers (mapped before any pool forks
// them): a task raises it when it starts, so the lesson knows, without a
// sleep, that the task is running.
std::atomic<int>* started = nullptr;

// def hang(x): while True: time.sleep(3600)
int Hang(int) {
  started->store(1);
  lessons::PrintLine("(", ::getpid(), ")进程正在执行: hang");
  for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
}

int Square(int x) { return x * x; }

// def nap(ms): sleeps, then returns how long it slept.
int Nap(int ms) {
  started->store(1);
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return ms;
}

// Allocates `mib` MiB and touches every page: a task that eats memory.
// (Unused under a sanitizer: see Step 4.)
[[maybe_unused]] int EatMiB(int mib) {
  std::vector<char> block(static_cast<std::size_t>(mib) << 20, 1);
  return static_cast<int>(block[block.size() / 2]) * mib;
}

// Spins on the CPU and never returns.
int Spin(int x) {
  volatile unsigned long v = static_cast<unsigned long>(x);
  for (;;) v = v * 6364136223846793005UL + 1;
}

// The address space this process maps now, from /proc/self/statm: a
// worker starts as a copy of it, so a memory limit must be above it.
[[maybe_unused]] std::size_t MappedBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  unsigned long long pages = 0;
  if (f != nullptr) {
    if (std::fscanf(f, "%llu", &pages) != 1) pages = 0;
    std::fclose(f);
  }
  return static_cast<std::size_t>(pages) *
         static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

// Waits (up to 10 s) until the pool's workers are `n`, none of them `gone`:
// a replacement is started in the background after a worker is killed.
std::vector<pid_t> WaitForWorkers(pool::Pool& pool, std::size_t n, pid_t gone) {
  std::vector<pid_t> pids;
  for (int i = 0; i < 1000; ++i) {
    pids = pool.worker_pids();
    if (pids.size() == n &&
        std::find(pids.begin(), pids.end(), gone) == pids.end()) {
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  return pids;
}

void WaitUntilStarted() {
  while (started->load() == 0) std::this_thread::sleep_for(1ms);
  started->store(0);
}

const char* YesNo(bool b) { return b ? "yes" : "no"; }

}  // namespace

int main() {
  void* shared =
      ::mmap(nullptr, sizeof(std::atomic<int>), PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) return 1;
  started = new (shared) std::atomic<int>(0);

  // Step 1. get(timeout) gives up waiting, not the task: the worker stays
  // busy, and the next task waits behind it.
  {
    pool::Pool pool(1);
    auto stuck = pool.apply_async(Hang, std::tuple{0});
    try {
      (void)stuck.get(100ms);
    } catch (const pool::TimeoutError& e) {
      lessons::PrintLine("step 1: get(100ms): TimeoutError; ready() = ",
                         stuck.ready() ? "true" : "false");
    }
    auto next = pool.apply_async(Square, std::tuple{6});
    try {
      (void)next.get(500ms);
    } catch (const pool::TimeoutError& e) {
      lessons::PrintLine(
          "step 1: apply_async(square, 6).get(500ms): TimeoutError: it is "
          "queued behind the stuck task");
    }
    // Only terminate() (or the pool's destructor) stops that worker now.
    pool.terminate();
    try {
      (void)stuck.get();
    } catch (const pool::CancelledError& e) {
      lessons::PrintLine("step 1: after terminate(): CancelledError");
    }
  }
  started->store(0);

  // Step 2. .timeout: at the deadline the worker is killed and replaced,
  // and only that task fails.
  {
    pool::Pool pool(1);
    const std::vector<pid_t> before = WaitForWorkers(pool, 1, -1);
    auto stuck = pool.apply_async(Hang, std::tuple{0}, {.timeout = 200ms});
    try {
      (void)stuck.get();
    } catch (const pool::TaskTimeoutError& e) {
      lessons::PrintLine("step 2: TaskTimeoutError: ", e.what());
      lessons::PrintLine("step 2: the killed worker was the pool's: ",
                         YesNo(!before.empty() && e.pid() == before[0]));
      const std::vector<pid_t> after = WaitForWorkers(pool, 1, e.pid());
      lessons::PrintLine("step 2: a new worker took its place: ",
                         YesNo(after.size() == 1 && after[0] != e.pid()));
    }
    lessons::PrintLine("step 2: apply(square, 6) = ", pool.apply(Square, 6));
    // In a map the task is a chunk: chunksize 1 makes each item its own.
    auto it = pool.imap(Nap, std::vector<int>{10, 5000, 20},
                        {.chunksize = 1, .timeout = 1s});
    for (int i = 0;; ++i) {
      try {
        auto value = it.next();
        if (!value) break;
        lessons::PrintLine("step 2: imap(nap) item ", i, " = ", *value);
      } catch (const pool::TaskTimeoutError& e) {
        lessons::PrintLine(
            "step 2: imap(nap) item ", i, ": TaskTimeoutError after ",
            std::chrono::duration_cast<std::chrono::seconds>(e.timeout())
                .count(),
            " s");
      }
    }
    pool.close();
    pool.join();
  }
  started->store(0);

  // Step 3. cancel(): true for a task that has not started (it never will),
  // false for one that is running (only its .timeout can stop it).
  {
    pool::Pool pool(1);
    auto running = pool.apply_async(Nap, std::tuple{300});
    WaitUntilStarted();
    auto waiting = pool.apply_async(Square, std::tuple{7});
    lessons::PrintLine("step 3: cancel() on the queued task: ",
                       waiting.cancel() ? "true" : "false");
    try {
      (void)waiting.get();
    } catch (const pool::CancelledError& e) {
      lessons::PrintLine("step 3: its get(): CancelledError");
    }
    lessons::PrintLine("step 3: cancel() on the running task: ",
                       running.cancel() ? "true" : "false");
    lessons::PrintLine("step 3: its get() = ", running.get());
    pool.close();
    pool.join();
  }

  // Step 4. Resource limits: each worker gets them with setrlimit() before
  // its first task. (ASan and TSan map terabytes of shadow memory, so no
  // address-space limit can work under them.)
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  lessons::PrintLine("step 4: memory_limit: not run under a sanitizer");
#else
  {
    // 256 MiB more than this process maps: room for ordinary tasks.
    pool::Pool pool(pool::Options{.processes = 1,
                                  .memory_limit = MappedBytes() + (256 << 20)});
    const std::vector<pid_t> before = WaitForWorkers(pool, 1, -1);
    try {
      (void)pool.apply(EatMiB, 1024);
    } catch (const pool::TaskError& e) {
      lessons::PrintLine("step 4: apply(eat, 1024 MiB): TaskError: ", e.what());
    }
    lessons::PrintLine("step 4: apply(eat, 16 MiB) = ", pool.apply(EatMiB, 16),
                       "; same worker: ", YesNo(pool.worker_pids() == before));
    pool.close();
    pool.join();
  }
#endif
  {
    pool::Pool pool(pool::Options{.processes = 1, .cpu_time_limit = 1s});
    try {
      (void)pool.apply(Spin, 1);
    } catch (const pool::WorkerDiedError& e) {
      lessons::PrintLine("step 4: apply(spin): WorkerDiedError: ", e.what());
    }
    lessons::PrintLine("step 4: apply(square, 6) = ", pool.apply(Square, 6));
    pool.close();
    pool.join();
  }
  ::munmap(shared, sizeof(std::atomic<int>));
  return 0;
}
