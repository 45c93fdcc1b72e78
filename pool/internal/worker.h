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

struct WorkerConfig {
  std::function<void()> initializer;  // may be empty
  int maxtasksperchild = 0;           // 0: unlimited
  // Tracing is on (trace.h): the worker stamps each task's start and end
  // (CLOCK_MONOTONIC) and appends them to its reply, after the body wire.h
  // describes, as two i64 nanosecond counts.
  bool trace = false;
};

// One per worker, in memory shared (MAP_SHARED, mapped before the fork
// server is forked) by the parent and the worker. The worker numbers the
// tasks it receives 1, 2, 3, ... and stores in `started`, with a plain
// memory write (no system call), the number of the task it is about to
// call. The parent reads it only after the worker died: a task is blamed
// for a death only if the worker really started it. It has a cache line of
// its own, which the parent does not touch while the worker lives.
struct WorkerSlot {
  alignas(64) std::atomic<std::uint64_t> started{0};
  // With tracing on: when it started that task (MonotonicNs), stored before
  // `started`, so that a task killed mid-run is drawn from its real start.
  std::atomic<std::int64_t> started_ns{0};
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
