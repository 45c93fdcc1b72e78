// pool/internal/worker.h: the two programs that run in forked processes, and
// what they share with the parent.
//
// The fork server is forked once, by the Pool constructor. It is
// single-threaded for its whole life, and every worker is forked from it, so
// a worker never inherits a lock that some other thread of the parent held at
// the moment of fork() (the hazard of forking from a threaded parent:
// CPython gh-84559, gh-90622). It reaps the workers and tells the parent how
// each one ended. It puts itself, and so every worker, into a process group
// of its own: signals sent to the parent's process group (Ctrl-C, kill(0,
// ...)) are the parent's to handle (pool/README.md, "Signals").
//
// The parent talks to the fork server over a SOCK_SEQPACKET socket:
//   parent -> server   ServerRequest: start a worker in slot N; exit once
//                      every worker has exited (close()); or stop
//   server -> parent   ServerMessage; kSpawned carries, as SCM_RIGHTS, the
//                      parent's ends of the worker's two pipes, a pidfd of
//                      the worker and a second read end of its task pipe
//                      (worker_channel.h says why); kExited the wait status
//                      of a worker
// On kStop, and when the parent process dies (it watches a pidfd of the
// parent, not the socket, whose end a forked child of the parent may hold),
// the server SIGKILLs and reaps every worker it started, then exits. On
// kFinish it starts no more workers and exits as soon as it has reaped and
// reported every one (they were told to exit).

#ifndef POOL_INTERNAL_WORKER_H_
#define POOL_INTERNAL_WORKER_H_

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "pool/internal/fd.h"

namespace pool::internal {

// Options::memory_limit and cpu_time_limit (pool.h); 0: none. Applied by
// ApplyLimits (worker.cc) in each worker before its initializer.
struct WorkerLimits {
  std::uint64_t memory_bytes = 0;  // RLIMIT_AS
  std::int64_t cpu_seconds = 0;    // RLIMIT_CPU, per task
};

struct WorkerConfig {
  std::function<void()> initializer;  // may be empty
  int maxtasksperchild = 0;           // 0: unlimited
  WorkerLimits limits{};
};

// One per worker, in memory shared (MAP_SHARED, mapped before the fork
// server is forked) by the parent and the worker. The worker numbers the
// tasks it receives 1, 2, 3, ... Before it calls task n it stores the time
// in `started_at` and moves `started` from n - 1 to n, with a
// compare-and-swap in memory (no system call). The parent reads `started`
// after the worker died: a task is blamed for a death only if the worker
// really started it. While the worker lives the parent reads the slot only
// for a task with a timeout (the deadline is `started_at` + timeout), and
// writes it only to stop the worker at that deadline: it sets kStopped in
// `started` with a compare-and-swap of its own, then SIGKILLs the worker.
// The two swaps decide, once, whether task n ran past its deadline (the
// parent's swap came first: the worker, if it finished task n, starts no
// other task and waits for its SIGKILL) or finished in time (the worker's
// swap to n + 1 came first: the parent leaves it alone). It has a cache
// line of its own.
struct WorkerSlot {
  // Set in `started` by the parent: stop before the next task.
  static constexpr std::uint64_t kStopped = std::uint64_t{1} << 63;
  alignas(64) std::atomic<std::uint64_t> started{0};
  // CLOCK_MONOTONIC (std::chrono::steady_clock), in nanoseconds.
  std::atomic<std::int64_t> started_at{0};
};

struct ServerRequest {
  enum Kind : std::int32_t { kStart = 1, kStop = 2, kFinish = 3 };
  std::int32_t kind;
  std::int32_t slot;  // kStart: the worker's WorkerSlot index
};

struct ServerMessage {
  enum Kind : std::int32_t { kSpawned = 1, kSpawnFailed = 2, kExited = 3 };
  enum Call : std::int32_t { kPipe = 0, kFork = 1, kPidfd = 2 };
  std::int32_t kind;
  std::int32_t pid;    // the worker's pid (kSpawned, kExited)
  std::int32_t value;  // kSpawnFailed: errno; kExited: the waitpid() status
  std::int32_t call;   // kSpawnFailed: which call failed (Call)
  std::int32_t slot;   // kSpawned, kSpawnFailed: the slot requested
};

// How many fds a kSpawned message carries: the task pipe's write end, the
// result pipe's read end, the worker's pidfd, the task pipe's read end.
inline constexpr int kSpawnedFds = 4;

// The name of a ServerMessage::Call.
const char* CallName(std::int32_t call);

// What the fork server hands each worker besides its pipes.
struct WorkerSetup {
  pid_t server;             // The fork server's pid (the worker's parent).
  WorkerSlot* slot;         // The worker's WorkerSlot.
  std::uint64_t reply_key;  // For ReplyCheck (wire.h).
};

// Runs the fork server in the calling (just-forked) process; never returns.
// `parent` is the parent's pid; `slots` the shared WorkerSlot array.
[[noreturn]] void RunForkServer(UniqueFd control, pid_t parent,
                                WorkerSlot* slots, std::uint64_t reply_key,
                                const WorkerConfig& config);

// Runs a worker in the calling (just-forked) process; never returns.
[[noreturn]] void RunWorker(int task_fd, int result_fd,
                            const WorkerSetup& setup,
                            const WorkerConfig& config);

// Sends `msg` with up to kSpawnedFds fds attached. Returns false if the
// peer is gone.
bool SendServerMessage(int sock, const ServerMessage& msg, const int* fds,
                       int nfds);

// Receives one message and the fds attached to it (at most kSpawnedFds;
// all moved above stdio). Returns false at end of file (the peer is gone). Sets
// `fds_lost` if the kernel dropped attached fds because this process has
// none free (MSG_CTRUNC). Throws SystemError on failure.
bool ReceiveServerMessage(int sock, ServerMessage& msg,
                          UniqueFd fds[kSpawnedFds], bool& fds_lost);

}  // namespace pool::internal

#endif  // POOL_INTERNAL_WORKER_H_
