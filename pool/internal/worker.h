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
//   parent -> server   ServerRequest: start a worker in slot N; or stop
//   server -> parent   ServerMessage; kSpawned carries the parent's ends of
//                      the worker's two pipes and a pidfd of the worker as
//                      SCM_RIGHTS; kExited the wait status of a worker
// On kStop, and when the parent process dies (it watches a pidfd of the
// parent, not the socket, whose end a forked child of the parent may hold),
// the server SIGKILLs and reaps every worker it started, then exits.

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
};

// The most jobs the parent keeps in flight on one worker (written, not yet
// answered).
inline constexpr std::size_t kMaxInFlight = 64;

// One per worker, in memory shared (MAP_SHARED, mapped before the fork
// server is forked) by the parent and the worker. The worker numbers the
// tasks it receives 1, 2, 3, ... and records, with plain memory writes (no
// system call on the hot path):
//   started    the number of the task it is about to call, before calling;
//   replies    for task n, in replies[n % kReplyRing]: where its reply
//              starts in the result pipe's byte stream (counting every byte
//              the worker loop wrote) and its body's size, then n itself,
//              before it writes that reply.
// After a death the parent blames a task only if `started` says the worker
// really started it. A reply header is accepted only if the worker loop
// wrote it: the record for its task is there, and the header sits exactly
// where the record says, with the recorded size. Bytes a task wrote into
// the pipe itself fail that test at their first header, before the parent
// waits for any body. The ring is large enough because the parent has at
// most kMaxInFlight tasks in flight on a worker, so the worker never runs
// kReplyRing replies ahead of the one the parent is reading. Each record,
// and `started`, has a cache line of its own: per task the parent reads
// one line the worker wrote, and nothing bounces back.
inline constexpr std::size_t kReplyRing = 64;
static_assert(kReplyRing >= kMaxInFlight);

struct alignas(64) ReplyRecord {
  std::atomic<std::uint64_t> seq{0};
  std::atomic<std::uint64_t> offset{0};
  std::atomic<std::uint64_t> size{0};
};

struct WorkerSlot {
  alignas(64) std::atomic<std::uint64_t> started{0};
  ReplyRecord replies[kReplyRing];
};

struct ServerRequest {
  enum Kind : std::int32_t { kStart = 1, kStop = 2 };
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

// The name of a ServerMessage::Call.
const char* CallName(std::int32_t call);

// Runs the fork server in the calling (just-forked) process; never returns.
// `parent` is the parent's pid; `slots` the shared WorkerSlot array.
[[noreturn]] void RunForkServer(UniqueFd control, pid_t parent,
                                WorkerSlot* slots, const WorkerConfig& config);

// Runs a worker in the calling (just-forked) process; never returns.
// `server` is the fork server's pid (the worker's parent).
[[noreturn]] void RunWorker(int task_fd, int result_fd, pid_t server,
                            WorkerSlot* slot, const WorkerConfig& config);

// Sends `msg` with up to three fds attached. Returns false if the peer is
// gone.
bool SendServerMessage(int sock, const ServerMessage& msg, const int* fds,
                       int nfds);

// Receives one message and the fds attached to it (at most 3; all moved
// above stdio). Returns false at end of file (the peer is gone). Sets
// `fds_lost` if the kernel dropped attached fds because this process has
// none free (MSG_CTRUNC). Throws SystemError on failure.
bool ReceiveServerMessage(int sock, ServerMessage& msg, UniqueFd fds[3],
                          bool& fds_lost);

}  // namespace pool::internal

#endif  // POOL_INTERNAL_WORKER_H_
