// pool/internal/worker.h: the worker, the process that runs tasks, and what
// it shares with the parent.
//
// Workers are forked by the fork server (fork_server.h). pool/README.md
// describes the data path a worker is part of ("The life of a task") and
// what happens when one dies; wire.h is the layout of its frames.

#ifndef POOL_INTERNAL_WORKER_H_
#define POOL_INTERNAL_WORKER_H_

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "pool/internal/fd.h"

namespace pool::internal {

// Options::memory_limit and cpu_time_limit (pool.h); 0: none. Applied by
// LimitMemory and CpuBudget (worker.cc) in each worker, before its
// initializer.
struct WorkerLimits {
  std::uint64_t memory_bytes = 0;  // RLIMIT_AS
  std::int64_t cpu_seconds = 0;    // RLIMIT_CPU, per task
};

struct WorkerConfig {
  std::function<void()> initializer;  // may be empty
  int maxtasksperchild = 0;           // 0: unlimited
  WorkerLimits limits{};
  // Tracing is on (trace.h): the worker appends each task's start (the
  // WorkerSlot's `started_at`) and end (CLOCK_MONOTONIC) to its reply, after
  // the body wire.h describes, as two i64 nanosecond counts.
  bool trace = false;
};

// One per worker, in memory shared (MAP_SHARED, mapped before the fork
// server is forked) by the parent and the worker. The worker numbers the
// tasks it receives 1, 2, 3, ... Before it calls task n it stores the time
// in `started_at` and moves `started` from n - 1 to n, with a
// compare-and-swap in memory (no system call). The parent reads `started`
// after the worker died: a task is blamed for a death only if the worker
// really started it. While the worker lives the parent reads the slot only
// for a task with a timeout (the deadline is `started_at` + timeout), and
// writes it only to stop the worker at that deadline: it sets kStopped in
// `started` with a compare-and-swap of its own, then SIGKILLs the worker.
// The two swaps decide, once, whether task n ran past its deadline (the
// parent's swap came first: the worker, if it finished task n, starts no
// other task and waits for its SIGKILL) or finished in time (the worker's
// swap to n + 1 came first: the parent leaves it alone). It has a cache
// line of its own.
struct WorkerSlot {
  // Set in `started` by the parent: stop before the next task.
  static constexpr std::uint64_t kStopped = std::uint64_t{1} << 63;
  alignas(64) std::atomic<std::uint64_t> started{0};
  // CLOCK_MONOTONIC (std::chrono::steady_clock), in nanoseconds.
  std::atomic<std::int64_t> started_at{0};
};

// The parent's fds of one worker, as the fork server hands them over
// (fork_server.h) and its WorkerChannel keeps them (worker_channel.h).
struct WorkerFds {
  UniqueFd pidfd;        // The worker's pidfd: the only way to signal it.
  UniqueFd task_write;   // Task pipe, write end: parent -> worker.
  UniqueFd task_read;    // Task pipe, a second read end, never read.
  UniqueFd result_read;  // Result pipe, read end: worker -> parent.
};

// What the fork server hands each worker besides its pipes.
struct WorkerSetup {
  pid_t server;             // The fork server's pid (the worker's parent).
  WorkerSlot* slot;         // The worker's WorkerSlot.
  std::uint64_t reply_key;  // For ReplyCheck (wire.h).
};

// Runs a worker in the calling (just-forked) process; never returns. The
// worker keeps stdin, stdout, stderr and its two pipe ends, which it moves
// to fds 3 (`task_fd`) and 4 (`result_fd`); every other fd is closed.
[[noreturn]] void RunWorker(int task_fd, int result_fd,
                            const WorkerSetup& setup,
                            const WorkerConfig& config);

}  // namespace pool::internal

#endif  // POOL_INTERNAL_WORKER_H_
