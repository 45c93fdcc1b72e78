// pool/internal/fork_server.h: the fork server, and both ends of the
// parent's conversation with it.
//
// The fork server is forked once, by the Pool constructor, and every worker
// is forked from it; pool/README.md ("Processes and threads") says why and
// where it sits. This header and fork_server.cc are the whole of its
// protocol: the server's loop and the parent's side (ForkServer), which
// turns what the server sends into the typed events below.
//
// The conversation, over a SOCK_SEQPACKET socket (one message per send):
//   parent -> server   start a worker in slot N (RequestWorker); exit once
//                      every worker has exited (Finish, for close()); or
//                      stop (the destructor)
//   server -> parent   a worker started, with the parent's four fds of it
//                      attached as SCM_RIGHTS (WorkerStarted); a worker
//                      could not be started (WorkerStartFailed); a worker's
//                      wait status once the server reaped it (WorkerExited)
// On stop, and when the parent process dies (the server watches a pidfd of
// the parent, not the socket, whose end a forked child of the parent may
// hold), the server SIGKILLs and reaps every worker it started, then exits.
// After Finish it starts no more workers and exits as soon as it has reaped
// and reported every one (they were told to exit).
//
// Thread safety: a ForkServer is used by one thread at a time (the
// constructor's, then the handler thread of its ProcessEngine).

#ifndef POOL_INTERNAL_FORK_SERVER_H_
#define POOL_INTERNAL_FORK_SERVER_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <variant>

#include "pool/internal/fd.h"
#include "pool/internal/worker.h"

namespace pool::internal {

// A worker started: the parent's fds of it are in `fds`.
struct WorkerStarted {
  int slot;
  pid_t pid;
  WorkerFds fds;
};

// A worker could not be started in `slot`: `error` is a SystemError naming
// the call that failed (pipe, fork, pidfd_open in the server; recvmsg when
// this process had no fd free to receive the worker's).
struct WorkerStartFailed {
  int slot;
  std::exception_ptr error;
};

// The server reaped worker `pid`. Also sent for a worker whose
// WorkerStarted never arrived whole (its fds were lost).
struct WorkerExited {
  pid_t pid;
  int wait_status;
};

// The server closed its end: it exited (after Finish) or died. Nothing more
// will come; Stop() reaps it.
struct ServerGone {};

using ServerEvent =
    std::variant<WorkerStarted, WorkerStartFailed, WorkerExited, ServerGone>;

// The parent's handle on its fork server: the process (a child of the
// parent, so its pid is safe to signal and wait for until reaped), the
// socket to it and the WorkerSlot memory it shares with the workers. The
// destructor calls Stop(), then unmaps the slots.
class ForkServer {
 public:
  // Forks the server, with `slots` WorkerSlots. Throws SystemError if the
  // mapping, the socket or fork() fails.
  ForkServer(int slots, const WorkerConfig& config);
  ~ForkServer();
  ForkServer(const ForkServer&) = delete;
  ForkServer& operator=(const ForkServer&) = delete;

  // The socket: poll it for POLLIN, then call Receive().
  int fd() const { return sock_.get(); }
  // Not reaped yet.
  bool alive() const { return pid_ > 0; }
  WorkerSlot* slot(int i) const { return slots_ + i; }
  // The pool's key for ReplyCheck (wire.h).
  std::uint64_t reply_key() const { return reply_key_; }

  // Asks for a worker in slot `slot`. Returns false if the server is gone.
  bool RequestWorker(int slot);
  // close(): asks the server to start no more workers and to exit once it
  // has reported the exit of every one. Its exit then overlaps with the
  // parent's own shutdown. Sent once.
  void Finish();
  bool finishing() const { return finishing_; }
  // Reads one event; call when fd() is readable. A failure to read the
  // socket is taken as ServerGone.
  ServerEvent Receive();
  // Asks the server to kill and reap every worker and to exit (an explicit
  // request: end of file would not reach it if a child of this process
  // holds a copy of the socket), reaps it and returns its wait status. After
  // ServerGone the request finds nobody and the server is only reaped.
  // Returns -1 once reaped.
  int Stop();

 private:
  bool Send(std::int32_t kind, std::int32_t slot);

  WorkerSlot* slots_ = nullptr;
  std::size_t map_bytes_ = 0;
  std::uint64_t reply_key_ = 0;
  UniqueFd sock_;
  pid_t pid_ = -1;
  bool finishing_ = false;
};

}  // namespace pool::internal

#endif  // POOL_INTERNAL_FORK_SERVER_H_
