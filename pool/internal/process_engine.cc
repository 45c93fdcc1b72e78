// The parent's side of a process pool. pool/README.md draws the whole picture;
// this file holds the handler loop, which is the only code that touches the
// workers' pipes.
//
// Threads: user threads call Submit/Close/Terminate/Join; one handler thread
// per pool does all I/O. They share only what mu_ guards (the incoming queue,
// the state, the published pids). Everything in workers_ and pending_ belongs
// to the handler thread alone, so the I/O path takes no lock.
//
// The handler loop, once per wake-up:
//   1. take newly submitted jobs (one lock, a vector swap);
//   2. keep `processes_` workers alive: ask the fork server for replacements;
//   3. dispatch: give each pending job to the ready worker with the fewest
//      jobs in flight, up to a depth that adapts to task length (and never
//      more than a worker's remaining maxtasksperchild quota), and write
//      frames at once;
//   4. poll() every pipe that has something to say or room to take more,
//      plus the wake-up pipe and the fork server's socket;
//   5. write what fits, read what arrived, complete finished jobs (this runs
//      callbacks), and settle workers that died.
//
// A worker answers its tasks strictly in order, so the oldest job in its
// in-flight queue is the one it is running. When a worker dies (end of file
// on its result pipe, and the fork server reports its wait status) that one
// job fails with WorkerDiedError; the jobs queued behind it never started and
// go back to the front of the pending queue; a replacement is started.
//
// Shutdown, the only place it is described:
//   close():     no new jobs. The loop goes on until every queued and running
//                job is done, then closes each worker's task pipe. A worker
//                reading end of file exits; when all have been reaped the
//                loop closes the fork server's socket, the server exits, and
//                the loop reaps it and ends.
//   terminate(): no new jobs. The loop closes the fork server's socket at
//                once; the server SIGKILLs and reaps every worker, then
//                exits, and the loop reaps it. Every job not finished fails
//                with CancelledError (running error callbacks), and the loop
//                ends. terminate() returns after that.
//   join():      waits for the loop to end (requires close or terminate).
//   ~Pool():     terminate(), then join(), like Python's `with` block.
// After join() returns, no worker or fork server process exists and every
// fd the pool opened is closed.

#include "pool/internal/process_engine.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <system_error>
#include <utility>

#include "pool/errors.h"
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
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kKeepBuffer = 64 * 1024 * 1024;
constexpr int kMaxIov = 64;

std::system_error SpawnError(int err, int failed_call) {
  const char* call = failed_call == 1 ? "fork" : "pipe";
  if (err == EMFILE || err == ENFILE) return FdLimitError(err, call);
  if (err == EAGAIN && failed_call == 1) {
    return std::system_error(
        err, std::generic_category(),
        "fork: the process limit (RLIMIT_NPROC) or system memory does not "
        "allow another worker process");
  }
  return std::system_error(err, std::generic_category(), call);
}

}  // namespace

struct ProcessEngine::Worker {
  pid_t pid = -1;
  UniqueFd to;    // Task pipe, write end (non-blocking).
  UniqueFd from;  // Result pipe, read end (non-blocking).
  std::deque<std::unique_ptr<ProcessJob>> in_flight;  // In the order sent.
  std::size_t sent = 0;          // Jobs of in_flight written completely.
  std::size_t write_offset = 0;  // Bytes of in_flight[sent] written so far.
  std::string in;                // Bytes received; in[start, end) unparsed.
  std::size_t start = 0, end = 0;
  int tasks_given = 0;
  std::chrono::steady_clock::time_point last_reply;
  bool ready = false;   // Its initializer (if any) succeeded.
  bool eof = false;     // Its result pipe reached end of file.
  bool exited = false;  // The fork server reported its wait status.
  int status = -1;
  std::exception_ptr failure;  // Set if the parent gave up on it.
};

ProcessEngine::ProcessEngine(int processes, WorkerConfig config)
    : processes_(processes), config_(std::move(config)) {
  if (processes < 1) {
    throw UsageError("Number of processes must be at least 1");
  }
  wake_ = MakePipe();
  SetNonBlocking(wake_.read.get());
  SetNonBlocking(wake_.write.get());
  StartServer();
  for (int i = 0; i < processes_; ++i) RequestWorker();
  try {
    handler_ = std::thread(&ProcessEngine::Run, this);
  } catch (...) {
    // No thread (EAGAIN under a process limit): stop the fork server and
    // its workers here, so that nothing is left behind.
    Shutdown(/*terminate=*/true);
    throw;
  }

  // Wait until every worker is up (and initialized), or something failed.
  std::exception_ptr failed;
  {
    std::unique_lock lock(mu_);
    ready_cv_.wait(lock, [&] {
      return static_cast<int>(pids_.size()) == processes_ || broken_;
    });
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
  Terminate();
}

void ProcessEngine::StartServer() {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    ThrowErrno("socketpair");
  }
  UniqueFd ours(sv[0]), theirs(sv[1]);
  // Anything still in stdio or iostream buffers would be copied into the
  // fork server, and from it into every worker, and printed again by each.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    throw SpawnError(errno, 1);
  }
  if (pid == 0) {
    // The fork server never returns into the caller's code.
    RunForkServer(theirs.release(), config_);
  }
  server_pid_ = pid;
  server_ = std::move(ours);
}

void ProcessEngine::RequestWorker() {
  const char request = 'w';
  if (::send(server_.get(), &request, 1, MSG_NOSIGNAL) == 1) {
    ++spawns_requested_;
  }
  // If the send failed, the server is gone; its end of file on the socket
  // is handled in HandleServerMessage.
}

void ProcessEngine::HandleServerMessage() {
  ServerMessage msg{};
  UniqueFd fds[2];
  bool got = false;
  try {
    got = ReceiveServerMessage(server_.get(), msg, fds);
  } catch (const std::system_error&) {
    got = false;
  }
  if (!got) {
    // The fork server died (someone killed it). Workers that are alive go
    // on; no new one can be started, and no exit status will arrive.
    server_.reset();
    if (server_pid_ > 0) {
      while (::waitpid(server_pid_, nullptr, 0) < 0 && errno == EINTR) {
      }
      server_pid_ = -1;
    }
    spawns_requested_ = 0;
    for (auto& w : workers_) {
      if (w->eof) w->exited = true;
    }
    std::lock_guard lock(mu_);
    if (!broken_) {
      broken_ = std::make_exception_ptr(
          Error("the pool's fork server died; no worker can be started"));
    }
    ready_cv_.notify_all();
    return;
  }
  switch (msg.kind) {
    case ServerMessage::kSpawned:
      --spawns_requested_;
      if (!fds[0].valid() || !fds[1].valid()) {
        // The parent hit its own fd limit while receiving the pipes.
        std::lock_guard lock(mu_);
        if (!broken_) broken_ = std::make_exception_ptr(SpawnError(EMFILE, 0));
        ready_cv_.notify_all();
        ::kill(msg.pid, SIGKILL);  // Still unreaped by the server: safe.
        return;
      }
      AdoptWorker(msg.pid, std::move(fds[0]), std::move(fds[1]));
      break;
    case ServerMessage::kSpawnFailed: {
      --spawns_requested_;
      std::lock_guard lock(mu_);
      if (!broken_) {
        broken_ =
            std::make_exception_ptr(SpawnError(msg.value, msg.failed_call));
      }
      ready_cv_.notify_all();
      break;
    }
    case ServerMessage::kExited:
      for (auto& w : workers_) {
        if (w->pid == msg.pid) {
          w->exited = true;
          w->status = msg.value;
        }
      }
      break;
  }
}

void ProcessEngine::AdoptWorker(pid_t pid, UniqueFd task_fd,
                                UniqueFd result_fd) {
  SetNonBlocking(task_fd.get());
  SetNonBlocking(result_fd.get());
  auto w = std::make_unique<Worker>();
  w->pid = pid;
  w->to = std::move(task_fd);
  w->from = std::move(result_fd);
  w->in.resize(kReadChunk);
  // Without an initializer there is nothing to wait for; with one, the
  // worker says "ready" first.
  w->ready = !config_.initializer;
  workers_.push_back(std::move(w));
  PublishPids();
}

void ProcessEngine::PublishPids() {
  std::vector<pid_t> pids;
  for (const auto& w : workers_) {
    if (w->ready && !w->eof) pids.push_back(w->pid);
  }
  std::lock_guard lock(mu_);
  pids_ = std::move(pids);
  ready_cv_.notify_all();
}

std::vector<pid_t> ProcessEngine::WorkerPids() const {
  std::lock_guard lock(mu_);
  return pids_;
}

void ProcessEngine::Submit(std::vector<std::unique_ptr<ProcessJob>> jobs) {
  std::lock_guard lock(mu_);
  if (state_ != State::kRun) throw UsageError("Pool not running");
  if (broken_) std::rethrow_exception(broken_);
  for (auto& job : jobs) {
    job->set_id(next_id_++);
    incoming_.push_back(std::move(job));
  }
  if (handler_polling_ && !wake_sent_) {
    wake_sent_ = true;
    const char byte = 0;
    [[maybe_unused]] ssize_t n = ::write(wake_.write.get(), &byte, 1);
  }
}

void ProcessEngine::Close() {
  std::lock_guard lock(mu_);
  if (state_ == State::kRun) state_ = State::kClose;
  const char byte = 0;
  [[maybe_unused]] ssize_t n = ::write(wake_.write.get(), &byte, 1);
}

void ProcessEngine::Terminate() {
  {
    std::lock_guard lock(mu_);
    state_ = State::kTerminate;
    const char byte = 0;
    [[maybe_unused]] ssize_t n = ::write(wake_.write.get(), &byte, 1);
  }
  // From a callback, the loop acts on it as soon as the callback returns; it
  // cannot wait for itself.
  if (OnHandlerThread()) return;
  std::lock_guard join_lock(join_mu_);
  if (handler_.joinable()) handler_.join();
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
  std::lock_guard join_lock(join_mu_);
  if (handler_.joinable()) handler_.join();
}

// --- The handler thread
// --------------------------------------------------------

void ProcessEngine::Run() {
  // Writing to a pipe whose worker died raises SIGPIPE in the writing
  // thread, which by default kills the whole program. Blocked here, in the
  // only thread that writes to the workers, the write fails with EPIPE
  // instead, whatever disposition the program gives SIGPIPE. (A blocked
  // SIGPIPE stays pending on this thread and is never delivered.)
  sigset_t pipe_only;
  ::sigemptyset(&pipe_only);
  ::sigaddset(&pipe_only, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);

  for (;;) {
    State state;
    std::exception_ptr broken;
    {
      std::lock_guard lock(mu_);
      for (auto& job : incoming_) pending_.push_back(std::move(job));
      incoming_.clear();
      state = state_;
      broken = broken_;
    }
    if (state == State::kTerminate) {
      Shutdown(/*terminate=*/true);
      return;
    }
    if (broken) {
      // No worker can be started: what is queued cannot run.
      while (!pending_.empty()) {
        pending_.front()->Fail(broken);
        pending_.pop_front();
      }
    } else if (state == State::kRun || !pending_.empty()) {
      // Keep the pool at full strength while there is or may be work.
      while (static_cast<int>(workers_.size()) + spawns_requested_ <
                 processes_ &&
             server_.valid()) {
        const int before = spawns_requested_;
        RequestWorker();
        if (spawns_requested_ == before) break;
      }
    }
    Dispatch();

    if (state == State::kClose && pending_.empty()) {
      bool idle = true;
      for (const auto& w : workers_) idle = idle && w->in_flight.empty();
      if (idle) {
        // Nothing left to do: end of file tells each worker to exit.
        for (auto& w : workers_) w->to.reset();
        if (workers_.empty() && spawns_requested_ == 0) {
          Shutdown(/*terminate=*/false);
          return;
        }
      }
    }

    // Step 4. Wait for something to happen.
    std::vector<pollfd>& fds = poll_fds_;  // Reused: no allocation per wake.
    fds.clear();
    fds.push_back({wake_.read.get(), POLLIN, 0});
    fds.push_back({server_.get(), POLLIN, 0});  // -1 (ignored) if gone.
    for (const auto& w : workers_) {
      fds.push_back({w->from.get(), POLLIN, 0});
      const bool has_output = w->to.valid() && w->sent < w->in_flight.size();
      fds.push_back({has_output ? w->to.get() : -1, POLLOUT, 0});
    }
    {
      std::lock_guard lock(mu_);
      if (!incoming_.empty() || state_ != state) continue;
      handler_polling_ = true;
    }
    int ready;
    do {
      ready = ::poll(fds.data(), fds.size(), -1);
    } while (ready < 0 && errno == EINTR);
    {
      std::lock_guard lock(mu_);
      handler_polling_ = false;
      wake_sent_ = false;
    }
    if (ready < 0) {
      std::perror("pool: poll");
      std::abort();  // Only EFAULT/EINVAL/ENOMEM: a bug or no memory left.
    }

    // Step 5. Act on what happened.
    if (fds[0].revents & POLLIN) {
      char buf[256];
      while (::read(wake_.read.get(), buf, sizeof buf) > 0) {
      }
    }
    const std::size_t count = workers_.size();  // Adoption may append.
    for (std::size_t i = 0; i < count; ++i) {
      Worker& w = *workers_[i];
      if (fds[3 + 2 * i].revents & (POLLOUT | POLLERR | POLLHUP)) WriteTo(w);
      if (fds[2 + 2 * i].revents & (POLLIN | POLLHUP | POLLERR)) ReadFrom(w);
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) HandleServerMessage();

    // Settle the workers that are gone: both their pipe and their exit
    // status have arrived, so every reply they sent has been read. They
    // leave worker_pids() before their jobs fail, so that code reacting to
    // a WorkerDiedError no longer sees the dead pid.
    std::vector<std::unique_ptr<Worker>> gone;
    for (auto it = workers_.begin(); it != workers_.end();) {
      if ((*it)->eof && (*it)->exited) {
        gone.push_back(std::move(*it));
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }
    if (!gone.empty()) {
      PublishPids();
      for (auto& w : gone) RetireIfDone(*w);
    }
  }
}

void ProcessEngine::Dispatch() {
  const std::size_t depth =
      std::clamp(static_cast<std::size_t>(kQueueDelayTargetUs / task_us_),
                 kMinInFlight, kMaxInFlight);
  while (!pending_.empty()) {
    Worker* best = nullptr;
    for (auto& w : workers_) {
      if (!w->ready || w->eof || !w->to.valid()) continue;
      if (w->in_flight.size() >= depth) continue;
      if (config_.maxtasksperchild > 0 &&
          w->tasks_given >= config_.maxtasksperchild) {
        continue;
      }
      if (!best || w->in_flight.size() < best->in_flight.size()) {
        best = w.get();
      }
    }
    if (!best) break;
    best->in_flight.push_back(std::move(pending_.front()));
    pending_.pop_front();
    ++best->tasks_given;
  }
  // Write now rather than after the next poll(): usually it all fits.
  for (auto& w : workers_) {
    if (w->to.valid() && w->sent < w->in_flight.size()) WriteTo(*w);
  }
}

void ProcessEngine::WriteTo(Worker& w) {
  while (w.to.valid() && w.sent < w.in_flight.size()) {
    iovec iov[kMaxIov];
    int n = 0;
    std::size_t offset = w.write_offset;
    for (std::size_t i = w.sent; i < w.in_flight.size() && n < kMaxIov; ++i) {
      const std::string& frame = w.in_flight[i]->frame();
      iov[n++] = {const_cast<char*>(frame.data()) + offset,
                  frame.size() - offset};
      offset = 0;
    }
    ssize_t written = ::writev(w.to.get(), iov, n);
    if (written < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;  // Full: poll() says when there is room.
      // EPIPE: the worker is gone. Its end of file and exit status settle
      // its jobs; stop writing to it.
      w.to.reset();
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    while (written > 0) {
      const std::size_t left =
          w.in_flight[w.sent]->frame().size() - w.write_offset;
      if (static_cast<std::size_t>(written) >= left) {
        written -= static_cast<ssize_t>(left);
        w.in_flight[w.sent]->set_sent_at(now);
        ++w.sent;
        w.write_offset = 0;
      } else {
        w.write_offset += static_cast<std::size_t>(written);
        written = 0;
      }
    }
  }
}

void ProcessEngine::ReadFrom(Worker& w) {
  while (w.from.valid()) {
    // Make room. The buffer only grows when it is full of unparsed bytes, so
    // its size stays within twice what the worker actually sent, whatever a
    // frame header claims.
    if (w.end == w.in.size()) {
      if (w.start > 0) {
        std::memmove(w.in.data(), w.in.data() + w.start, w.end - w.start);
        w.end -= w.start;
        w.start = 0;
      } else {
        w.in.resize(2 * w.in.size());
      }
    }
    const ssize_t n =
        ::read(w.from.get(), w.in.data() + w.end, w.in.size() - w.end);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;
      w.from.reset();  // Treated like end of file.
      w.eof = true;
      return;
    }
    if (n == 0) {
      w.from.reset();
      w.eof = true;
      if (!server_.valid()) w.exited = true;  // No status will come.
      return;
    }
    w.end += static_cast<std::size_t>(n);
    try {
      while (w.end - w.start >= kHeaderSize) {
        const FrameHeader h = ReadHeader(w.in.data() + w.start);
        if (w.end - w.start - kHeaderSize < h.size) break;
        Reader body(w.in.data() + w.start + kHeaderSize, h.size);
        w.start += kHeaderSize + h.size;
        HandleFrame(w, h, body);
      }
    } catch (const ProtocolError& e) {
      FailWorker(w, e.what());
      return;
    }
    if (w.start == w.end) w.start = w.end = 0;
    // Keep the buffer for the next large reply (fresh memory costs a page
    // fault per 4 KiB), unless it is very large.
    if (w.in.size() > kKeepBuffer && w.end == 0) {
      std::string(kReadChunk, '\0').swap(w.in);  // Shrink after a big reply.
    }
  }
}

void ProcessEngine::HandleFrame(Worker& w, const FrameHeader& h, Reader& body) {
  if (h.task_id == kReadyId) {
    if (w.ready) throw ProtocolError("a second ready message");
    if (Decode<bool>(body)) {
      w.ready = true;
      PublishPids();
      return;
    }
    const TaskError e = DecodeTaskError(body);
    std::lock_guard lock(mu_);
    if (!broken_) {
      broken_ = std::make_exception_ptr(
          InitializerError("initializer failed in worker " +
                           std::to_string(w.pid) + ": " + e.what()));
    }
    ready_cv_.notify_all();
    return;
  }
  if (w.sent == 0 || w.in_flight.front()->id() != h.task_id) {
    throw ProtocolError("worker " + std::to_string(w.pid) + " answered task " +
                        std::to_string(h.task_id) +
                        ", which it was not running");
  }
  std::unique_ptr<ProcessJob> job = std::move(w.in_flight.front());
  w.in_flight.pop_front();
  --w.sent;
  // Estimate how long a task takes: the worker started it when both it had
  // been sent and the worker had finished the one before.
  const auto now = std::chrono::steady_clock::now();
  const double us = std::chrono::duration<double, std::micro>(
                        now - std::max(job->sent_at(), w.last_reply))
                        .count();
  task_us_ = 0.9 * task_us_ + 0.1 * std::max(us, 0.1);
  w.last_reply = now;
  try {
    job->Complete(body);  // Runs the callback, if any.
  } catch (const ProtocolError&) {
    job->Fail(std::current_exception());
    throw;
  }
}

void ProcessEngine::FailWorker(Worker& w, const char* why) {
  // The worker broke the protocol; it cannot be trusted with more work. It
  // has not been reported as exited, so the fork server has not reaped it
  // and its pid cannot have been reused: kill() hits the right process.
  if (!w.failure) w.failure = std::make_exception_ptr(ProtocolError(why));
  if (!w.exited) ::kill(w.pid, SIGKILL);
  w.from.reset();
  w.to.reset();
  w.eof = true;
  if (!server_.valid()) w.exited = true;
}

void ProcessEngine::RetireIfDone(Worker& w) {
  if (!w.ready) {
    // It died before its initializer finished.
    std::lock_guard lock(mu_);
    if (!broken_) {
      broken_ = std::make_exception_ptr(InitializerError(
          "worker " + std::to_string(w.pid) + " " +
          DescribeWaitStatus(w.status) + " while running the initializer"));
    }
    ready_cv_.notify_all();
  }
  if (w.in_flight.empty()) return;  // Retired (maxtasksperchild) or idle.
  // The oldest job had started if any of it was written; it fails. The
  // others never started and go back to the front of the queue, in order.
  if (w.sent > 0 || w.write_offset > 0) {
    std::unique_ptr<ProcessJob> job = std::move(w.in_flight.front());
    w.in_flight.pop_front();
    job->Fail(w.failure ? w.failure
                        : std::make_exception_ptr(
                              WorkerDiedError(w.pid, w.status, job->id())));
  }
  while (!w.in_flight.empty()) {
    pending_.push_front(std::move(w.in_flight.back()));
    w.in_flight.pop_back();
  }
}

void ProcessEngine::Shutdown(bool terminate) {
  // Closing the socket tells the fork server to SIGKILL and reap every
  // worker it started (after close() they have all exited already) and to
  // exit; waiting for the server therefore waits for all of them.
  server_.reset();
  if (server_pid_ > 0) {
    while (::waitpid(server_pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    server_pid_ = -1;
  } else {
    // The server died earlier; its orphaned workers are not ours to reap,
    // but they must not go on running.
    for (auto& w : workers_) {
      if (!w->exited) ::kill(w->pid, SIGKILL);
    }
  }
  if (terminate) {
    auto cancelled = std::make_exception_ptr(CancelledError(
        "cancelled: terminate() was called before this task finished"));
    for (auto& w : workers_) {
      for (auto& job : w->in_flight) job->Fail(cancelled);
    }
    for (auto& job : pending_) job->Fail(cancelled);
  }
  pending_.clear();
  workers_.clear();  // Closes every pipe.
  PublishPids();
}

}  // namespace pool::internal
