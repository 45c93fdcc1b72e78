// The parent's side of one worker: see worker_channel.h. pool/README.md
// describes the data path this is part of.

#include "pool/internal/worker_channel.h"

#include <errno.h>
#include <signal.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "pool/errors.h"

namespace pool::internal {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kKeepBuffer = 64 * 1024 * 1024;
constexpr int kMaxIov = 64;
// How long a worker whose result pipe reached end of file may take to be
// reported dead before it is taken to have broken the protocol. A process
// closes its fds a moment before it becomes a zombie.
constexpr std::chrono::seconds kEofGrace{1};
// waitid()'s P_PIDFD (linux/wait.h; Linux 5.4), which glibc's idtype_t
// may not name.
constexpr int kPidfdIdType = 3;

}  // namespace

WorkerChannel::WorkerChannel(Setup setup)
    : pid_(setup.pid),
      pidfd_(std::move(setup.fds.pidfd)),
      to_(std::move(setup.fds.task_write)),
      to_reader_(std::move(setup.fds.task_read)),
      from_(std::move(setup.fds.result_read)),
      slot_(setup.slot),
      slot_index_(setup.slot_index),
      max_frame_(setup.max_frame),
      reply_key_(setup.reply_key),
      in_(kReadChunk),
      ready_(setup.ready) {
  SetNonBlocking(to_.get());
  SetNonBlocking(from_.get());
}

WorkerChannel::~WorkerChannel() { Kill(); }

void WorkerChannel::Kill() noexcept {
  if (exited_ || killed_) return;
  killed_ = true;
  // ESRCH: it has exited already; its status is on its way.
  SignalPidfd(pidfd_.get(), SIGKILL);
}

void WorkerChannel::Push(std::unique_ptr<ProcessJob> job) {
  if (to_.valid()) GrowPipeFor(to_.get(), job->frame().size(), pipe_grown_);
  in_flight_.push_back(std::move(job));
  ++tasks_given_;
}

void WorkerChannel::Write() {
  while (to_.valid() && sent_ < in_flight_.size()) {
    iovec iov[kMaxIov];
    int n = 0;
    std::size_t offset = write_offset_;
    for (std::size_t i = sent_; i < in_flight_.size() && n < kMaxIov; ++i) {
      const std::string& frame = in_flight_[i]->frame();
      iov[n++] = {const_cast<char*>(frame.data()) + offset,
                  frame.size() - offset};
      offset = 0;
    }
    ssize_t written = ::writev(to_.get(), iov, n);
    if (written < 0) {
      if (errno == EINTR) continue;
      // Full: poll() says when there is room. A worker that died never
      // makes room; its exit status settles its jobs.
      if (errno == EAGAIN) return;
      // Not expected (the pipe always has a reader: to_reader_): stop
      // writing to it; its exit status settles its jobs.
      to_.reset();
      return;
    }
    const auto now = Clock::now();
    while (written > 0) {
      const std::size_t left =
          in_flight_[sent_]->frame().size() - write_offset_;
      if (static_cast<std::size_t>(written) >= left) {
        written -= static_cast<ssize_t>(left);
        in_flight_[sent_]->set_sent_at(now);
        ++sent_;
        write_offset_ = 0;
      } else {
        write_offset_ += static_cast<std::size_t>(written);
        written = 0;
      }
    }
  }
}

void WorkerChannel::SendStop() {
  if (stop_sent_) return;
  stop_sent_ = true;
  if (!to_.valid()) return;  // It cannot read tasks any more: it exits.
  // Sent only when nothing is in flight, so the pipe has room for this
  // header. If the worker is gone already, its exit is on its way.
  const FrameHeader stop{0, kStopId, 0};
  while (::write(to_.get(), &stop, sizeof stop) < 0 && errno == EINTR) {
  }
}

WorkerChannel::ReadResult WorkerChannel::Read(bool until_answered) {
  ReadResult result;
  while (from_.valid() && !(until_answered && in_flight_.empty())) {
    // Make room. The buffer only grows when it is full of unparsed bytes, so
    // its size stays within twice what the worker actually sent, whatever a
    // frame header claims.
    if (end_ == in_.size()) {
      if (start_ > 0) {
        std::memmove(in_.data(), in_.data() + start_, end_ - start_);
        end_ -= start_;
        start_ = 0;
      } else {
        try {
          in_.Grow(2 * in_.size(), end_);
        } catch (...) {
          FailRunning(CurrentExceptionAsPoolError(
              "worker " + std::to_string(pid_) +
              ": the reply does not fit in this process's memory"));
          return result;
        }
      }
    }
    const ssize_t n = ::read(from_.get(), in_.data() + end_, in_.size() - end_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n <= 0) {
      // End of file (or a read error, treated alike). A worker that exits
      // closes its pipe just before it is reported dead; one that lives on
      // has closed or replaced its fd 4 and broke the protocol.
      CloseResultPipe();
      if (!exited_ && !killed_) {
        eof_deadline_ = Clock::now() + kEofGrace;
      }
      break;
    }
    end_ += static_cast<std::size_t>(n);
    HandleFrames(result);
  }
  return result;
}

void WorkerChannel::CloseResultPipe() { from_.reset(); }

void WorkerChannel::HandleFrames(ReadResult& result) {
  try {
    while (from_.valid() && end_ - start_ >= kHeaderSize) {
      const FrameHeader h = ReadHeader(in_.data() + start_);
      // Checked as soon as the header is in: a forged header must not make
      // the parent wait for a body that never comes.
      CheckHeader(h);
      if (end_ - start_ - kHeaderSize < h.size) break;
      Reader body(in_.data() + start_ + kHeaderSize, h.size);
      start_ += kHeaderSize + h.size;
      received_ += kHeaderSize + h.size;
      HandleFrame(h, body, result);
    }
  } catch (const ProtocolError& e) {
    BreakProtocol(e.what(), blame_running_);
    return;
  }
  if (start_ == end_) start_ = end_ = 0;
  // Keep the buffer for the next large reply (fresh memory costs a page
  // fault per 4 KiB), unless it is very large.
  if (in_.size() > kKeepBuffer && end_ == 0) in_.Shrink(kReadChunk);
}

void WorkerChannel::CheckHeader(const FrameHeader& h) {
  blame_running_ = true;
  if (h.size > max_frame_) {
    throw ProtocolError("sent a frame header announcing " +
                        std::to_string(h.size) +
                        " bytes, more than this process can receive (" +
                        std::to_string(max_frame_) + ")");
  }
  if (h.task_id == kReadyId) {
    // The loop writes it first, and only once.
    if (ready_ || received_ != 0 || h.check != ReplyCheck(reply_key_, 0)) {
      throw ProtocolError("sent a ready message after its first frame");
    }
    return;
  }
  if (sent_ == 0 || in_flight_.front()->id() != h.task_id) {
    if (h.task_id == last_answered_id_) {
      // A second reply for the task answered last: one of the two was
      // written into the pipe by that task itself. It is answered; the
      // task after it is innocent and goes to another worker.
      blame_running_ = false;
      throw ProtocolError("answered task " + std::to_string(h.task_id) +
                          " twice (a task wrote into its result pipe)");
    }
    throw ProtocolError("answered task " + std::to_string(h.task_id) +
                        ", which it was not running");
  }
  // Only the worker loop knows the check of its n-th reply (wire.h): a
  // header without it was written by someone else, a task writing into its
  // own result pipe. Refused here, before the parent waits for its body.
  if (h.check != ReplyCheck(reply_key_, front_seq())) {
    throw ProtocolError("sent a reply header for task " +
                        std::to_string(h.task_id) +
                        " that its worker loop did not write (the task "
                        "wrote into its result pipe)");
  }
}

void WorkerChannel::HandleFrame(const FrameHeader& h, Reader& body,
                                ReadResult& result) {
  if (h.task_id == kReadyId) {
    if (Decode<bool>(body)) {
      ready_ = true;
      result.became_ready = true;
      return;
    }
    const TaskError e = DecodeTaskError(body);
    result.init_error = std::make_exception_ptr(
        InitializerError("initializer failed in worker " +
                         std::to_string(pid_) + ": " + e.what()));
    return;
  }
  // With tracing on, the reply ends with the worker's two stamps.
  std::int64_t stamps[2] = {-1, -1};
  Reader traced(nullptr, 0);
  if (trace_ != nullptr) {
    const std::size_t n = body.remaining();
    if (n < sizeof stamps) {
      throw ProtocolError("sent a reply without the trace's time stamps");
    }
    const char* p = body.take(n);
    std::memcpy(stamps, p + n - sizeof stamps, sizeof stamps);
    traced = Reader(p, n - sizeof stamps);
  }
  Reader& reply = trace_ != nullptr ? traced : body;
  const std::int64_t deliver_ns = trace_ != nullptr ? MonotonicNs() : 0;
  std::unique_ptr<ProcessJob> job = std::move(in_flight_.front());
  in_flight_.pop_front();
  --sent_;
  ++answered_;
  last_answered_id_ = job->id();
  // Estimate how long a task takes: the worker started it when both it had
  // been sent and the worker had finished the one before.
  const auto now = Clock::now();
  const double us = std::chrono::duration<double, std::micro>(
                        now - std::max(job->sent_at(), last_reply_))
                        .count();
  ++result.replies;
  result.task_us += std::max(us, 0.1);
  last_reply_ = now;
  try {
    job->Complete(reply);  // Runs the callback, if any.
  } catch (const ProtocolError&) {
    job->Fail(std::current_exception());
    blame_running_ = false;  // Failed already; the framing is suspect.
    throw;
  } catch (...) {
    // A Codec whose decode threw, or no memory for the values: this job
    // fails; the frame was whole, so the worker goes on.
    job->Fail(CurrentExceptionAsPoolError("the reply to task " +
                                          std::to_string(job->id()) +
                                          " could not be decoded"));
  }
  if (trace_ != nullptr) {
    try {
      trace_->Ran(trace_pool_, job->id(), pid_, stamps[0], stamps[1],
                  deliver_ns, job->item_errors());
    } catch (...) {
      // No memory to record it: the trace only misses this task.
    }
  }
}

void WorkerChannel::BreakProtocol(const std::string& why, bool blame_running) {
  if (broke_.empty()) {
    broke_ = why;
    blame_running_ = blame_running;
  }
  Kill();
  CloseResultPipe();
  to_.reset();
  eof_deadline_.reset();
}

void WorkerChannel::FailRunning(std::exception_ptr error) {
  if (!running_error_) running_error_ = std::move(error);
  BreakProtocol("", true);
}

std::optional<WorkerChannel::Clock::time_point> WorkerChannel::TaskDeadline(
    Clock::time_point now) const {
  if (sent_ == 0 || timed_out_seq_ != 0) return std::nullopt;
  const ProcessJob& job = *in_flight_.front();
  if (job.timeout() == std::chrono::nanoseconds::zero()) return std::nullopt;
  const std::uint64_t seq = front_seq();
  const std::uint64_t started = slot_->started.load(std::memory_order_acquire);
  if (started < seq) return now + job.timeout();  // Not started yet.
  if (started > seq) return std::nullopt;  // Done: its reply is on its way.
  const std::int64_t at = slot_->started_at.load(std::memory_order_relaxed);
  // started_at is written before started; if started moved on meanwhile,
  // the job is done.
  if (slot_->started.load(std::memory_order_acquire) != seq) {
    return std::nullopt;
  }
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(
             std::chrono::nanoseconds(at))) +
         std::chrono::duration_cast<Clock::duration>(job.timeout());
}

bool WorkerChannel::StopAtDeadline(Clock::time_point now) {
  const std::optional<Clock::time_point> deadline = TaskDeadline(now);
  if (!deadline || now < *deadline || killed_ || exited_) return false;
  const std::uint64_t seq = front_seq();
  std::uint64_t expected = seq;
  // Fails if the worker started its next task first: then this one
  // finished in time, and its reply is in the pipe.
  if (!slot_->started.compare_exchange_strong(
          expected, seq | WorkerSlot::kStopped, std::memory_order_acq_rel)) {
    return false;
  }
  timed_out_seq_ = seq;
  Kill();
  return true;
}

WorkerChannel::ReadResult WorkerChannel::SettleExit(
    int wait_status, std::deque<std::unique_ptr<ProcessJob>>& pending) {
  exited_ = true;
  eof_deadline_.reset();
  // Everything it wrote before it died is in the pipe: read it without
  // waiting for end of file, which a process that inherited its fd 4
  // could hold off.
  ReadResult result;
  if (from_.valid()) result = Read();
  CloseResultPipe();
  to_.reset();
  if (!ready_ && !result.init_error) {
    result.init_error = std::make_exception_ptr(InitializerError(
        "worker " + std::to_string(pid_) + " " +
        DescribeWaitStatus(wait_status) + " while running the initializer"));
  }
  if (trace_ != nullptr) TraceExit(wait_status, /*by_pool=*/false);
  if (in_flight_.empty()) return result;
  // The oldest job fails only if the worker had really started it;
  // whatever never started goes back to the queue. (The parent's stop mark
  // is not a task number.)
  const bool started =
      sent_ > 0 && (slot_->started.load(std::memory_order_acquire) &
                    ~WorkerSlot::kStopped) >= front_seq();
  // Stopped at its deadline, and its reply did not come in whole: it ran
  // past its timeout, whatever else it did meanwhile.
  const bool timed_out = started && timed_out_seq_ == front_seq();
  if (started && (timed_out || blame_running_ || broke_.empty())) {
    std::unique_ptr<ProcessJob> job = std::move(in_flight_.front());
    in_flight_.pop_front();
    const std::string task = "task " + std::to_string(job->id());
    const std::string who = "worker " + std::to_string(pid_) + " ";
    std::exception_ptr error;
    if (timed_out) {
      error = std::make_exception_ptr(
          TaskTimeoutError(job->id(), job->timeout(), pid_));
    } else if (running_error_) {
      error = running_error_;
    } else if (!broke_.empty()) {
      error = std::make_exception_ptr(
          ProtocolError(who + broke_ + " while running " + task +
                        "; it was killed and replaced"));
    } else if (end_ > start_) {
      error = std::make_exception_ptr(ProtocolError(
          who + DescribeWaitStatus(wait_status) +
          " in the middle of its reply to " + task + " (" +
          std::to_string(end_ - start_) + " bytes of the frame arrived)"));
    } else {
      error = std::make_exception_ptr(
          WorkerDiedError(pid_, wait_status, job->id()));
    }
    job->Fail(std::move(error));
  }
  while (!in_flight_.empty()) {
    pending.push_front(std::move(in_flight_.back()));
    in_flight_.pop_back();
  }
  return result;
}

void WorkerChannel::Abandon(std::exception_ptr error) {
  Kill();
  // With the fork server gone the worker was re-parented: to this process
  // if it is a child subreaper, which must then reap it.
  siginfo_t info{};
  while (::waitid(static_cast<idtype_t>(kPidfdIdType), pidfd_.get(), &info,
                  WEXITED) < 0 &&
         errno == EINTR) {
  }
  exited_ = true;
  Cancel(std::move(error));
}

void WorkerChannel::TraceExit(int wait_status, bool by_pool) noexcept {
  // (The parent's stop mark is not a task number.)
  const bool ran =
      sent_ > 0 && (slot_->started.load(std::memory_order_acquire) &
                    ~WorkerSlot::kStopped) >= front_seq();
  try {
    trace_->WorkerExited(
        trace_pool_, pid_, wait_status, ran ? in_flight_.front()->id() : 0,
        slot_->started_at.load(std::memory_order_relaxed), by_pool);
  } catch (...) {
    // No memory to record it: the trace only misses the end.
  }
}

void WorkerChannel::Cancel(std::exception_ptr error) {
  for (auto& job : in_flight_) job->Fail(error);
  in_flight_.clear();
  sent_ = 0;
}

}  // namespace pool::internal
