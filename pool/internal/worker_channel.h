// pool/internal/worker_channel.h: the parent's side of one worker.
//
// A WorkerChannel is the one owner of everything the parent holds for one
// worker process: a pidfd of it (the only way the parent signals a worker:
// a pidfd never hits another process, even after the pid was reused), the
// write end of its task pipe, the read end of its result pipe, the bytes in
// transit both ways, the jobs in flight on it and, once the fork server
// reports its exit status, the settlement of its death. Its destructor
// SIGKILLs the worker unless its exit was already reported; the fork server
// reaps it.
//
// It also holds a second read end of the task pipe, which it never reads:
// while the channel exists the pipe has a reader, so writing to it after
// the worker died never raises SIGPIPE in the writing thread (which may be
// a thread of the program, in apply(): see lender.h). Such a write
// fills the pipe instead; the worker's exit status, not EPIPE, is how the
// parent learns of the death.
//
// One thread at a time uses a channel: the handler thread of its
// ProcessEngine, or a thread in apply() to which the engine has lent it
// (lender.h). The engine's mutex orders the hand-overs.

#ifndef POOL_INTERNAL_WORKER_CHANNEL_H_
#define POOL_INTERNAL_WORKER_CHANNEL_H_

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "pool/internal/fd.h"
#include "pool/internal/job.h"
#include "pool/internal/trace.h"
#include "pool/internal/wire.h"
#include "pool/internal/worker.h"

namespace pool::internal {

class WorkerChannel {
 public:
  using Clock = std::chrono::steady_clock;

  // What a channel is made of: the worker, the parent's fds of it, and the
  // pool's settings its frames are checked against.
  struct Setup {
    pid_t pid;
    WorkerFds fds;  // Its pipe ends are made non-blocking here.
    WorkerSlot* slot;
    int slot_index;
    bool ready;               // No initializer: no "ready" frame to wait for.
    std::uint64_t max_frame;  // The largest frame body the parent accepts.
    std::uint64_t reply_key;  // The pool's key for ReplyCheck (wire.h).
  };

  // What a Read() or SettleExit() found that the engine acts on.
  struct ReadResult {
    bool became_ready = false;      // The initializer succeeded.
    std::exception_ptr init_error;  // The initializer failed.
    // Replies received, and the sum of how long their tasks took (µs),
    // counted from when the worker could start each: it had been sent and
    // the worker had answered the one before.
    int replies = 0;
    double task_us = 0;
  };

  explicit WorkerChannel(Setup setup);
  ~WorkerChannel();

  WorkerChannel(const WorkerChannel&) = delete;
  WorkerChannel& operator=(const WorkerChannel&) = delete;

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }
  int slot_index() const { return slot_index_; }
  // Its initializer (if any) succeeded, and it is not known to be gone.
  bool serving() const { return ready_ && !exited_ && !killed_; }
  bool ready() const { return ready_; }
  bool exited() const { return exited_; }
  std::size_t in_flight() const { return in_flight_.size(); }
  int tasks_given() const { return tasks_given_; }
  // Whether a job may be pushed: serving, its task pipe open, and fewer
  // than `depth` jobs in flight.
  bool Accepts(std::size_t depth) const {
    return serving() && to_.valid() && !stop_sent_ && in_flight_.size() < depth;
  }
  // Whether it is idle and could take one more task under a
  // maxtasksperchild of `quota` (0: none): nothing in flight, both pipes
  // open, nothing wrong seen.
  bool Idle(int quota) const {
    return Accepts(1) && from_.valid() && !eof_deadline_ &&
           (quota <= 0 || tasks_given_ < quota);
  }
  // The engine's record that the channel is out of the handler thread's
  // hands (lent, or offered for lending). Only the handler thread uses it.
  bool away() const { return away_; }
  void set_away(bool away) { away_ = away; }
  // Tracing is on: each reply ends with the worker's stamps (worker.h),
  // and what the channel sees goes to `trace` as pool number `pool`.
  void set_trace(Trace* trace, int pool) {
    trace_ = trace;
    trace_pool_ = pool;
  }

  // Queues a job for the worker; Write() sends it.
  void Push(std::unique_ptr<ProcessJob> job);
  // The fds to poll: the result pipe while it is open (POLLIN), the task
  // pipe while there is something to write (POLLOUT); -1 otherwise.
  int poll_in_fd() const { return from_.get(); }
  int poll_out_fd() const {
    return to_.valid() && sent_ < in_flight_.size() ? to_.get() : -1;
  }
  // Writes as much of the queued frames as the pipe takes.
  void Write();
  // Reads what arrived and handles every whole frame: completes jobs (this
  // runs their callbacks). Reads until the pipe is empty, or with
  // `until_answered` until nothing is in flight any more.
  ReadResult Read(bool until_answered = false);
  // close(): asks the idle worker to exit.
  void SendStop();
  bool stop_sent() const { return stop_sent_; }

  // End of file on the result pipe while the worker has not been reported
  // dead: either it is exiting right now, or it broke the protocol (its fd
  // 4 was closed or replaced). The engine gives it until this deadline to
  // be reported dead, then calls BreakProtocol().
  const std::optional<Clock::time_point>& eof_deadline() const {
    return eof_deadline_;
  }
  // The worker cannot be trusted with more work: SIGKILL it. `why` says
  // what it did; if `blame_running`, the task it was running fails with a
  // ProtocolError saying so, else (the culprit is a task already answered)
  // no task fails for it.
  void BreakProtocol(const std::string& why, bool blame_running = true);
  // The job it was running fails with `error` (a reply that cannot be
  // received) and the worker is killed.
  void FailRunning(std::exception_ptr error);

  // Timeouts (pool.h, "Timeouts"). Whether the oldest job in flight was
  // sent with a timeout, and the worker has not been stopped for it yet.
  bool timed() const {
    return sent_ > 0 && timed_out_seq_ == 0 && !killed_ && !exited_ &&
           in_flight_.front()->timeout() != std::chrono::nanoseconds::zero();
  }
  // When the parent must look at this
  // worker again for the deadline of the job it runs: that job's start
  // (from the WorkerSlot) plus its timeout; if the worker has not started
  // it yet, now plus its timeout, a time before which it cannot run out.
  // Nothing if the oldest job in flight has no timeout.
  std::optional<Clock::time_point> TaskDeadline(Clock::time_point now) const;
  // If the running job is past its deadline at `now`: stops the worker
  // (WorkerSlot's compare-and-swap, then SIGKILL), and that job fails with
  // TaskTimeoutError when the worker's exit is reported, unless its whole
  // reply arrived first. Returns whether it stopped the worker.
  bool StopAtDeadline(Clock::time_point now);
  // SIGKILLs the worker unless it is known to have exited. The one place
  // the parent signals a worker.
  void Kill() noexcept;

  // The fork server reported the worker's wait status: reads whatever the
  // worker wrote before it died (no end of file needed), then settles: the
  // job it had really started (its WorkerSlot says so) fails, every other
  // job in flight goes back to the front of `pending`, in order.
  ReadResult SettleExit(int wait_status,
                        std::deque<std::unique_ptr<ProcessJob>>& pending);
  // The fork server is gone, so no exit status will come: kills the worker,
  // reaps it if it was re-parented to this process (a child subreaper), and
  // fails every job in flight with `error`.
  void Abandon(std::exception_ptr error);
  // terminate(): fails every job in flight with `error`.
  void Cancel(std::exception_ptr error);
  // Tracing: terminate() killed the worker (call after Kill(), while the
  // fork server is still there).
  void TraceKilled() noexcept {
    if (trace_ != nullptr && !exited_) TraceExit(SIGKILL, /*by_pool=*/true);
  }

 private:
  void HandleFrames(ReadResult& result);
  void CheckHeader(const FrameHeader& h);
  void HandleFrame(const FrameHeader& h, Reader& body, ReadResult& result);
  void CloseResultPipe();
  // Tracing: the worker ended with `wait_status`; `by_pool`: killed by the
  // pool itself. Reads the WorkerSlot: only while the fork server (which
  // maps the slots) is there.
  void TraceExit(int wait_status, bool by_pool) noexcept;
  std::uint64_t front_seq() const { return answered_ + 1; }

  const pid_t pid_;
  UniqueFd pidfd_;
  UniqueFd to_;         // Task pipe, write end (non-blocking).
  UniqueFd to_reader_;  // Task pipe, read end: never read (see the top).
  UniqueFd from_;       // Result pipe, read end (non-blocking).
  WorkerSlot* const slot_;
  const int slot_index_;
  const std::uint64_t max_frame_;
  const std::uint64_t reply_key_;

  // Jobs written or to be written, in the order sent. in_flight_[i] is the
  // worker's task number answered_ + 1 + i.
  std::deque<std::unique_ptr<ProcessJob>> in_flight_;
  std::size_t sent_ = 0;          // Jobs of in_flight_ written completely.
  std::size_t write_offset_ = 0;  // Bytes of in_flight_[sent_] written.
  bool pipe_grown_ = false;       // GrowPipeFor (fd.h) grew the task pipe.
  std::uint64_t answered_ = 0;    // Replies received.
  std::uint64_t last_answered_id_ = 0;
  int tasks_given_ = 0;
  Clock::time_point last_reply_;

  ReadBuffer in_;               // Bytes received; in_[start_, end_) unparsed.
  std::uint64_t received_ = 0;  // Stream offset of in_[start_].
  std::size_t start_ = 0, end_ = 0;

  bool ready_;
  bool stop_sent_ = false;
  bool killed_ = false;  // The parent SIGKILLed it.
  bool exited_ = false;  // Its exit status was reported.
  bool away_ = false;
  Trace* trace_ = nullptr;
  int trace_pool_ = 0;
  std::optional<Clock::time_point> eof_deadline_;
  std::string broke_;  // What it did to be killed, if anything.
  bool blame_running_ = true;
  std::exception_ptr running_error_;  // Set by FailRunning.
  std::uint64_t timed_out_seq_ = 0;   // Set by StopAtDeadline: its task.
};

}  // namespace pool::internal

#endif  // POOL_INTERNAL_WORKER_CHANNEL_H_
