// pool/internal/process_engine.h: the parent's side of a process pool.
//
// ProcessEngine is the scheduler. It owns the fork server (fork_server.h),
// one WorkerChannel per worker (worker_channel.h), which does that worker's
// I/O, and the handler thread; it takes encoded jobs (ProcessJob, job.h)
// from any thread and hands them to the channels. A blocking apply() may
// instead borrow an idle channel (lender.h). pool/README.md describes the
// data path and the shutdown sequence; process_engine.cc lists the steps of
// the latter (kCloseSteps, kTerminateSteps) and carries them out.
//
// Threads: user threads call the public methods; the handler thread does
// all the rest. They share only what mu_ guards. Everything else belongs to
// the handler thread alone (to the constructor before it starts), except a
// channel away on loan, so the I/O path takes no lock.
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
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "pool/internal/fd.h"
#include "pool/internal/fork_server.h"
#include "pool/internal/job.h"
#include "pool/internal/lender.h"
#include "pool/internal/restart_backoff.h"
#include "pool/internal/trace.h"
#include "pool/internal/worker.h"
#include "pool/internal/worker_channel.h"

namespace pool::internal {

class ProcessEngine {
 public:
  // Starts the fork server and `processes` workers (at least 1: pool.h
  // checked it), and waits until each has
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
  // broken (a failed initializer, a dead fork server); then no job was
  // queued.
  void Submit(std::vector<std::unique_ptr<ProcessJob>> jobs);
  void Submit(std::unique_ptr<ProcessJob> job);
  // What the sinks of this pool's results are made with (job.h): cancel()
  // wakes the handler through it, which then drops the cancelled jobs.
  const std::shared_ptr<CancelWaker>& cancel_waker() const {
    return cancel_waker_;
  }
  // For a blocking call (apply()): runs `job` from the calling thread on an
  // idle worker, if one is on offer and nothing is queued (lender.h);
  // otherwise queues it as Submit does. Returns once the job is resolved,
  // or once it is back in the handler thread's hands (its worker died,
  // terminate() was called): the caller then waits for its result as for
  // any job. Throws as Submit does. Must not be called on the handler
  // thread.
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
  // The steps of shutdown, and the two sequences of them (close(), and
  // terminate()): process_engine.cc.
  enum class StopStep;
  static const StopStep kCloseSteps[];
  static const StopStep kTerminateSteps[];

  // Terminate(), marked `why` in the trace.
  void Terminate(const char* why);

  // Submitting threads, with mu_ held.
  void CheckRunningLocked() const;
  // Gives `job` its id. Returns what the caller records in the trace
  // (when tracing) once it has let go of mu_.
  Trace::NewTask NumberLocked(ProcessJob& job);
  Trace::NewTask QueueLocked(std::unique_ptr<ProcessJob> job);
  void WakeHandlerLocked();

  // The handler thread: its loop, one round of serving, and shutdown.
  void Run();
  void Serve(State state);
  int PreparePoll(bool lend, const std::optional<Clock::time_point>& deadline);
  void ActOnPoll(bool deadline_due);
  std::optional<Clock::time_point> NextDeadline(bool replenishing) const;
  bool Stop(std::span<const StopStep> steps, const std::exception_ptr& cancel);
  bool TakeStep(StopStep step, const std::exception_ptr& cancel);

  // The handler thread: workers.
  void Replenish();
  void OnServerEvent(ServerEvent event);
  void AddWorker(WorkerStarted& started);
  void OnSpawnFailure(std::exception_ptr error);
  void OnWorkerExit(WorkerChannel* channel, int wait_status);
  void OnRead(const WorkerChannel::ReadResult& r);
  void StopTasksPastDeadline();
  void SettleReturned(std::vector<Lender::Returned>& returned);
  void ServerDied();
  void Dispatch();
  void DropCancelled();
  void FailPending(const std::exception_ptr& error);
  void Broken(std::exception_ptr error);
  std::exception_ptr BrokenError() const;
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
  bool cancelled_ = false;  // cancel() cancelled a job since the last sweep.
  Lender lender_;           // Its ...Locked methods too.
  std::vector<pid_t> pids_;
  bool started_ = false;              // Every first worker was ready once.
  std::exception_ptr broken_;         // Set when the pool can never work again.
  std::condition_variable ready_cv_;  // PublishPids, Broken.

  // cancel_waker(): sets cancelled_ and wakes the handler, which then drops
  // the cancelled jobs (DropCancelled).
  const std::shared_ptr<CancelWaker> cancel_waker_;

  // Owned by the handler thread (and by the constructor before it starts).
  std::optional<ForkServer> server_;
  Pipe wake_;
  std::vector<std::unique_ptr<WorkerChannel>> channels_;
  std::deque<std::unique_ptr<ProcessJob>> pending_;
  std::vector<int> free_slots_;
  int spawns_requested_ = 0;
  RestartBackoff backoff_;
  double task_us_ = 1000;  // Running estimate of one task's duration (µs).
  // The poll() set, rebuilt each round without allocating: the wake-up
  // pipe, the fork server's socket, then each channel's entries from
  // poll_index_[i]; and the idle channels offered for lending instead.
  std::vector<pollfd> poll_fds_;
  std::vector<int> poll_index_;
  std::vector<WorkerChannel*> offer_;

  std::mutex join_mu_;
  std::thread handler_;
};

}  // namespace pool::internal

#endif  // POOL_INTERNAL_PROCESS_ENGINE_H_
