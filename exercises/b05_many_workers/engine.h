// exercises/b05_many_workers/engine.h: Step b05 of the build-your-own-pool
// track. Many workers, one loop that keeps them busy.
//
// Engine holds N b04 Workers and a queue of jobs. Step() is one turn of the
// loop every pool runs: give queued jobs to idle workers, wait with poll()
// until some worker's reply (or some other event) arrives, and hand each
// reply to its job. Each worker runs one job at a time, so the job a worker
// holds is the one its next reply answers. The caller's thread drives the
// engine; in b06 a pool's handler thread does.
//
// MapEach() is the first pool "map" of the track: one job per item, the
// results put back in input order whatever order they finish in.
//
// Contract:
// - Not thread-safe: one thread calls every method.
// - A job's `done` is called exactly once, on the thread calling Step()
//   (or Close() and Kill(), in b08), with how the job ended.
// - A worker whose result pipe reaches end of file, or sends a reply cut
//   short, is handed to HandleDeath() (step b09), which settles its job and
//   puts a new worker in its slot.
// - A job with a timeout that is still running at its deadline is handed
//   to ExpireOverdue() (step b10), which kills its worker, settles the job
//   as kTimedOut and puts a new worker in the slot: Step() waits no longer
//   than PollTimeout() says, and calls ExpireOverdue() before it returns.
// - Destroying an Engine kills and reaps every worker (their Worker
//   destructors); queued jobs are dropped without a call to `done`. Call
//   Close() or Kill() first (step b08) to settle them.

#ifndef EXERCISES_B05_MANY_WORKERS_ENGINE_H_
#define EXERCISES_B05_MANY_WORKERS_ENGINE_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "exercises/b04_worker_loop/protocol.h"
#include "exercises/b04_worker_loop/worker.h"

namespace bpool {

// One unit of work: fn over `items`, sent to one worker as one task frame.
struct Job {
  Task fn = nullptr;
  std::vector<std::int64_t> items;
  // Called once with how the job ended.
  std::function<void(Outcome)> done;
  // How long the job may run, from the moment it is sent to its worker;
  // zero: no limit. Step b10 enforces it.
  std::chrono::milliseconds timeout{0};
};

// One worker and the job it is running, if any.
struct Slot {
  Worker worker;
  std::optional<Job> job;
  // When `job` was sent to the worker: its timeout counts from here.
  std::chrono::steady_clock::time_point started;
};

class Engine {
 public:
  // Starts `workers` worker processes. Throws std::invalid_argument if
  // `workers` < 1, std::system_error if one cannot be started.
  explicit Engine(int workers);

  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Queues a job. It is sent to a worker by a later Step().
  void Submit(Job job);

  // One turn of the loop: sends queued jobs to idle workers (noting when,
  // in each slot's `started`), then, if any worker is busy or `wake_fd` >=
  // 0, waits until a reply arrives, `wake_fd` is readable or a running
  // job's deadline comes (b10's PollTimeout), settles every reply that
  // arrived, then every job past its deadline (b10's ExpireOverdue).
  // Returns at once if there is nothing to wait for. Does not read
  // `wake_fd`.
  void Step(int wake_fd = -1);

  // Whether there is no job queued and none running.
  bool idle() const;

  // The workers' pids, one per slot.
  std::vector<pid_t> pids() const;

  // The slots and the queue, for steps b08 (shutdown) and b09 (crashes).
  std::vector<Slot>& slots() { return slots_; }
  std::deque<Job>& queue() { return queue_; }

 private:
  // Sends queued jobs to idle workers, oldest job first.
  void Dispatch();
  // Reads the reply of slots_[i]'s job and settles it; hands a dead worker
  // to HandleDeath().
  void ReadReply(Slot& slot);

  std::vector<Slot> slots_;
  std::deque<Job> queue_;
};

// Runs fn on every item, one job per item, on `engine`, driving it from
// this thread; returns the results in input order. If a task fails, throws
// TaskFailed with the first failure in input order, after every job has
// ended. Requires an idle engine.
std::vector<std::int64_t> MapEach(Engine& engine, Task fn,
                                  const std::vector<std::int64_t>& items);

}  // namespace bpool

#endif  // EXERCISES_B05_MANY_WORKERS_ENGINE_H_
