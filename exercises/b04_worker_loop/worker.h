// exercises/b04_worker_loop/worker.h: Step b04 of the build-your-own-pool
// track. One worker process that serves many tasks.
//
// Forking a process per task costs a fork, a page-table copy and an exit
// every time. A worker is forked once and then serves task after task: it
// reads a task frame from its task pipe, runs it, writes the reply frame to
// its result pipe, and reads the next, until the parent sends the stop
// message (or closes the task pipe). Worker is the parent's handle on one
// such process; ServeTasks() is the loop the process runs.
//
// Contract:
// - A Worker owns its process (a b01 Child) and the parent's ends of its
//   two pipes (b02 Fds); destroying it closes both and kills and reaps the
//   process.
// - The worker process holds its two pipe ends and stdin, stdout and stderr,
//   nothing else: every other descriptor it inherited from the parent is
//   closed before it serves. (Another worker's pipe end held by this process
//   would keep that worker's death from ever showing as end of file.)
// - A task that throws does not end the worker: the reply carries the error
//   and the worker serves the next task.
// - Start() makes the parent process ignore SIGPIPE (as Python does at
//   start-up), so that writing to a worker that has died fails with EPIPE
//   instead of killing the parent. (pool/ instead blocks SIGPIPE only in the
//   one thread that writes to workers.)
// - One job at a time: Send(), then Receive() its reply, then the next.
// - Not thread-safe: one thread uses a Worker at a time.

#ifndef EXERCISES_B04_WORKER_LOOP_WORKER_H_
#define EXERCISES_B04_WORKER_LOOP_WORKER_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <span>

#include "exercises/b01_fork_wait/child.h"
#include "exercises/b02_result_pipe/result_pipe.h"
#include "exercises/b04_worker_loop/protocol.h"

namespace bpool {

class Worker {
 public:
  // No process.
  Worker() = default;

  // Forks a worker process that runs ServeTasks() on its ends of two new
  // pipes. Throws std::system_error if a pipe or the fork cannot be made.
  static Worker Start();

  Worker(Worker&&) noexcept = default;
  Worker& operator=(Worker&&) noexcept = default;

  // Sends one task: fn, to be called on each of `items`. Does not wait for
  // the reply. Throws std::system_error if the write fails (EPIPE: the
  // worker is gone).
  void Send(Task fn, std::span<const std::int64_t> items);

  // Waits for the reply to the task sent last and returns it (kOk or
  // kTaskFailed). Returns an empty optional at end of file: the worker is
  // gone (or closed its result pipe). Throws FrameError if the reply is cut
  // short or is not a reply.
  std::optional<Outcome> Receive();

  // Sends the stop message, closes both pipes and waits for the worker to
  // exit. Use it on an idle worker (no reply outstanding); a worker that is
  // already gone is reaped all the same.
  ExitStatus Stop();

  // Kills the worker now (SIGKILL), reaps it and closes both pipes; says how
  // it ended (a worker that had already died is reported as it died). The
  // signal goes first: a worker whose task pipe is closed first may see end
  // of file and exit 0 before the signal arrives.
  ExitStatus Kill();

  // The worker's pid; -1 once stopped or killed, or for no process.
  pid_t pid() const { return process_.pid(); }
  // Whether there is a worker process that has not been reaped.
  bool running() const { return process_.running(); }
  // The parent's ends of the pipes, for poll() and for tests.
  int task_fd() const { return tasks_.get(); }
  int result_fd() const { return results_.get(); }

 private:
  // Declared first, destroyed last: the pipes are closed before the
  // process is killed and reaped.
  Child process_;
  Fd tasks_;    // Write end of the task pipe.
  Fd results_;  // Read end of the result pipe.
};

// The worker process's loop: reads task frames from `task_fd`, runs each,
// writes a reply frame to `result_fd`; returns 0 at the stop message or at
// end of file, and 2 if the parent sends something that is not a task.
int ServeTasks(int task_fd, int result_fd);

}  // namespace bpool

#endif  // EXERCISES_B04_WORKER_LOOP_WORKER_H_
