// The parent's side of a process pool: a scheduler over WorkerChannels (see
// process_engine.h; pool/README.md describes the data path and shutdown).

#include "pool/internal/process_engine.h"

#include <errno.h>
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

#include "pool/errors.h"
#include "pool/internal/fork_gate.h"
#include "pool/internal/misuse.h"

namespace pool::internal {

// The steps of shutting down (pool/README.md, "Shutdown"). Stop() walks a
// list of them in order; a step that must wait for the workers returns
// false, and the handler serves one more round (poll, I/O, exit reports)
// before it walks the list again. Every step may be taken again.
enum class ProcessEngine::StopStep {
  kFinishWork,    // Nothing is queued, in flight or lent.
  kStopWorkers,   // Every worker asked for has arrived; each gets a stop frame.
  kFinishServer,  // The fork server starts no more, and exits after the last.
  kAwaitExits,    // The exit of every worker has been reported.
  kRecallLoans,   // Every channel lent to apply() is back.
  kKillWorkers,   // SIGKILL through every worker's pidfd.
  kStopServer,    // The server kills and reaps its workers, exits, is reaped.
  kCancelJobs,    // Every unfinished job fails with the reason.
  kRelease,       // Every pipe and pidfd is closed; worker_pids() is empty.
};

// close(): let the work finish, then let every process exit by itself.
const ProcessEngine::StopStep ProcessEngine::kCloseSteps[] = {
    StopStep::kFinishWork, StopStep::kStopWorkers, StopStep::kFinishServer,
    StopStep::kAwaitExits, StopStep::kStopServer,  StopStep::kRelease};
// terminate(), the destructor, and a failure of the handler thread itself.
const ProcessEngine::StopStep ProcessEngine::kTerminateSteps[] = {
    StopStep::kRecallLoans, StopStep::kKillWorkers, StopStep::kStopServer,
    StopStep::kCancelJobs, StopStep::kRelease};

namespace {

// How many jobs one worker may have in flight (written, not yet answered).
// More than one lets a worker start its next task without waiting for the
// parent, and lets one writev() and one read() carry many small frames. But
// a job queued behind a long task waits for it even if another worker is
// idle, so the depth adapts to how long tasks take: deep for tiny tasks,
// shallow for long ones. A job queued on a worker should wait at most about
// kQueueDelayTarget before it starts.
constexpr std::size_t kMinInFlight = 1;
constexpr std::size_t kMaxInFlight = 64;
constexpr double kQueueDelayTargetUs = 200;

// The largest frame body the parent accepts: as much memory as this process
// may have (the physical memory, or RLIMIT_AS if lower). A larger reply
// could not be held to be decoded, so a header announcing one is a
// ProtocolError at once rather than a wait for bytes that cannot fit.
std::uint64_t MaxFrameBytes() {
  std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() / 4;
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0) {
    limit = std::min(limit, static_cast<std::uint64_t>(pages) *
                                static_cast<std::uint64_t>(page));
  }
  rlimit as{};
  if (::getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) {
    limit = std::min(limit, static_cast<std::uint64_t>(as.rlim_cur));
  }
  return limit;
}

WorkerConfig Traced(WorkerConfig config, bool trace) {
  config.trace = trace;
  return config;
}

std::exception_ptr CancelledByTerminate() {
  return std::make_exception_ptr(CancelledError(
      "cancelled: terminate() was called before this task finished"));
}

void WriteWakeByte(int fd) {
  const char byte = 0;
  [[maybe_unused]] ssize_t n = ::write(fd, &byte, 1);
}

}  // namespace

// --- Construction and the public methods -------------------------------------

ProcessEngine::ProcessEngine(int processes, WorkerConfig config,
                             const std::string& trace)
    : processes_(processes),
      trace_(Trace::ForPool(trace)),
      trace_pool_(trace_ ? trace_->AddPool("Pool") : 0),
      config_(Traced(std::move(config), trace_ != nullptr)),
      max_frame_(MaxFrameBytes()),
      cancel_waker_(std::make_shared<CancelWaker>([this] {
        std::lock_guard lock(mu_);
        cancelled_ = true;
        WakeHandlerLocked();
      })) {
  {
    ForkGateShared gate;
    for (int i = processes_ - 1; i >= 0; --i) free_slots_.push_back(i);
    wake_ = MakePipe();
    SetNonBlocking(wake_.read.get());
    SetNonBlocking(wake_.write.get());
  }
  server_.emplace(processes_, config_);
  try {
    ForkGateShared gate;
    Replenish();
    try {
      handler_ = std::thread(&ProcessEngine::Run, this);
    } catch (const std::system_error& e) {
      // An OS failure is a pool::SystemError, like every other (errors.h).
      throw SystemError(e.code(), "pthread_create");
    }
  } catch (...) {
    // No thread (EAGAIN under a process limit): stop the fork server and
    // its workers here, so that nothing is left behind.
    Stop(kTerminateSteps, CancelledByTerminate());
    throw;
  }

  // Wait until every worker is up (and initialized), or something failed.
  std::exception_ptr failed;
  {
    std::unique_lock lock(mu_);
    ready_cv_.wait(lock, [&] { return started_ || broken_; });
    failed = broken_;
  }
  if (failed) {
    Terminate();
    std::rethrow_exception(failed);
  }
}

ProcessEngine::~ProcessEngine() {
  if (OnHandlerThread()) AbortDestroyedInCallback("Pool");
  Terminate("~Pool(): terminate()");
  // An AsyncResult may outlive the pool: its cancel() wakes nothing now.
  cancel_waker_->Detach();
}

std::vector<pid_t> ProcessEngine::WorkerPids() const {
  std::lock_guard lock(mu_);
  return pids_;
}

void ProcessEngine::CheckRunningLocked() const {
  if (state_ != State::kRun) throw UsageError("Pool not running");
  if (broken_) std::rethrow_exception(broken_);
}

void ProcessEngine::WakeHandlerLocked() {
  if (handler_polling_ && !wake_sent_) {
    wake_sent_ = true;
    WriteWakeByte(wake_.write.get());
  }
}

Trace::NewTask ProcessEngine::NumberLocked(ProcessJob& job) {
  job.set_id(next_id_++);
  if (!trace_) return {};
  job.set_trace(trace_.get(), trace_pool_);
  return {job.id(), job.label()};
}

Trace::NewTask ProcessEngine::QueueLocked(std::unique_ptr<ProcessJob> job) {
  const Trace::NewTask traced = NumberLocked(*job);
  incoming_.push_back(std::move(job));
  return traced;
}

void ProcessEngine::Submit(std::vector<std::unique_ptr<ProcessJob>> jobs) {
  const std::int64_t begin = trace_ ? MonotonicNs() : 0;
  std::vector<Trace::NewTask> traced;
  if (trace_) traced.reserve(jobs.size());
  ForkGateShared gate;
  {
    std::lock_guard lock(mu_);
    CheckRunningLocked();
    incoming_.reserve(incoming_.size() + jobs.size());
    for (auto& job : jobs) {
      const Trace::NewTask t = QueueLocked(std::move(job));
      if (trace_) traced.push_back(t);
    }
    WakeHandlerLocked();
  }
  if (trace_) trace_->Submitted(trace_pool_, traced, begin);
}

void ProcessEngine::Submit(std::unique_ptr<ProcessJob> job) {
  const std::int64_t begin = trace_ ? MonotonicNs() : 0;
  Trace::NewTask traced;
  ForkGateShared gate;
  {
    std::lock_guard lock(mu_);
    CheckRunningLocked();
    traced = QueueLocked(std::move(job));
    WakeHandlerLocked();
  }
  if (trace_) trace_->Submitted(trace_pool_, {&traced, 1}, begin);
}

void ProcessEngine::Apply(std::unique_ptr<ProcessJob> job) {
  const std::int64_t begin = trace_ ? MonotonicNs() : 0;
  Trace::NewTask traced;
  ForkGateShared gate;
  WorkerChannel* channel;
  {
    std::lock_guard lock(mu_);
    CheckRunningLocked();
    // Jobs queued before this one go first: then it takes the handler's way.
    // So does a job with a timeout: the handler watches the deadlines.
    channel =
        incoming_.empty() && job->timeout() == std::chrono::nanoseconds::zero()
            ? lender_.BorrowLocked()
            : nullptr;
    if (channel == nullptr) {
      traced = QueueLocked(std::move(job));
      WakeHandlerLocked();
    } else {
      traced = NumberLocked(*job);
    }
  }
  if (trace_) trace_->Submitted(trace_pool_, {&traced, 1}, begin);
  if (channel == nullptr) return;
  if (trace_) trace_->Dispatched(trace_pool_, job->id(), channel->pid());
  const bool idle = lender_.RunJob(*channel, job, config_.maxtasksperchild);
  std::lock_guard lock(mu_);
  if (job) incoming_.push_back(std::move(job));  // Not sent; it has its id.
  const bool reoffer = idle && handler_polling_ && state_ == State::kRun &&
                       !broken_ && incoming_.empty();
  if (!lender_.GiveBackLocked(channel, reoffer)) WakeHandlerLocked();
}

void ProcessEngine::Close() {
  if (trace_) {
    ForkGateShared gate;
    trace_->Lifecycle(trace_pool_, "close()");
  }
  std::lock_guard lock(mu_);
  if (state_ == State::kRun) state_ = State::kClose;
  WriteWakeByte(wake_.write.get());
}

void ProcessEngine::Terminate(const char* why) {
  if (trace_) {
    ForkGateShared gate;  // It allocates (fork_gate.h).
    trace_->Lifecycle(trace_pool_, why);
  }
  {
    std::lock_guard lock(mu_);
    state_ = State::kTerminate;
    WriteWakeByte(wake_.write.get());
    lender_.Recall();
  }
  // From a callback, the loop acts on it as soon as the callback returns; it
  // cannot wait for itself.
  if (OnHandlerThread()) return;
  std::lock_guard join_lock(join_mu_);
  if (handler_.joinable()) handler_.join();
  // Everything is settled: the trace holds the whole run, deaths included.
  if (trace_) {
    ForkGateShared gate;
    trace_->Write();
  }
}

void ProcessEngine::Join() {
  if (OnHandlerThread()) {
    throw UsageError(
        "join() cannot be called from a callback: callbacks run on the "
        "thread that join() waits for");
  }
  {
    std::lock_guard lock(mu_);
    if (state_ == State::kRun) throw UsageError("Pool is still running");
  }
  if (trace_) {
    ForkGateShared gate;
    trace_->Lifecycle(trace_pool_, "join()");
  }
  std::lock_guard join_lock(join_mu_);
  if (handler_.joinable()) handler_.join();
  if (trace_) {
    ForkGateShared gate;
    trace_->Write();
  }
}

// --- The handler thread: its loop --------------------------------------------

void ProcessEngine::Run() {
  // No write of this thread can raise SIGPIPE: every task pipe keeps a
  // reader in this process (worker_channel.h), the wake-up pipe is this
  // process's own, and the fork server's socket is written with
  // MSG_NOSIGNAL. So the program's SIGPIPE disposition and this thread's
  // signal mask are left alone.
  ForkGateShared gate;  // Let go of only around waits.
  if (trace_) trace_->HandlerThread(trace_pool_);
  std::vector<Lender::Returned> returned;
  try {
    for (;;) {
      State state;
      bool sweep;
      {
        std::lock_guard lock(mu_);
        for (auto& job : incoming_) pending_.push_back(std::move(job));
        incoming_.clear();
        lender_.ReclaimLocked(returned);
        state = state_;
        sweep = std::exchange(cancelled_, false);
      }
      // Before the close steps look at the queue: a job cancel() took is
      // no work left to finish.
      if (sweep) DropCancelled();
      if (state == State::kTerminate) {
        Stop(kTerminateSteps, CancelledByTerminate());
        return;
      }
      SettleReturned(returned);
      if (state == State::kClose && Stop(kCloseSteps, nullptr)) return;
      Serve(state);
    }
  } catch (...) {
    // Only a bug or a failed allocation of the loop's own gets here. Every
    // job still open fails with it, rather than the program ending in
    // std::terminate.
    const std::exception_ptr error =
        CurrentExceptionAsPoolError("the pool's handler thread failed");
    Broken(error);
    Stop(kTerminateSteps, error);
  }
}

// One round: keep the workers at strength, hand out jobs, sleep in poll()
// until something happens, act on it.
void ProcessEngine::Serve(State state) {
  const std::exception_ptr broken = BrokenError();
  const bool replenishing =
      !broken && (state == State::kRun || !pending_.empty());
  if (broken) {
    FailPending(broken);  // No worker can be started: it cannot run.
  } else if (replenishing) {
    Replenish();
  }
  Dispatch();

  // With nothing queued, idle channels are lent instead of polled.
  const bool lend = state == State::kRun && !broken && pending_.empty();
  StopTasksPastDeadline();
  const std::optional<Clock::time_point> deadline = NextDeadline(replenishing);
  const int timeout_ms = PreparePoll(lend, deadline);
  {
    std::lock_guard lock(mu_);
    if (!incoming_.empty() || lender_.HasReturnsLocked() || state_ != state ||
        cancelled_) {
      return;
    }
    lender_.OfferLocked(offer_);
    handler_polling_ = true;
  }
  int ready;
  int poll_errno;
  {
    ForkGateOpen open;  // No allocation while waiting (fork_gate.h).
    ready = PollAll(poll_fds_, timeout_ms);
    poll_errno = errno;
  }
  {
    std::lock_guard lock(mu_);
    handler_polling_ = false;
    wake_sent_ = false;
    lender_.WithdrawLocked();  // Lent ones come back when their loan ends.
  }
  if (ready < 0) throw OsError(poll_errno, "poll");  // EFAULT, ENOMEM.
  ActOnPoll(deadline && *deadline <= Clock::now());
}

// Fills poll_fds_ (only open fds: poll() fails with EINVAL when it has more
// entries than RLIMIT_NOFILE, which a program may lower while the pool
// runs) and, with `lend`, offer_. Returns poll()'s timeout for `deadline`.
int ProcessEngine::PreparePoll(
    bool lend, const std::optional<Clock::time_point>& deadline) {
  poll_fds_.clear();
  poll_index_.clear();
  offer_.clear();
  poll_fds_.push_back({wake_.read.get(), POLLIN, 0});
  if (server_ && server_->alive()) {
    poll_fds_.push_back({server_->fd(), POLLIN, 0});
  }
  for (const auto& c : channels_) {
    poll_index_.push_back(static_cast<int>(poll_fds_.size()));
    if (c->away()) continue;
    if (lend && c->Idle(config_.maxtasksperchild)) {
      offer_.push_back(c.get());
      continue;
    }
    if (c->poll_in_fd() >= 0) poll_fds_.push_back({c->poll_in_fd(), POLLIN, 0});
    if (c->poll_out_fd() >= 0) {
      poll_fds_.push_back({c->poll_out_fd(), POLLOUT, 0});
    }
  }
  poll_index_.push_back(static_cast<int>(poll_fds_.size()));
  if (!deadline) return -1;  // Usually: the clock is read only when needed.
  return static_cast<int>(std::clamp<long long>(
      std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now())
          .count(),
      0, 1000));
}

// When the handler must wake even if nothing happens: a worker whose result
// pipe reached end of file must have been reported dead by then, and a
// worker start that failed is due again (while workers are wanted).
// Timeouts (pool.h): stops every worker whose task is past its deadline.
// Called before each poll(), and after one whose deadline came: a stream
// of submissions can keep the handler from ever reaching poll().
void ProcessEngine::StopTasksPastDeadline() {
  std::optional<Clock::time_point> now;  // Read only for a task's timeout.
  for (auto& c : channels_) {
    if (c->away() || !c->timed()) continue;
    if (!now) now = Clock::now();
    if (c->StopAtDeadline(*now)) PublishPids();
  }
}

std::optional<ProcessEngine::Clock::time_point> ProcessEngine::NextDeadline(
    bool replenishing) const {
  std::optional<Clock::time_point> deadline;
  auto consider = [&](Clock::time_point t) {
    if (!deadline || t < *deadline) deadline = t;
  };
  std::optional<Clock::time_point> now;  // Read only for a task's timeout.
  for (const auto& c : channels_) {
    if (c->away()) continue;
    if (c->eof_deadline()) consider(*c->eof_deadline());
    if (c->timed()) {
      if (!now) now = Clock::now();
      if (const auto t = c->TaskDeadline(*now)) consider(*t);
    }
  }
  const bool short_handed =
      static_cast<int>(channels_.size()) + spawns_requested_ < processes_;
  if (replenishing && short_handed && backoff_.retry_at()) {
    consider(*backoff_.retry_at());
  }
  return deadline;
}

// Writes what fits, reads what arrived (completing jobs runs callbacks),
// settles workers that broke the protocol, and reads the fork server's
// message. `deadline_due`: NextDeadline's time has come.
void ProcessEngine::ActOnPoll(bool deadline_due) {
  if (poll_fds_[0].revents & POLLIN) {
    char buf[256];
    while (::read(wake_.read.get(), buf, sizeof buf) > 0) {
    }
  }
  const bool server_polled = poll_fds_.size() > 1 && server_ &&
                             server_->alive() &&
                             poll_fds_[1].fd == server_->fd();
  const std::size_t count = channels_.size();  // Settling may append.
  for (std::size_t i = 0; i < count; ++i) {
    WorkerChannel& c = *channels_[i];
    short in = 0, out = 0;
    for (int k = poll_index_[i]; k < poll_index_[i + 1]; ++k) {
      ((poll_fds_[k].events & POLLIN) ? in : out) = poll_fds_[k].revents;
    }
    if (out & (POLLOUT | POLLERR | POLLHUP)) c.Write();
    if (in & (POLLIN | POLLHUP | POLLERR)) OnRead(c.Read());
  }
  if (deadline_due) {
    const auto now = Clock::now();
    for (auto& c : channels_) {
      if (!c->away() && c->eof_deadline() && *c->eof_deadline() <= now) {
        c->BreakProtocol("closed its result pipe (fd 4) but did not exit");
        PublishPids();
      }
    }
    // A task past its timeout: its worker is stopped, and the task fails
    // when the fork server reports the exit (OnWorkerExit).
    StopTasksPastDeadline();
  }
  if (server_polled && (poll_fds_[1].revents & (POLLIN | POLLHUP | POLLERR))) {
    OnServerEvent(server_->Receive());
  }
}

// --- The handler thread: shutdown --------------------------------------------

// Takes `steps` in order. Returns true once all are done, false at the
// first that must wait.
bool ProcessEngine::Stop(std::span<const StopStep> steps,
                         const std::exception_ptr& cancel) {
  for (const StopStep step : steps) {
    if (!TakeStep(step, cancel)) return false;
  }
  return true;
}

bool ProcessEngine::TakeStep(StopStep step, const std::exception_ptr& cancel) {
  switch (step) {
    case StopStep::kFinishWork:
      return pending_.empty() &&
             std::all_of(channels_.begin(), channels_.end(), [](const auto& c) {
               return !c->away() && c->in_flight() == 0;
             });
    case StopStep::kStopWorkers:
      // A worker that is still being started gets its stop frame when it
      // arrives: the step is taken again until none is.
      for (auto& c : channels_) c->SendStop();
      return spawns_requested_ == 0;
    case StopStep::kFinishServer:
      if (server_ && server_->alive()) server_->Finish();
      return true;
    case StopStep::kAwaitExits:
      // Each exit report removes a channel (OnWorkerExit); so does the
      // server's own exit (OnServerEvent).
      return channels_.empty();
    case StopStep::kRecallLoans:
      lender_.Recall();
      lender_.AwaitLoans(mu_);
      return true;
    case StopStep::kKillWorkers:
      // Before the server is asked to stop, so that no worker runs on while
      // it is being reaped.
      for (auto& c : channels_) c->Kill();
      // Recorded now: the slots it reads go with the fork server.
      if (trace_) {
        for (auto& c : channels_) c->TraceKilled();
      }
      return true;
    case StopStep::kStopServer:
      server_.reset();  // ~ForkServer: ForkServer::Stop().
      return true;
    case StopStep::kCancelJobs:
      for (auto& c : channels_) c->Cancel(cancel);
      FailPending(cancel);
      return true;
    case StopStep::kRelease:
      pending_.clear();
      channels_.clear();  // Closes every pipe and pidfd.
      PublishPids();
      return true;
  }
  return true;
}

// --- The handler thread: workers ---------------------------------------------

void ProcessEngine::Replenish() {
  if (!server_ || !server_->alive()) return;
  if (!backoff_.MayTry(Clock::now())) return;
  while (static_cast<int>(channels_.size()) + spawns_requested_ < processes_ &&
         !free_slots_.empty()) {
    if (!server_->RequestWorker(free_slots_.back())) return;  // It died.
    free_slots_.pop_back();
    ++spawns_requested_;
  }
}

void ProcessEngine::OnServerEvent(ServerEvent event) {
  if (auto* started = std::get_if<WorkerStarted>(&event)) {
    --spawns_requested_;
    AddWorker(*started);
  } else if (auto* failed = std::get_if<WorkerStartFailed>(&event)) {
    --spawns_requested_;
    free_slots_.push_back(failed->slot);
    OnSpawnFailure(failed->error);
  } else if (auto* exited = std::get_if<WorkerExited>(&event)) {
    auto it =
        std::find_if(channels_.begin(), channels_.end(),
                     [&](const auto& c) { return c->pid() == exited->pid; });
    if (it == channels_.end()) return;  // One whose fds never arrived.
    if ((*it)->away()) {
      // Lent: settled when it comes back (its borrower sees the death
      // through the pidfd and gives it back).
      std::lock_guard lock(mu_);
      lender_.NoteExitLocked(**it, exited->wait_status);
      return;
    }
    OnWorkerExit(it->get(), exited->wait_status);
  } else if (server_->finishing()) {
    // ServerGone after close() (kFinishServer): it exits by itself once it
    // has reported every worker's exit. Any worker not reported yet had no
    // job left and dies with the server (PR_SET_PDEATHSIG).
    server_->Stop();
    const std::exception_ptr gone = std::make_exception_ptr(
        CancelledError("the pool was closed and its fork server exited"));
    for (auto& c : channels_) c->Abandon(gone);
    channels_.clear();
    spawns_requested_ = 0;
    PublishPids();
  } else {
    ServerDied();
  }
}

void ProcessEngine::AddWorker(WorkerStarted& started) {
  std::unique_ptr<WorkerChannel> c;
  try {
    c = std::make_unique<WorkerChannel>(
        WorkerChannel::Setup{.pid = started.pid,
                             .fds = std::move(started.fds),
                             .slot = server_->slot(started.slot),
                             .slot_index = started.slot,
                             .ready = !config_.initializer,
                             .max_frame = max_frame_,
                             .reply_key = server_->reply_key()});
  } catch (...) {
    free_slots_.push_back(started.slot);
    OnSpawnFailure(CurrentExceptionAsPoolError("starting a worker"));
    return;
  }
  if (trace_) {
    c->set_trace(trace_.get(), trace_pool_);
    trace_->WorkerStarted(trace_pool_, started.pid, started.slot);
  }
  channels_.push_back(std::move(c));
  backoff_.Succeeded();
  PublishPids();
}

void ProcessEngine::OnSpawnFailure(std::exception_ptr error) {
  {
    std::lock_guard lock(mu_);
    if (!started_) {
      // The constructor reports it: a pool that cannot start its workers
      // is not handed out.
      if (!broken_) broken_ = error;
      ready_cv_.notify_all();
      return;
    }
  }
  backoff_.Failed(Clock::now());
  // With no worker left to run them, queued jobs would wait until the
  // cause goes away; they fail with it now instead. Later jobs get the
  // next attempt.
  const bool serving = std::any_of(
      channels_.begin(), channels_.end(),
      [](const auto& c) { return c->away() || c->serving() || !c->ready(); });
  if (!serving) FailPending(error);
}

void ProcessEngine::OnWorkerExit(WorkerChannel* channel, int wait_status) {
  auto it = std::find_if(channels_.begin(), channels_.end(),
                         [&](const auto& c) { return c.get() == channel; });
  // It leaves worker_pids() before its jobs fail, so that code reacting to a
  // WorkerDiedError no longer sees the dead pid.
  std::unique_ptr<WorkerChannel> gone = std::move(*it);
  channels_.erase(it);
  free_slots_.push_back(gone->slot_index());
  PublishPids();
  OnRead(gone->SettleExit(wait_status, pending_));
}

void ProcessEngine::OnRead(const WorkerChannel::ReadResult& r) {
  if (r.init_error) Broken(r.init_error);
  if (r.became_ready) PublishPids();
  if (r.replies > 0) {
    // A running average over the last few dozen replies.
    const double mean = r.task_us / r.replies;
    for (int i = 0; i < r.replies; ++i) task_us_ = 0.9 * task_us_ + 0.1 * mean;
  }
}

// Deals with the channels that came back from a loan that ended out of the
// ordinary.
void ProcessEngine::SettleReturned(std::vector<Lender::Returned>& returned) {
  for (const Lender::Returned& r : returned) {
    if (r.exit_status) {
      OnWorkerExit(r.channel, *r.exit_status);
    } else if (!server_ || !server_->alive()) {
      // The fork server died while it was lent (ServerDied).
      auto it =
          std::find_if(channels_.begin(), channels_.end(),
                       [&](const auto& c) { return c.get() == r.channel; });
      std::unique_ptr<WorkerChannel> gone = std::move(*it);
      channels_.erase(it);
      gone->Abandon(BrokenError());
      PublishPids();
    }
    // Otherwise the handler goes on with it as with any of its channels:
    // reads the reply still to come, or sees its end of file.
  }
  returned.clear();
}

// A dead fork server breaks the pool for good: a new one would have to be
// forked from this process, which has threads now, and a lock held by one
// of them at that moment would stay locked forever in the server and in
// every worker it forks, the very hazard the fork server exists to avoid.
void ProcessEngine::ServerDied() {
  const int status = server_->Stop();
  const std::exception_ptr error = std::make_exception_ptr(Error(
      "the pool is broken: its fork server " + DescribeWaitStatus(status) +
      ", so no worker can be started any more (a new fork server would be "
      "forked from this multi-threaded process, where a lock held by another "
      "thread stays locked forever in the copy); terminate this Pool and "
      "create a new one"));
  Broken(error);
  // Its workers die with it (PR_SET_PDEATHSIG). A channel on loan is
  // abandoned when it comes back (SettleReturned).
  std::erase_if(channels_, [&](const auto& c) {
    if (c->away()) return false;
    c->Abandon(error);
    return true;
  });
  spawns_requested_ = 0;
  PublishPids();
  FailPending(error);
}

// Gives each pending job to the serving worker with the fewest jobs in
// flight, up to a depth that adapts to task length (and never more than a
// worker's remaining maxtasksperchild quota), and writes the frames.
void ProcessEngine::Dispatch() {
  const std::size_t depth =
      std::clamp(static_cast<std::size_t>(kQueueDelayTargetUs / task_us_),
                 kMinInFlight, kMaxInFlight);
  const int quota = config_.maxtasksperchild;
  while (!pending_.empty()) {
    WorkerChannel* best = nullptr;
    for (auto& c : channels_) {
      if (c->away() || !c->Accepts(depth)) continue;
      if (quota > 0 && c->tasks_given() >= quota) continue;
      if (!best || c->in_flight() < best->in_flight()) best = c.get();
    }
    if (!best) break;
    std::unique_ptr<ProcessJob> job = std::move(pending_.front());
    pending_.pop_front();
    // cancel()led after the last sweep (DropCancelled): resolved already.
    if (!job->Start()) continue;
    if (trace_) trace_->Dispatched(trace_pool_, job->id(), best->pid());
    best->Push(std::move(job));
  }
  // Write now rather than after the next poll(): usually it all fits.
  for (auto& c : channels_) {
    if (!c->away() && c->poll_out_fd() >= 0) c->Write();
  }
}

// Drops the queued jobs cancel() cancelled (each resolved itself, and its
// trace records it cancelled now).
void ProcessEngine::DropCancelled() {
  std::erase_if(pending_, [](const auto& job) { return job->Cancelled(); });
}

void ProcessEngine::FailPending(const std::exception_ptr& error) {
  while (!pending_.empty()) {
    pending_.front()->Fail(error);
    pending_.pop_front();
  }
}

void ProcessEngine::Broken(std::exception_ptr error) {
  std::lock_guard lock(mu_);
  if (!broken_) broken_ = std::move(error);
  lender_.Recall();
  ready_cv_.notify_all();
}

std::exception_ptr ProcessEngine::BrokenError() const {
  std::lock_guard lock(mu_);
  return broken_;
}

void ProcessEngine::PublishPids() {
  std::vector<pid_t> pids;
  for (const auto& c : channels_) {
    // A channel on loan was serving when it was lent (and its state is the
    // borrower's to read now).
    if (c->away() || c->serving()) pids.push_back(c->pid());
  }
  std::lock_guard lock(mu_);
  pids_ = std::move(pids);
  if (!started_ && static_cast<int>(pids_.size()) == processes_) {
    started_ = true;
    ready_cv_.notify_all();  // The constructor waits for this.
  }
}

}  // namespace pool::internal
