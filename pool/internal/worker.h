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

struct WorkerConfig {
  std::function<void()> initializer;  // may be empty
  int maxtasksperchild = 0;           // 0: unlimited
  // Tracing is on (trace.h): the worker stamps each task's start and end
  // (CLOCK_MONOTONIC) and appends them to its reply, after the body wire.h
  // describes, as two i64 nanosecond counts.
  bool trace = false;
};

// One per worker, in memory shared (MAP_SHARED, mapped before the fork
// server is forked) by the parent and the worker. The worker numbers the
// tasks it receives 1, 2, 3, ... and stores in `started`, with a plain
// memory write (no system call), the number of the task it is about to
// call. The parent reads it only after the worker died: a task is blamed
// for a death only if the worker really started it. It has a cache line of
// its own, which the parent does not touch while the worker lives.
struct WorkerSlot {
  alignas(64) std::atomic<std::uint64_t> started{0};
  // With tracing on: when it started that task (MonotonicNs), stored before
  // `started`, so that a task killed mid-run is drawn from its real start.
  std::atomic<std::int64_t> started_ns{0};
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
