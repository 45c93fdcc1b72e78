// pool/internal/fork_server.h: the parent's handle on its fork server.
//
// worker.h describes the fork server and its protocol; fork_server.cc holds
// both ends of it: RunForkServer (the server) and ForkServer (the parent's
// side). Only the handler thread of a ProcessEngine uses a ForkServer after
// construction.

#ifndef POOL_INTERNAL_FORK_SERVER_H_
#define POOL_INTERNAL_FORK_SERVER_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

#include "pool/internal/fd.h"
#include "pool/internal/worker.h"

namespace pool::internal {

// The parent's handle on its fork server: the process (a child of the
// parent, so its pid is safe to signal and wait for until reaped), the
// socket to it and the WorkerSlot memory it shares with the workers. The
// destructor stops it: an explicit request, then waitpid().
class ForkServer {
 public:
  // Forks the server. Throws SystemError if the socket or fork() fails.
  ForkServer(int slots, const WorkerConfig& config);
  ~ForkServer();
  ForkServer(const ForkServer&) = delete;
  ForkServer& operator=(const ForkServer&) = delete;

  int fd() const { return sock_.get(); }
  bool alive() const { return pid_ > 0; }
  WorkerSlot* slot(int i) const { return slots_ + i; }
  std::uint64_t reply_key() const { return reply_key_; }
  // Asks for a worker in slot `slot`. Returns false if the server is gone.
  bool RequestWorker(int slot);
  // close(): asks the server to start no more workers and to exit once it
  // has reported the exit of every one (they were sent stop frames). Its
  // exit then overlaps with the parent's own shutdown. Sent once.
  void Finish();
  bool finishing() const { return finishing_; }
  // The server closed its socket (it died): reaps it and returns its wait
  // status.
  int Reap();
  // Asks the server to kill and reap every worker and to exit; reaps it.
  void Stop();

 private:
  bool Send(const ServerRequest& request);

  WorkerSlot* slots_ = nullptr;
  std::size_t map_bytes_ = 0;
  std::uint64_t reply_key_ = 0;
  UniqueFd sock_;
  pid_t pid_ = -1;
  bool finishing_ = false;
};

}  // namespace pool::internal

#endif  // POOL_INTERNAL_FORK_SERVER_H_
