// pool/internal/worker.h: the two programs that run in forked processes.
//
// The fork server is forked once, by the Pool constructor. It is
// single-threaded for its whole life, and every worker is forked from it, so
// a worker never inherits a lock that some other thread of the parent held at
// the moment of fork() (the hazard of forking from a threaded parent:
// CPython gh-84559, gh-90622). It also reaps the workers and tells the parent
// how each one ended.
//
// The parent talks to the fork server over a SOCK_SEQPACKET socket:
//   parent -> server   one byte: "start a worker"
//   server -> parent   ServerMessage; kSpawned carries the parent's ends of
//                      the worker's two pipes as SCM_RIGHTS
// When the parent closes its end, the server kills and reaps every worker it
// started, then exits: that is how terminate() works, and also what happens
// when the parent itself dies.

#ifndef POOL_INTERNAL_WORKER_H_
#define POOL_INTERNAL_WORKER_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>

#include "pool/internal/fd.h"

namespace pool::internal {

struct WorkerConfig {
  std::function<void()> initializer;  // may be empty
  int maxtasksperchild = 0;           // 0: unlimited
};

struct ServerMessage {
  enum Kind : std::int32_t { kSpawned = 1, kSpawnFailed = 2, kExited = 3 };
  std::int32_t kind;
  std::int32_t pid;    // the worker's pid (kSpawned, kExited)
  std::int32_t value;  // kSpawnFailed: errno; kExited: the waitpid() status
  std::int32_t failed_call;  // kSpawnFailed: 0 for pipe(), 1 for fork()
};

// Runs the fork server in the calling (just-forked) process; never returns.
[[noreturn]] void RunForkServer(int control_fd, const WorkerConfig& config);

// Runs a worker in the calling (just-forked) process; never returns.
[[noreturn]] void RunWorker(int task_fd, int result_fd,
                            const WorkerConfig& config);

// Sends `msg` with up to two fds attached. Returns false if the peer is gone.
bool SendServerMessage(int sock, const ServerMessage& msg, const int* fds,
                       int nfds);

// Receives one message and the fds attached to it. Returns false at end of
// file (the peer closed the socket). Throws std::system_error on failure.
bool ReceiveServerMessage(int sock, ServerMessage& msg, UniqueFd fds[2]);

}  // namespace pool::internal

#endif  // POOL_INTERNAL_WORKER_H_
