// The worker: see worker.h. What it does with each task is step 5 of "The
// life of a task" in pool/README.md.
//
// Whatever happens, a worker never returns (or throws) into the code that
// forked it: every path ends in _exit(). Only the worker process itself
// answers: a process forked by a task that returns into this loop instead of
// calling _exit() is stopped here before it can write anything.

#include "pool/internal/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio_ext.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "pool/codec.h"
#include "pool/internal/fd.h"
#include "pool/internal/job.h"
#include "pool/internal/trace.h"
#include "pool/internal/wire.h"

namespace pool::internal {
namespace {

constexpr int kTaskFd = 3;
constexpr int kResultFd = 4;
constexpr std::size_t kReadChunk = 64 * 1024;
// Buffers are kept between tasks (fresh memory costs a page fault per
// 4 KiB) unless they grew beyond this.
constexpr std::size_t kKeepBuffer = 64 * 1024 * 1024;

// Exit codes of a worker that cannot go on (the parent reports them).
constexpr int kExitProtocolError = 70;
constexpr int kExitSetupError = 71;
constexpr int kExitInternalError = 72;

// Places `a` at fd 3 and `b` at fd 4 whatever numbers they have now.
void PlaceFds(int a, int b) {
  // Move both out of the way first, so neither dup2 below closes the other.
  const int ha = ::fcntl(a, F_DUPFD_CLOEXEC, 10);
  const int hb = ::fcntl(b, F_DUPFD_CLOEXEC, 10);
  if (ha < 0 || hb < 0) ::_exit(kExitSetupError);
  if (::dup2(ha, kTaskFd) < 0 || ::dup2(hb, kResultFd) < 0) {
    ::_exit(kExitSetupError);
  }
  // dup2 clears close-on-exec; a task that exec()s must not pass them on.
  ::fcntl(kTaskFd, F_SETFD, FD_CLOEXEC);
  ::fcntl(kResultFd, F_SETFD, FD_CLOEXEC);
  CloseFdsFrom(kResultFd + 1);
}

// Before _exit, which does not flush: every stream.
void FlushOutput() {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
}

// After each task, before its reply: what it printed to the standard
// streams must have reached its destination when its result is known
// (faults/output_test). fflush(nullptr) would walk and lock every open
// FILE; C stdio's buffers are only looked at here, and flushed if they
// hold something.
void FlushStandardOutput() {
  std::cout.flush();
  std::cerr.flush();
  if (::__fpending(stdout) > 0) std::fflush(stdout);
  if (::__fpending(stderr) > 0) std::fflush(stderr);
}

// Set in a child forked from this worker (by a fork handler, which fork()
// runs in the child): only then can the process running the loop be
// another one than the worker, and only then is getpid() asked, so the hot
// path makes no system call for it.
volatile sig_atomic_t forked_from_worker = 0;
void MarkForkedChild() { forked_from_worker = 1; }

// True in a process forked from the worker by a task: it must not answer.
bool NotTheWorker(pid_t self) {
  return forked_from_worker != 0 && ::getpid() != self;
}

// Set once the worker has run an initializer or a task. Until then nothing
// it holds in a stdio buffer is its own (the parent flushed before the fork
// server was forked), so a worker that never ran any exits without the
// flush, which walks every stream.
bool ran_user_code = false;

[[noreturn]] void Exit(int code) {
  if (ran_user_code) FlushOutput();
  ::_exit(code);
}

// Writes a whole frame; a parent that has gone away means there is nobody to
// work for.
void Send(const std::string& frame) {
  static bool pipe_grown = false;
  GrowPipeFor(kResultFd, frame.size(), pipe_grown);
  try {
    if (!WriteAll(kResultFd, frame.data(), frame.size())) Exit(0);
  } catch (const std::exception&) {
    Exit(0);
  }
}

// Signals. The fork server ignores SIGINT and SIGQUIT and blocks SIGCHLD; a
// worker runs user code and gets the defaults back. SIGPIPE stays ignored: a
// write to a dead parent fails with EPIPE and the worker exits quietly.
// Workers live in the fork server's process group, which is never a
// terminal's foreground group: SIGTTIN and SIGTTOU are ignored, so that a
// task reading the terminal gets EIO (and one writing to it succeeds)
// instead of stopping for good.
void SetUpSignals(pid_t server) {
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  ::sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGQUIT, &sa, nullptr);
  ::sigaction(SIGCHLD, &sa, nullptr);
  sa.sa_handler = SIG_IGN;
  ::sigaction(SIGTTIN, &sa, nullptr);
  ::sigaction(SIGTTOU, &sa, nullptr);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);  // The server blocks SIGCHLD.
  // The worker dies with its fork server (killed by someone), whose death
  // makes the pool refuse work: no worker lives on unsupervised. The server
  // is single-threaded, so "the thread that forked me" is the server.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != server) ::_exit(0);  // It died before prctl.
}

// Options::memory_limit (pool.h): soft and hard RLIMIT_AS, so that a task
// cannot raise it again. Never above the hard limit the worker inherited
// (lowering a limit always succeeds).
void LimitMemory(std::uint64_t bytes) {
  if (bytes == 0) return;
  rlimit lim{};
  ::getrlimit(RLIMIT_AS, &lim);
  const rlim_t value = lim.rlim_max == RLIM_INFINITY
                           ? static_cast<rlim_t>(bytes)
                           : std::min<rlim_t>(lim.rlim_max, bytes);
  lim.rlim_cur = lim.rlim_max = value;
  ::setrlimit(RLIMIT_AS, &lim);
}

// Options::cpu_time_limit (pool.h), per task, with RLIMIT_CPU, which
// limits the CPU time of the whole process in whole seconds. Before each
// task (and the initializer) the soft limit moves to the CPU time used so
// far plus the budget: the kernel sends SIGXCPU, which kills, when the task
// has used the budget (up to a second more, as the count is rounded up).
// The hard limit is set once, to twice the budget plus 2 s, because a task
// could raise its own soft limit up to it; there the kernel sends SIGKILL.
// A worker whose CPU time leaves less than one budget below the hard limit
// retires before its next task (Renew() is false), so every task gets a
// whole budget; the first task always does.
class CpuBudget {
 public:
  explicit CpuBudget(std::int64_t seconds) : seconds_(seconds) {
    if (seconds_ == 0) return;
    rlimit lim{};
    ::getrlimit(RLIMIT_CPU, &lim);
    const rlim_t wanted = static_cast<rlim_t>(UsedSeconds() + 2 * seconds_ + 2);
    // The pool checked that the inherited hard limit allows this
    // (CheckLimits, backend.cc); a smaller one still bounds every task.
    hard_ =
        lim.rlim_max == RLIM_INFINITY ? wanted : std::min(lim.rlim_max, wanted);
    lim.rlim_max = hard_;
    lim.rlim_cur = hard_;
    ::setrlimit(RLIMIT_CPU, &lim);
  }
  // Gives the next task a whole budget; false if the hard limit leaves too
  // little for one, and the worker should retire.
  bool Renew() {
    if (seconds_ == 0) return true;
    const rlim_t soft = static_cast<rlim_t>(UsedSeconds() + seconds_);
    if (soft >= hard_) return false;
    if (soft != soft_) {
      const rlimit lim{soft, hard_};
      ::setrlimit(RLIMIT_CPU, &lim);
      soft_ = soft;
    }
    return true;
  }

 private:
  // The CPU time used so far, rounded up to whole seconds.
  static std::int64_t UsedSeconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + (ts.tv_nsec > 0 ? 1 : 0);
  }

  const std::int64_t seconds_;
  rlim_t hard_ = RLIM_INFINITY;
  rlim_t soft_ = RLIM_INFINITY;
};

// Step 3's record of a task's start, in the WorkerSlot (worker.h). If the
// parent stopped this worker at a deadline, the task must not start: the
// worker waits for the SIGKILL that follows. Returns the start time, which
// a trace also records (trace.h: the same clock).
std::int64_t RecordStart(WorkerSlot& slot, std::uint64_t seq) {
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::steady_clock::now().time_since_epoch())
          .count();
  slot.started_at.store(now, std::memory_order_relaxed);
  std::uint64_t previous = seq - 1;
  if (!slot.started.compare_exchange_strong(previous, seq,
                                            std::memory_order_acq_rel)) {
    for (;;) ::pause();
  }
  return now;
}

void Work(pid_t self, const WorkerSetup& setup, const WorkerConfig& config) {
  std::string out;
  out.reserve(kReadChunk);
  CpuBudget cpu(config.limits.cpu_seconds);

  // Step 1. The initializer, if any, then a "ready" frame telling the parent
  // whether it succeeded. A failed initializer ends the worker.
  if (config.initializer) {
    StartFrame(out, kReadyId);
    Writer w(out);
    bool ok = true;
    ran_user_code = true;
    cpu.Renew();  // The first budget always fits.
    try {
      config.initializer();
      w.write_raw<std::uint8_t>(1);
    } catch (...) {
      ok = false;
      w.write_raw<std::uint8_t>(0);
      EncodeCurrentException(w);
    }
    if (NotTheWorker(self)) ::_exit(0);  // A fork that returned: not us.
    FinishFrame(out);
    SetFrameCheck(out, ReplyCheck(setup.reply_key, 0));
    FlushOutput();
    Send(out);
    if (!ok) Exit(1);
  }

  // Step 2. The task loop. in[start, end) holds bytes read but not yet
  // consumed; several small frames often arrive in one read().
  ReadBuffer in(kReadChunk);
  std::size_t start = 0, end = 0;
  // Reads until at least `need` unconsumed bytes are buffered. End of file
  // (the parent is gone) or a broken pipe (a task closed fd 3) ends the
  // worker; the parent resends what it had queued here.
  auto fill = [&](std::size_t need) {
    while (end - start < need) {
      if (start > 0) {
        std::memmove(in.data(), in.data() + start, end - start);
        end -= start;
        start = 0;
      }
      if (in.size() < need) in.Grow(std::max(need, 2 * in.size()), end);
      std::size_t n = 0;
      try {
        n = ReadSome(kTaskFd, in.data() + end, in.size() - end);
      } catch (const std::exception&) {
        Exit(0);
      }
      if (n == 0) Exit(0);
      end += n;
    }
  };
  std::uint64_t seq = 0;  // Tasks received.
  for (;;) {
    fill(kHeaderSize);
    const FrameHeader h = ReadHeader(in.data() + start);
    if (h.task_id == kStopId) Exit(0);  // close(): no more work.
    fill(kHeaderSize + h.size);
    Reader body(in.data() + start + kHeaderSize, h.size);
    start += kHeaderSize + h.size;

    // Step 3. Run the task: the frame names the invoker to use, which
    // decodes the items, calls the function and encodes the reply. A
    // worker with too little CPU time left for it retires instead; the
    // parent sends the task, which never started, to another worker.
    if (!cpu.Renew()) Exit(0);
    ++seq;
    ran_user_code = true;
    StartFrame(out, h.task_id);
    const std::int64_t start_ns = RecordStart(*setup.slot, seq);
    try {
      const auto invoker =
          reinterpret_cast<Invoker>(body.read_raw<std::uint64_t>());
      const auto fn =
          static_cast<std::uintptr_t>(body.read_raw<std::uint64_t>());
      invoker(fn, body, out);
    } catch (...) {
      // The invoker turns every exception of a task or a codec into that
      // item's error; what escapes it is a malformed frame.
      if (NotTheWorker(self)) ::_exit(0);
      std::fprintf(stderr, "pool worker %d: bad task frame: %s\n",
                   static_cast<int>(self),
                   CurrentExceptionAsTaskError().what());
      Exit(kExitProtocolError);
    }
    // A task that forked, and whose child returned here instead of calling
    // _exit(): the child must not answer in the worker's place.
    if (NotTheWorker(self)) ::_exit(0);
    if (config.trace) {
      const std::int64_t stamps[2] = {start_ns, MonotonicNs()};
      out.append(reinterpret_cast<const char*>(stamps), sizeof stamps);
    }
    FinishFrame(out);
    SetFrameCheck(out, ReplyCheck(setup.reply_key, seq));
    FlushStandardOutput();
    Send(out);
    // Give back the memory of an unusually large task.
    if (out.capacity() > kKeepBuffer) std::string().swap(out);
    if (start == end && in.size() > kKeepBuffer) {
      in.Shrink(kReadChunk);
      start = end = 0;
    }

    // Step 4. maxtasksperchild: retire once the quota is done. The parent
    // counts the same tasks and sends this worker no more than its quota.
    if (config.maxtasksperchild > 0 &&
        seq >= static_cast<std::uint64_t>(config.maxtasksperchild)) {
      Exit(0);
    }
  }
}

}  // namespace

void RunWorker(int task_fd, int result_fd, const WorkerSetup& setup,
               const WorkerConfig& config) {
  const pid_t self = ::getpid();
  PlaceFds(task_fd, result_fd);
  SetUpSignals(setup.server);
  LimitMemory(config.limits.memory_bytes);
  ::pthread_atfork(nullptr, nullptr, MarkForkedChild);
  try {
    Work(self, setup, config);
  } catch (...) {
    // Out of memory in the loop itself, or anything else: never unwind
    // into the code that forked this process.
  }
  if (NotTheWorker(self)) ::_exit(0);
  ::_exit(kExitInternalError);
}

}  // namespace pool::internal
