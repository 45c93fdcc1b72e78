// pool/internal/process_engine.h: the parent's side of a process pool.
//
// ProcessEngine owns the fork server (ForkServer, fork_server.h), one
// WorkerChannel per worker and the handler thread. It takes encoded chunks
// (ProcessJob) from any thread and schedules them onto the channels; the
// channels do the I/O. process_engine.cc describes the handler loop and the
// lending of idle channels to apply(); pool/README.md ("Shutdown") describes
// the shutdown sequence.
//
// Thread safety: every public method may be called from any thread.
// Callbacks run on the handler thread (see pool.h).

#ifndef POOL_INTERNAL_PROCESS_ENGINE_H_
#define POOL_INTERNAL_PROCESS_ENGINE_H_

#include <poll.h>
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "pool/internal/fd.h"
#include "pool/internal/fork_server.h"
#include "pool/internal/job.h"
#include "pool/internal/trace.h"
#include "pool/internal/worker.h"
#include "pool/internal/worker_channel.h"

namespace pool::internal {

class ProcessEngine {
 public:
  // Starts the fork server and `processes` workers, and waits until each has
  // run `config.initializer` (when there is one). Throws SystemError if a
  // pipe or fork fails and InitializerError if an initializer fails; in
  // both cases every process already started has been stopped and reaped.
  // `trace`: Options::trace (see pool.h; empty: $POOL_TRACE, or none).
  ProcessEngine(int processes, WorkerConfig config,
                const std::string& trace = {});
  // terminate() then join(): see pool.h.
  ~ProcessEngine();

  ProcessEngine(const ProcessEngine&) = delete;
  ProcessEngine& operator=(const ProcessEngine&) = delete;

  // Queues jobs for the workers, in order. Throws UsageError("Pool not
  // running") after close() or terminate(), and the pool's error once it is
  // broken (see process_engine.cc); then no job was queued.
  void Submit(std::vector<std::unique_ptr<ProcessJob>> jobs);
  void Submit(std::unique_ptr<ProcessJob> job);
  // For a blocking call (apply()): runs `job` from the calling thread on an
  // idle worker, if one is idle and nothing is queued, without a trip
  // through the handler thread; otherwise queues it as Submit does. Returns
  // once the job is resolved, or once it is back in the handler thread's
  // hands (its worker died, terminate() was called): the caller then waits
  // for its result as for any job. Throws as Submit does. Must not be called
  // on the handler thread.
  void Apply(std::unique_ptr<ProcessJob> job);

  void Close();
  void Terminate() { Terminate("terminate()"); }
  void Join();

  int processes() const { return processes_; }
  // The pids of the live workers, in no particular order.
  std::vector<pid_t> WorkerPids() const;
  // True on the handler thread, which runs callbacks.
  bool OnHandlerThread() const {
    return std::this_thread::get_id() == handler_.get_id();
  }

 private:
  using Clock = std::chrono::steady_clock;
  enum class State { kRun, kClose, kTerminate };

  // A channel a lending thread gave back, and the exit status the fork
  // server reported for its worker meanwhile, if any.
  struct Returned {
    WorkerChannel* channel;
    std::optional<int> exit_status;
  };

  // Terminate(), marked `why` in the trace.
  void Terminate(const char* why);
  void Run();
  void Step(State state);
  void CheckRunningLocked() const;
  // Gives `job` its id (and records its submission, from `submit_ns`).
  void NumberLocked(ProcessJob& job, std::int64_t submit_ns);
  void QueueLocked(std::unique_ptr<ProcessJob> job, std::int64_t submit_ns);
  void WakeHandlerLocked();
  bool RunOnLoan(WorkerChannel& channel, std::unique_ptr<ProcessJob>& job);
  void GiveBack(WorkerChannel* channel, bool idle,
                std::unique_ptr<ProcessJob> unsent);
  void ReclaimLocked(std::vector<Returned>& returned);
  void SettleReturned(std::vector<Returned>& returned);
  void AwaitLoans();
  void OnWorkerExit(WorkerChannel* channel, int wait_status);
  void OnRead(const WorkerChannel::ReadResult& r);
  void Replenish();
  void HandleServerMessage();
  void OnSpawnFailure(std::exception_ptr error);
  void ServerDied();
  void Dispatch();
  void SettleDeparted();
  void Broken(std::exception_ptr error);
  void Shutdown(std::exception_ptr cancel);
  void PublishPids();

  const int processes_;
  // Null unless tracing is on (trace.h); then every hook records into it.
  const std::shared_ptr<Trace> trace_;
  const int trace_pool_;
  const WorkerConfig config_;
  const std::uint64_t max_frame_;

  // Shared with submitting threads; guarded by mu_.
  mutable std::mutex mu_;
  State state_ = State::kRun;
  std::vector<std::unique_ptr<ProcessJob>> incoming_;
  std::uint64_t next_id_ = 1;
  bool handler_polling_ = false;  // The handler is (about to be) in poll().
  bool wake_sent_ = false;
  // Lending (process_engine.cc): idle channels on offer while the handler
  // polls, how many are lent out, those given back for the handler to look
  // at, and exits reported for workers whose channel was away.
  std::vector<WorkerChannel*> idle_;
  int lent_ = 0;
  std::vector<WorkerChannel*> returned_;
  std::vector<std::pair<pid_t, int>> away_exits_;
  std::condition_variable lent_cv_;  // lent_ dropped to 0.
  std::vector<pid_t> pids_;
  bool started_ = false;              // Every first worker was ready once.
  std::exception_ptr broken_;         // Set when the pool can never work again.
  std::condition_variable ready_cv_;  // PublishPids, Broken.

  // Owned by the handler thread (and by the constructor before it starts).
  std::optional<ForkServer> server_;
  Pipe wake_;
  // Readable from terminate() on, or once the pool is broken: tells a
  // thread that holds a lent channel to give it back. Never drained.
  UniqueFd stop_;
  std::vector<std::unique_ptr<WorkerChannel>> channels_;
  std::deque<std::unique_ptr<ProcessJob>> pending_;
  std::vector<int> free_slots_;
  int spawns_requested_ = 0;
  // After a worker could not be started: the error, when to try again, and
  // how long to wait after the next failure.
  std::exception_ptr spawn_error_;
  Clock::time_point retry_at_;
  std::chrono::milliseconds backoff_{0};
  double task_us_ = 1000;  // Running estimate of one task's duration (µs).
  std::vector<pollfd> poll_fds_;
  std::vector<int> poll_index_;
  std::vector<WorkerChannel*> offer_;  // Idle channels to offer (Step).

  std::mutex join_mu_;
  std::thread handler_;
};

}  // namespace pool::internal

#endif  // POOL_INTERNAL_PROCESS_ENGINE_H_
