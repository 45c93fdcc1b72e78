// The fork server (RunForkServer) and the parent's handle on it
// (ForkServer): see worker.h for its role and protocol. Every fd either side
// opens is owned by a UniqueFd; each worker's pipes are closed in the server
// as soon as the worker (or the parent) has its ends.

#include "pool/internal/fork_server.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <new>
#include <utility>
#include <vector>

#include "pool/internal/fd.h"
#include "pool/internal/fork_gate.h"
#include "pool/internal/worker.h"

namespace pool::internal {
namespace {

constexpr int kExitSetupError = 71;

// Closes every fd from `first` up.
void CloseFdsFrom(int first) {
#ifdef SYS_close_range
  if (::syscall(SYS_close_range, first, ~0U, 0) == 0) return;
#endif
  const long max = ::sysconf(_SC_OPEN_MAX);
  for (int fd = first; fd < (max > 0 && max < 65536 ? max : 65536); ++fd) {
    ::close(fd);
  }
}

// Moves `fd` to exactly `target` (close-on-exec).
UniqueFd MoveTo(UniqueFd fd, int target) {
  if (fd.get() == target) return fd;
  if (::dup3(fd.get(), target, O_CLOEXEC) < 0) ::_exit(kExitSetupError);
  return UniqueFd(target);
}

// pipe2(O_CLOEXEC) with both ends above stdio (the program may have been
// started with fds 0-2 closed). Returns 0 or an errno value.
int MakeServerPipe(UniqueFd& read_end, UniqueFd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return errno;
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
  if (!MoveAboveStdio(read_end) || !MoveAboveStdio(write_end)) return errno;
  return 0;
}

void Report(int ctl, ServerMessage msg) {
  SendServerMessage(ctl, msg, nullptr, 0);
}

// Starts a worker in `slot`: two pipes, fork, a pidfd of the child, then
// the parent's fds over the socket. The worker keeps the task pipe's read
// end and the result pipe's write end; the parent gets the other ends, the
// pidfd and a copy of the task pipe's read end. Returns the worker's pid,
// or -1.
pid_t StartWorker(int ctl, int slot, WorkerSlot* slots, std::uint64_t reply_key,
                  const WorkerConfig& config) {
  ServerMessage failed{ServerMessage::kSpawnFailed, 0, 0, ServerMessage::kPipe,
                       slot};
  UniqueFd task_read, task_write, result_read, result_write;
  if (int err = MakeServerPipe(task_read, task_write)) {
    failed.value = err;
    Report(ctl, failed);
    return -1;
  }
  if (int err = MakeServerPipe(result_read, result_write)) {
    failed.value = err;
    Report(ctl, failed);
    return -1;
  }
  // The slot is the parent's to reuse only after the previous worker in it
  // was reported dead, so nothing writes it now.
  slots[slot].started.store(0, std::memory_order_relaxed);
  const pid_t server = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // RunWorker keeps only fds 0-2 and these two, whatever else is open.
    RunWorker(task_read.release(), result_write.release(),
              {server, &slots[slot], reply_key}, config);
  }
  if (pid < 0) {
    failed.value = errno;
    failed.call = ServerMessage::kFork;
    Report(ctl, failed);
    return -1;
  }
  // Unreaped until this process calls waitpid(), so the pid is the child's.
  UniqueFd pidfd = OpenPidfd(pid);
  if (!pidfd.valid()) {
    failed.value = errno;
    failed.call = ServerMessage::kPidfd;
    ::kill(pid, SIGKILL);  // Our unreaped child: reaped by the SIGCHLD path.
    Report(ctl, failed);
    return pid;
  }
  const int parent_ends[kSpawnedFds] = {task_write.get(), result_read.get(),
                                        pidfd.get(), task_read.get()};
  SendServerMessage(ctl, {ServerMessage::kSpawned, pid, 0, 0, slot},
                    parent_ends, kSpawnedFds);
  return pid;
}

}  // namespace

const char* CallName(std::int32_t call) {
  switch (call) {
    case ServerMessage::kFork:
      return "fork";
    case ServerMessage::kPidfd:
      return "pidfd_open";
    default:
      return "pipe";
  }
}

bool SendServerMessage(int sock, const ServerMessage& msg, const int* fds,
                       int nfds) {
  iovec iov{const_cast<ServerMessage*>(&msg), sizeof msg};
  alignas(cmsghdr) char control[CMSG_SPACE(kSpawnedFds * sizeof(int))] = {};
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  if (nfds > 0) {
    mh.msg_control = control;
    mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
    cmsghdr* c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
    std::memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
  }
  for (;;) {
    if (::sendmsg(sock, &mh, MSG_NOSIGNAL) >= 0) return true;
    if (errno != EINTR) return false;
  }
}

bool ReceiveServerMessage(int sock, ServerMessage& msg,
                          UniqueFd fds[kSpawnedFds], bool& fds_lost) {
  iovec iov{&msg, sizeof msg};
  alignas(cmsghdr) char control[CMSG_SPACE(kSpawnedFds * sizeof(int))] = {};
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = control;
  mh.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) ThrowErrno("recvmsg");
  if (n == 0) return false;
  // With no fd free, the kernel drops the attached fds and sets MSG_CTRUNC.
  fds_lost = (mh.msg_flags & MSG_CTRUNC) != 0;
  int received = 0;
  for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c != nullptr; c = CMSG_NXTHDR(&mh, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const int count =
        static_cast<int>((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    for (int i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      UniqueFd owned(fd);
      if (received < kSpawnedFds) fds[received++] = std::move(owned);
    }
  }
  for (int i = 0; i < received; ++i) {
    if (!MoveAboveStdio(fds[i])) fds_lost = true;
  }
  if (static_cast<std::size_t>(n) != sizeof msg) {
    throw SystemError(std::error_code(EPROTO, std::generic_category()),
                      "recvmsg",
                      "recvmsg: a short message from the fork server");
  }
  return true;
}

void RunForkServer(UniqueFd control, pid_t parent, WorkerSlot* slots,
                   std::uint64_t reply_key, const WorkerConfig& config) {
  // Step 1. Keep only stdin/stdout/stderr and the control socket (as fd 3).
  // Everything else the parent had open (its other pools' pipes, its
  // sockets, files) must not live on in the server or its workers.
  const UniqueFd ctl = MoveTo(std::move(control), 3);
  CloseFdsFrom(4);

  // Step 2. A process group of its own, which the workers inherit: signals
  // for the parent's process group (Ctrl-C in a terminal, kill(0, SIGTERM)
  // from a service manager) reach the parent alone, and the parent decides.
  ::setpgid(0, 0);

  // Step 3. Watch the parent through a pidfd: the server must follow it
  // when it dies, and end of file on the socket would not tell, since a
  // child the parent forked may hold a copy of the parent's end. Opened,
  // then checked: if the parent died first, this process was re-parented.
  UniqueFd parent_fd = OpenPidfd(parent);
  if (!parent_fd.valid() || ::getppid() != parent) ::_exit(0);

  // Step 4. Signals. SIGINT and SIGQUIT are ignored (they are the parent's,
  // and a stray one must not cost the pool its workers). Worker exits
  // arrive as SIGCHLD, read from a signalfd rather than caught by a
  // handler: no async-signal-safety to worry about, and no signal that
  // slips in between two poll() calls and is noticed late.
  struct sigaction sa {};
  sa.sa_handler = SIG_IGN;
  ::sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGQUIT, &sa, nullptr);
  ::sigaction(SIGPIPE, &sa, nullptr);
  ::sigaction(SIGTTIN, &sa, nullptr);
  ::sigaction(SIGTTOU, &sa, nullptr);
  sa.sa_handler = SIG_DFL;
  ::sigaction(SIGCHLD, &sa, nullptr);
  sigset_t chld;
  ::sigemptyset(&chld);
  ::sigaddset(&chld, SIGCHLD);
  ::sigprocmask(SIG_SETMASK, &chld, nullptr);  // Only SIGCHLD is blocked.
  UniqueFd sigfd(::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sigfd.valid() || !MoveAboveStdio(sigfd)) ::_exit(kExitSetupError);

  std::vector<pid_t> live;
  bool finishing = false;  // kFinish: exit once `live` is empty.
  for (bool stop = false; !stop;) {
    pollfd fds[3] = {{ctl.get(), POLLIN, 0},
                     {sigfd.get(), POLLIN, 0},
                     {parent_fd.get(), POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo info;
      while (::read(sigfd.get(), &info, sizeof info) > 0) {
      }
      int status;
      pid_t pid;
      while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
        std::erase(live, pid);
        Report(ctl.get(), {ServerMessage::kExited, pid, status, 0, 0});
      }
      if (finishing && live.empty()) break;
    }
    if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) break;  // Parent died.
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ServerRequest request{};
      const ssize_t n = ::recv(ctl.get(), &request, sizeof request, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n == static_cast<ssize_t>(sizeof request) &&
          request.kind == ServerRequest::kFinish) {
        finishing = true;
        stop = live.empty();
        continue;
      }
      if (n != static_cast<ssize_t>(sizeof request) ||
          request.kind != ServerRequest::kStart) {
        stop = true;  // kStop, or the parent closed the socket.
        continue;
      }
      if (finishing) continue;  // Not sent after kFinish; refused anyway.
      const pid_t pid =
          StartWorker(ctl.get(), request.slot, slots, reply_key, config);
      if (pid > 0) live.push_back(pid);
    }
  }

  // Step 5. Stop (terminate, or the parent died): no worker may outlive the
  // pool. SIGKILL, because a task can ignore or handle any other signal;
  // these are unreaped children, so the pids are theirs. Then reap all of
  // them, so none is a zombie. After kFinish (close) there is none left.
  for (pid_t pid : live) ::kill(pid, SIGKILL);
  while (::waitpid(-1, nullptr, 0) > 0 || errno == EINTR) {
  }
  ::_exit(0);
}

// --- ForkServer: the parent's side -------------------------------------------

ForkServer::ForkServer(int slots, const WorkerConfig& config) {
  // The key of the reply checks (wire.h): random, so that no task can
  // guess it (the clock and pid only if there is no random source).
  if (::getrandom(&reply_key_, sizeof reply_key_, GRND_NONBLOCK) !=
      static_cast<ssize_t>(sizeof reply_key_)) {
    reply_key_ =
        static_cast<std::uint64_t>(
            std::chrono::steady_clock::now().time_since_epoch().count()) ^
        static_cast<std::uint64_t>(::getpid());
  }
  // The WorkerSlots, shared by the parent, the server and every worker:
  // mapped before the fork, so all of them see the same pages.
  map_bytes_ = sizeof(WorkerSlot) * static_cast<std::size_t>(slots);
  void* map = ::mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) ThrowErrno("mmap");
  slots_ = static_cast<WorkerSlot*>(map);
  for (int i = 0; i < slots; ++i) new (slots_ + i) WorkerSlot;
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    const int err = errno;
    ::munmap(slots_, map_bytes_);
    throw OsError(err, "socketpair");
  }
  UniqueFd ours(sv[0]), theirs(sv[1]);
  if (!MoveAboveStdio(ours) || !MoveAboveStdio(theirs)) {
    const int err = errno;
    ::munmap(slots_, map_bytes_);
    throw OsError(err, "fcntl");
  }
  // Anything still in stdio or iostream buffers would be copied into the
  // fork server, and from it into every worker, and printed again by each.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  // fork() and exit() cost time in proportion to the memory a process has
  // mapped, and this fork is paid again by every worker forked from the
  // server. Memory the program freed but malloc kept (after a large map(),
  // say) goes back to the kernel first.
  ::malloc_trim(0);
  const pid_t parent = ::getpid();
  pid_t pid;
  {
    // No pool thread is inside the allocator now (fork_gate.h).
    ForkGateExclusive gate;
    pid = ::fork();
  }
  if (pid < 0) {
    const int err = errno;
    ::munmap(slots_, map_bytes_);
    throw OsError(err, "fork");
  }
  if (pid == 0) {
    // The fork server never returns into the caller's code.
    ours.reset();
    RunForkServer(std::move(theirs), parent, slots_, reply_key_, config);
  }
  pid_ = pid;
  sock_ = std::move(ours);
}

ForkServer::~ForkServer() {
  Stop();
  ::munmap(slots_, map_bytes_);
}

bool ForkServer::Send(const ServerRequest& request) {
  if (!sock_.valid()) return false;
  ssize_t n;
  do {
    n = ::send(sock_.get(), &request, sizeof request, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(sizeof request);
}

bool ForkServer::RequestWorker(int slot) {
  return Send({ServerRequest::kStart, slot});
}

void ForkServer::Finish() {
  if (!finishing_) finishing_ = Send({ServerRequest::kFinish, 0});
}

int ForkServer::Reap() {
  sock_.reset();
  int status = -1;
  if (pid_ > 0) {
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  return status;
}

void ForkServer::Stop() {
  if (pid_ <= 0) return;
  // An explicit request: end of file would not reach the server if a child
  // this process forked holds a copy of the socket. If the send fails the
  // server is dead already.
  Send({ServerRequest::kStop, 0});
  Reap();
}

}  // namespace pool::internal
