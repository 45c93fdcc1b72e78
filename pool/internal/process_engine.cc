// The parent's side of a process pool: a scheduler over WorkerChannels.
// pool/README.md draws the whole picture.
//
// Threads: user threads call Submit/Apply/Close/Terminate/Join; one handler
// thread per pool does all other I/O. They share only what mu_ guards (the
// incoming queue, the state, the published pids, the broken flag, the
// channels on loan). Everything in channels_ and pending_ belongs to the
// handler thread alone, except a channel it has lent out (below), so the
// I/O path takes no lock.
//
// The handler loop, once per wake-up (Step):
//   1. take newly submitted jobs (one lock, a vector swap);
//   2. keep `processes_` workers alive: ask the fork server for
//      replacements (after a failure, again after a back-off);
//   3. dispatch: give each pending job to the serving worker with the
//      fewest jobs in flight, up to a depth that adapts to task length (and
//      never more than a worker's remaining maxtasksperchild quota), and
//      write frames at once;
//   4. poll() every pipe that has something to say or room to take more,
//      plus the wake-up pipe and the fork server's socket;
//   5. write what fits, read what arrived, complete finished jobs (this runs
//      callbacks), and settle the workers the fork server reports dead.
//
// Lending, the fast path of apply(). A blocking apply() through the handler
// costs four thread or process switches (caller -> handler -> worker ->
// handler -> caller); a bare pipe round trip costs two. So when the handler
// is about to sleep in poll() with nothing queued, it offers its idle
// channels (idle_, under mu_) and leaves them out of its poll() set. A
// thread in Apply() takes one, writes its frame, and waits in poll() on that
// worker's result pipe, its pidfd (so that a death is seen at once) and
// stop_ (so that terminate() can call the channel back); it reads the reply
// with the channel's own checks, which resolves the job, and gives the
// channel back. Each channel still has one user at a time: the handler, or
// the one thread it is lent to; the hand-overs happen under mu_. Anything
// out of the ordinary (the worker died, a frame broke the protocol, the
// reply did not come before terminate()) ends the loan: the channel goes
// back to the handler as it is, job in flight included, and the handler
// settles it exactly as if it had sent the job itself; the caller waits for
// the result like any other. The handler takes its offers back as soon as
// poll() returns, and while a channel is lent it is never touched by the
// handler: an exit the fork server reports for its worker meanwhile is kept
// in away_exits_ until the channel comes back. terminate() waits for every
// loan to end (AwaitLoans) before it kills anything.
//
// A worker's death is known from its exit status, which the fork server
// sends; the channel then reads what the worker wrote before dying and
// settles: the job it had really started fails, the others go back to the
// front of the queue (worker_channel.h). End of file on a result pipe is
// not needed for any of it.
//
// A transient failure to start a worker (no fd free, fork() refused) is
// retried with a back-off of 10 ms doubling to 1 s; while no worker is left
// to run them, queued jobs fail with that error instead of waiting. Two
// failures break the pool for good, and every later call reports why:
// an initializer that fails, and a fork server that dies. A new fork server
// would have to be forked from this process, which has threads now: a lock
// held by one of them at that moment would stay locked forever in the
// server and in every worker it forks, which is the very hazard the fork
// server exists to avoid.
//
// Shutdown (close, terminate, join, the destructor) is described in one
// place, pool/README.md's "Shutdown"; Shutdown() below and
// ForkServer::Stop() (fork_server.cc) carry it out. Nothing in it waits for
// end of file on a pipe or a socket.

#include "pool/internal/process_engine.h"

#include <errno.h>
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

#include "pool/errors.h"
#include "pool/internal/fork_gate.h"
#include "pool/internal/wire.h"

namespace pool::internal {
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

constexpr std::chrono::milliseconds kMinBackoff{10};
constexpr std::chrono::milliseconds kMaxBackoff{1000};
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

}  // namespace

ProcessEngine::ProcessEngine(int processes, WorkerConfig config,
                             const std::string& trace)
    : processes_(processes),
      trace_(Trace::ForPool(trace)),
      trace_pool_(trace_ ? trace_->AddPool("Pool") : 0),
      config_(Traced(std::move(config), trace_ != nullptr)),
      max_frame_(MaxFrameBytes()) {
  if (processes < 1) {
    throw UsageError("Number of processes must be at least 1");
  }
  {
    ForkGateShared gate;
    for (int i = processes_ - 1; i >= 0; --i) free_slots_.push_back(i);
    wake_ = MakePipe();
    SetNonBlocking(wake_.read.get());
    SetNonBlocking(wake_.write.get());
    stop_ = MakeEventFd();
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
    Shutdown(CancelledByTerminate());
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
  if (OnHandlerThread()) {
    std::fprintf(stderr,
                 "pool: a Pool was destroyed from one of its own callbacks; "
                 "that cannot work (the callback runs on the thread the "
                 "destructor must wait for)\n");
    std::abort();
  }
  Terminate("~Pool(): terminate()");
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
    const char byte = 0;
    [[maybe_unused]] ssize_t n = ::write(wake_.write.get(), &byte, 1);
  }
}

void ProcessEngine::NumberLocked(ProcessJob& job, std::int64_t submit_ns) {
  job.set_id(next_id_++);
  if (trace_) {
    job.set_trace(trace_.get(), trace_pool_);
    trace_->Submitted(trace_pool_, job.id(), job.label(), submit_ns);
  }
}

void ProcessEngine::QueueLocked(std::unique_ptr<ProcessJob> job,
                                std::int64_t submit_ns) {
  NumberLocked(*job, submit_ns);
  incoming_.push_back(std::move(job));
}

void ProcessEngine::Submit(std::vector<std::unique_ptr<ProcessJob>> jobs) {
  const std::int64_t begin = trace_ ? MonotonicNs() : 0;
  ForkGateShared gate;
  std::lock_guard lock(mu_);
  CheckRunningLocked();
  incoming_.reserve(incoming_.size() + jobs.size());
  for (auto& job : jobs) QueueLocked(std::move(job), begin);
  WakeHandlerLocked();
}

void ProcessEngine::Submit(std::unique_ptr<ProcessJob> job) {
  const std::int64_t begin = trace_ ? MonotonicNs() : 0;
  ForkGateShared gate;
  std::lock_guard lock(mu_);
  CheckRunningLocked();
  QueueLocked(std::move(job), begin);
  WakeHandlerLocked();
}

void ProcessEngine::Apply(std::unique_ptr<ProcessJob> job) {
  const std::int64_t begin = trace_ ? MonotonicNs() : 0;
  ForkGateShared gate;
  WorkerChannel* channel = nullptr;
  {
    std::lock_guard lock(mu_);
    CheckRunningLocked();
    // Jobs queued before this one go first: it takes the handler's path.
    if (idle_.empty() || !incoming_.empty()) {
      QueueLocked(std::move(job), begin);
      WakeHandlerLocked();
      return;
    }
    NumberLocked(*job, begin);
    channel = idle_.back();
    idle_.pop_back();
    ++lent_;
  }
  if (trace_) trace_->Dispatched(trace_pool_, job->id(), channel->pid());
  const bool idle = RunOnLoan(*channel, job);
  GiveBack(channel, idle, std::move(job));
}

// Runs `job` on `channel`, lent to the calling thread; see the top of this
// file. Leaves `job` set if it could not be handed to the channel. Returns
// whether the channel is idle again and could be lent once more.
bool ProcessEngine::RunOnLoan(WorkerChannel& channel,
                              std::unique_ptr<ProcessJob>& job) {
  try {
    channel.Push(std::move(job));  // Left in `job` if this throws.
    channel.Write();
    bool died = false;
    while (channel.in_flight() > 0 && channel.poll_in_fd() >= 0) {
      pollfd fds[4] = {{channel.poll_in_fd(), POLLIN, 0},
                       {channel.pidfd(), POLLIN, 0},
                       {stop_.get(), POLLIN, 0},
                       {channel.poll_out_fd(), POLLOUT, 0}};
      const nfds_t count = fds[3].fd >= 0 ? 4 : 3;
      int ready;
      {
        ForkGateOpen open;  // No allocation while waiting (fork_gate.h).
        do {
          ready = ::poll(fds, count, -1);
        } while (ready < 0 && errno == EINTR);
      }
      if (ready < 0) return false;  // The handler takes over.
      if (count == 4 && fds[3].revents != 0) channel.Write();
      if (fds[0].revents != 0) channel.Read(/*until_answered=*/true);
      if (fds[1].revents != 0) {
        // The worker is gone. What it wrote before is in the pipe: read it,
        // then let the handler settle the rest when its exit is reported.
        died = true;
        if (channel.poll_in_fd() >= 0) channel.Read(/*until_answered=*/true);
        break;
      }
      if (fds[2].revents != 0) return false;  // terminate(), or broken.
    }
    return !died && channel.Idle(config_.maxtasksperchild);
  } catch (...) {
    // Out of memory in the parent, say: the handler takes the channel back
    // as it is, and the job with it.
    return false;
  }
}

void ProcessEngine::GiveBack(WorkerChannel* channel, bool idle,
                             std::unique_ptr<ProcessJob> unsent) {
  std::lock_guard lock(mu_);
  if (unsent) incoming_.push_back(std::move(unsent));  // It has its id.
  const bool exit_reported =
      std::any_of(away_exits_.begin(), away_exits_.end(),
                  [&](const auto& e) { return e.first == channel->pid(); });
  if (idle && !exit_reported && handler_polling_ && state_ == State::kRun &&
      !broken_ && incoming_.empty()) {
    // The handler is still in the poll() it offered this channel before:
    // offered again, without waking it.
    idle_.push_back(channel);
  } else {
    returned_.push_back(channel);
    WakeHandlerLocked();
  }
  if (--lent_ == 0) lent_cv_.notify_all();
}

// Takes back the channels offered and those given back; `returned` gets the
// latter, each with its worker's exit status if one was reported while it
// was away.
void ProcessEngine::ReclaimLocked(std::vector<Returned>& returned) {
  for (WorkerChannel* c : idle_) c->set_away(false);
  idle_.clear();
  for (WorkerChannel* c : returned_) {
    c->set_away(false);
    std::optional<int> status;
    auto it = std::find_if(away_exits_.begin(), away_exits_.end(),
                           [&](const auto& e) { return e.first == c->pid(); });
    if (it != away_exits_.end()) {
      status = it->second;
      away_exits_.erase(it);
    }
    returned.push_back({c, status});
  }
  returned_.clear();
}

// Deals with what came back from a loan that ended out of the ordinary.
void ProcessEngine::SettleReturned(std::vector<Returned>& returned) {
  for (const Returned& r : returned) {
    if (r.exit_status) {
      OnWorkerExit(r.channel, *r.exit_status);
    } else if (!server_ || !server_->alive()) {
      // The fork server died while it was lent (ServerDied).
      std::exception_ptr error;
      {
        std::lock_guard lock(mu_);
        error = broken_;
      }
      auto it =
          std::find_if(channels_.begin(), channels_.end(),
                       [&](const auto& c) { return c.get() == r.channel; });
      std::unique_ptr<WorkerChannel> gone = std::move(*it);
      channels_.erase(it);
      gone->Abandon(error);
      PublishPids();
    }
    // Otherwise the handler goes on with it as with any of its channels:
    // reads the reply still to come, or sees its end of file.
  }
  returned.clear();
}

// Waits until no channel is lent out, then takes every channel back. Only
// after terminate() or once the pool is broken: stop_ is readable, so every
// thread holding a channel gives it back promptly.
void ProcessEngine::AwaitLoans() {
  std::vector<Returned> returned;
  {
    // Let go of the fork gate while waiting: a borrower comes back through
    // it after its poll().
    ForkGateOpen open;
    std::unique_lock lock(mu_);
    lent_cv_.wait(lock, [&] { return lent_ == 0; });
    ReclaimLocked(returned);
    away_exits_.clear();
  }
}

void ProcessEngine::Close() {
  if (trace_) {
    ForkGateShared gate;
    trace_->Lifecycle(trace_pool_, "close()");
  }
  std::lock_guard lock(mu_);
  if (state_ == State::kRun) state_ = State::kClose;
  const char byte = 0;
  [[maybe_unused]] ssize_t n = ::write(wake_.write.get(), &byte, 1);
}

void ProcessEngine::Terminate(const char* why) {
  if (trace_) {
    ForkGateShared gate;  // It allocates (fork_gate.h).
    trace_->Lifecycle(trace_pool_, why);
  }
  {
    std::lock_guard lock(mu_);
    state_ = State::kTerminate;
    const char byte = 0;
    [[maybe_unused]] ssize_t n = ::write(wake_.write.get(), &byte, 1);
    SignalEventFd(stop_.get());  // Calls lent channels back.
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

// --- The handler thread -----------------------------------------------------

void ProcessEngine::Run() {
  // No write of this thread can raise SIGPIPE: every task pipe keeps a
  // reader in this process (worker_channel.h), the wake-up pipe is this
  // process's own, and the fork server's socket is written with
  // MSG_NOSIGNAL. So the program's SIGPIPE disposition and this thread's
  // signal mask are left alone.
  ForkGateShared gate;  // Let go of only around waits (Step, AwaitLoans).
  if (trace_) trace_->HandlerThread(trace_pool_);
  std::vector<Returned> returned;
  try {
    for (;;) {
      State state;
      {
        std::lock_guard lock(mu_);
        for (auto& job : incoming_) pending_.push_back(std::move(job));
        incoming_.clear();
        ReclaimLocked(returned);
        state = state_;
      }
      if (state == State::kTerminate) {
        Shutdown(CancelledByTerminate());
        return;
      }
      SettleReturned(returned);
      if (state == State::kClose && pending_.empty() &&
          std::all_of(channels_.begin(), channels_.end(), [](const auto& c) {
            return !c->away() && c->in_flight() == 0;
          })) {
        // Nothing left to do: ask every worker to exit, and the fork server
        // to exit after them.
        for (auto& c : channels_) c->SendStop();
        if (spawns_requested_ == 0 && server_ && server_->alive()) {
          server_->Finish();
        }
        if (channels_.empty() && spawns_requested_ == 0) {
          Shutdown(nullptr);
          return;
        }
      }
      Step(state);
    }
  } catch (...) {
    // Only a bug or a failed allocation of the loop's own gets here. Every
    // job still open fails with it, rather than the program ending in
    // std::terminate.
    const std::exception_ptr error =
        CurrentExceptionAsPoolError("the pool's handler thread failed");
    Broken(error);
    Shutdown(error);
  }
}

void ProcessEngine::Step(State state) {
  std::exception_ptr broken;
  {
    std::lock_guard lock(mu_);
    broken = broken_;
  }
  if (broken) {
    // No worker can be started: what is queued cannot run.
    while (!pending_.empty()) {
      pending_.front()->Fail(broken);
      pending_.pop_front();
    }
  } else if (state == State::kRun || !pending_.empty()) {
    // Keep the pool at full strength while there is or may be work.
    Replenish();
  }
  Dispatch();

  // Step 4. Wait for something to happen. Only open fds go into the array:
  // poll() fails with EINVAL when it has more entries than RLIMIT_NOFILE,
  // and a program may lower that limit while the pool runs. With nothing
  // queued, idle channels are offered for lending instead of polled.
  std::vector<pollfd>& fds = poll_fds_;   // Reused: no allocation per wake.
  std::vector<int>& where = poll_index_;  // Per channel: its first entry.
  fds.clear();
  where.clear();
  offer_.clear();
  fds.push_back({wake_.read.get(), POLLIN, 0});
  const bool server_open = server_ && server_->alive();
  if (server_open) fds.push_back({server_->fd(), POLLIN, 0});
  const bool lend = state == State::kRun && !broken && pending_.empty();
  std::optional<Clock::time_point> deadline;
  for (const auto& c : channels_) {
    where.push_back(static_cast<int>(fds.size()));
    if (c->away()) continue;
    if (lend && c->Idle(config_.maxtasksperchild)) {
      offer_.push_back(c.get());
      continue;
    }
    if (c->poll_in_fd() >= 0) fds.push_back({c->poll_in_fd(), POLLIN, 0});
    if (c->poll_out_fd() >= 0) fds.push_back({c->poll_out_fd(), POLLOUT, 0});
    if (c->eof_deadline() && (!deadline || *c->eof_deadline() < *deadline)) {
      deadline = *c->eof_deadline();
    }
  }
  where.push_back(static_cast<int>(fds.size()));
  const bool short_handed =
      static_cast<int>(channels_.size()) + spawns_requested_ < processes_;
  if (spawn_error_ && short_handed && !broken &&
      (state == State::kRun || !pending_.empty()) &&
      (!deadline || retry_at_ < *deadline)) {
    deadline = retry_at_;
  }
  int timeout_ms = -1;
  if (deadline) {  // Rare: the clock is read only then.
    timeout_ms = static_cast<int>(std::clamp<long long>(
        std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now())
            .count(),
        0, 1000));
  }
  {
    std::lock_guard lock(mu_);
    if (!incoming_.empty() || !returned_.empty() || state_ != state) return;
    for (WorkerChannel* c : offer_) c->set_away(true);
    idle_.assign(offer_.begin(), offer_.end());
    handler_polling_ = true;
  }
  int ready;
  {
    ForkGateOpen open;  // No allocation while waiting (fork_gate.h).
    ready = PollAll(fds, timeout_ms);
  }
  {
    std::lock_guard lock(mu_);
    handler_polling_ = false;
    wake_sent_ = false;
    // The offers not taken come back now; lent ones when their loan ends.
    for (WorkerChannel* c : idle_) c->set_away(false);
    idle_.clear();
  }
  if (ready < 0) {
    throw OsError(errno, "poll");  // EFAULT/ENOMEM: nothing to do.
  }

  // Step 5. Act on what happened.
  if (fds[0].revents & POLLIN) {
    char buf[256];
    while (::read(wake_.read.get(), buf, sizeof buf) > 0) {
    }
  }
  const std::size_t count = channels_.size();  // Adoption may append.
  for (std::size_t i = 0; i < count; ++i) {
    WorkerChannel& c = *channels_[i];
    short in = 0, out = 0;
    for (int k = where[i]; k < where[i + 1]; ++k) {
      ((fds[k].events & POLLIN) ? in : out) = fds[k].revents;
    }
    if (out & (POLLOUT | POLLERR | POLLHUP)) c.Write();
    if (in & (POLLIN | POLLHUP | POLLERR)) {
      OnRead(c.Read());
    }
  }
  if (deadline) {
    const auto after = Clock::now();
    for (auto& c : channels_) {
      if (!c->away() && c->eof_deadline() && *c->eof_deadline() <= after) {
        c->BreakProtocol("closed its result pipe (fd 4) but did not exit");
        PublishPids();
      }
    }
  }
  if (server_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
    HandleServerMessage();
  }
}

void ProcessEngine::Replenish() {
  if (!server_ || !server_->alive()) return;
  if (spawn_error_ && Clock::now() < retry_at_) return;
  while (static_cast<int>(channels_.size()) + spawns_requested_ < processes_ &&
         !free_slots_.empty()) {
    if (!server_->RequestWorker(free_slots_.back())) return;  // It died.
    free_slots_.pop_back();
    ++spawns_requested_;
  }
}

void ProcessEngine::HandleServerMessage() {
  ServerEvent event = server_->Receive();
  if (std::holds_alternative<ServerGone>(event)) {
    if (server_->finishing()) {
      // close(): it exits by itself once it has reported every worker's
      // exit, and the handler usually reaps it (Shutdown) before reading
      // this end of file. Any worker not reported yet had no job left and
      // dies with the server (PR_SET_PDEATHSIG).
      server_->Stop();
      const std::exception_ptr gone = std::make_exception_ptr(
          CancelledError("the pool was closed and its fork server exited"));
      for (auto& c : channels_) c->Abandon(gone);
      channels_.clear();
      spawns_requested_ = 0;
      PublishPids();
      return;
    }
    ServerDied();
    return;
  }
  if (auto* started = std::get_if<WorkerStarted>(&event)) {
    --spawns_requested_;
    std::unique_ptr<WorkerChannel> c;
    try {
      c = std::make_unique<WorkerChannel>(
          WorkerChannel::Setup{.pid = started->pid,
                               .fds = std::move(started->fds),
                               .slot = server_->slot(started->slot),
                               .slot_index = started->slot,
                               .ready = !config_.initializer,
                               .max_frame = max_frame_,
                               .reply_key = server_->reply_key()});
    } catch (...) {
      free_slots_.push_back(started->slot);
      OnSpawnFailure(CurrentExceptionAsPoolError("starting a worker"));
      return;
    }
    if (trace_) {
      c->set_trace(trace_.get(), trace_pool_);
      trace_->WorkerStarted(trace_pool_, started->pid, started->slot);
    }
    channels_.push_back(std::move(c));
    spawn_error_ = nullptr;
    backoff_ = std::chrono::milliseconds(0);
    PublishPids();
    return;
  }
  if (auto* failed = std::get_if<WorkerStartFailed>(&event)) {
    --spawns_requested_;
    free_slots_.push_back(failed->slot);
    OnSpawnFailure(failed->error);
    return;
  }
  const auto& exited = std::get<WorkerExited>(event);
  auto it = std::find_if(channels_.begin(), channels_.end(),
                         [&](const auto& c) { return c->pid() == exited.pid; });
  if (it == channels_.end()) return;  // One whose fds never arrived.
  if ((*it)->away()) {
    // Lent: settled when it comes back (its borrower sees the death
    // through the pidfd and gives it back).
    std::lock_guard lock(mu_);
    away_exits_.emplace_back(exited.pid, exited.wait_status);
    return;
  }
  OnWorkerExit(it->get(), exited.wait_status);
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
  spawn_error_ = error;
  backoff_ = std::clamp(2 * backoff_, kMinBackoff, kMaxBackoff);
  retry_at_ = Clock::now() + backoff_;
  // With no worker left to run them, queued jobs would wait until the
  // cause goes away; they fail with it now instead. Later jobs get the
  // next attempt.
  const bool serving = std::any_of(
      channels_.begin(), channels_.end(),
      [](const auto& c) { return c->away() || c->serving() || !c->ready(); });
  if (serving) return;
  while (!pending_.empty()) {
    pending_.front()->Fail(error);
    pending_.pop_front();
  }
}

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
  while (!pending_.empty()) {
    pending_.front()->Fail(error);
    pending_.pop_front();
  }
}

void ProcessEngine::Broken(std::exception_ptr error) {
  std::lock_guard lock(mu_);
  if (!broken_) broken_ = std::move(error);
  SignalEventFd(stop_.get());  // Calls lent channels back.
  ready_cv_.notify_all();
}

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
    if (trace_) {
      trace_->Dispatched(trace_pool_, pending_.front()->id(), best->pid());
    }
    best->Push(std::move(pending_.front()));
    pending_.pop_front();
  }
  // Write now rather than after the next poll(): usually it all fits.
  for (auto& c : channels_) {
    if (!c->away() && c->poll_out_fd() >= 0) c->Write();
  }
}

void ProcessEngine::Shutdown(std::exception_ptr cancel) {
  // terminate(): every worker is SIGKILLed first, through its pidfd. Then
  // the fork server is asked to stop; it kills and reaps every worker it
  // started (after close() they have all exited already) and exits, and
  // is reaped here, so no process is left when the jobs fail. A channel lent
  // to a thread in apply() is called back first (AwaitLoans).
  if (cancel) AwaitLoans();
  if (cancel) {
    for (auto& c : channels_) c->Kill();
    if (trace_) {
      for (auto& c : channels_) c->TraceKilled();
    }
  }
  server_.reset();
  if (cancel) {
    for (auto& c : channels_) c->Cancel(cancel);
    for (auto& job : pending_) job->Fail(cancel);
  }
  pending_.clear();
  channels_.clear();  // Closes every pipe and pidfd.
  PublishPids();
}

}  // namespace pool::internal
