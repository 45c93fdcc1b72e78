// The fork server: see worker.h for its role and protocol.

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <set>

#include "pool/internal/fd.h"
#include "pool/internal/worker.h"

namespace pool::internal {
namespace {

// Closes every fd from `first` up, except `keep`.
void CloseFdsFrom(int first) {
#ifdef SYS_close_range
  if (::syscall(SYS_close_range, first, ~0U, 0) == 0) return;
#endif
  const long max = ::sysconf(_SC_OPEN_MAX);
  for (int fd = first; fd < (max > 0 && max < 65536 ? max : 65536); ++fd) {
    ::close(fd);
  }
}

// Moves `fd` to exactly `target`, clearing nothing else; returns target.
int MoveFd(int fd, int target) {
  if (fd == target) return fd;
  if (::dup2(fd, target) < 0) ::_exit(71);
  ::close(fd);
  return target;
}

void SetCloexec(int fd) { ::fcntl(fd, F_SETFD, FD_CLOEXEC); }

}  // namespace

bool SendServerMessage(int sock, const ServerMessage& msg, const int* fds,
                       int nfds) {
  iovec iov{const_cast<ServerMessage*>(&msg), sizeof msg};
  alignas(cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))] = {};
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

bool ReceiveServerMessage(int sock, ServerMessage& msg, UniqueFd fds[2]) {
  iovec iov{&msg, sizeof msg};
  alignas(cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))] = {};
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = control;
  mh.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) ThrowErrno("recvmsg (fork server)");
  if (n == 0) return false;
  int received = 0;
  for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c != nullptr; c = CMSG_NXTHDR(&mh, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const int count =
        static_cast<int>((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    for (int i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      if (received < 2) {
        fds[received++].reset(fd);
      } else {
        ::close(fd);
      }
    }
  }
  if (static_cast<std::size_t>(n) != sizeof msg) {
    errno = EPROTO;
    ThrowErrno("recvmsg (fork server): short message");
  }
  return true;
}

void RunForkServer(int control_fd, const WorkerConfig& config) {
  // Step 1. Keep only stdin/stdout/stderr and the control socket (as fd 3).
  // Everything else the parent had open (its other pools' pipes, its
  // sockets, files) must not live on in the server or its workers: a copy
  // of another worker's pipe end would hide that worker's death from the
  // parent, which relies on end-of-file.
  const int ctl = MoveFd(control_fd, 3);
  SetCloexec(ctl);
  CloseFdsFrom(4);

  // Step 2. Signals. Ctrl-C reaches the whole process group; the server
  // ignores it and leaves when the parent does (end of file on `ctl`).
  // Worker exits arrive as SIGCHLD, read from a signalfd rather than caught
  // by a handler: no async-signal-safety to worry about, and no signal that
  // slips in between two poll() calls and is noticed late.
  struct sigaction sa {};
  sa.sa_handler = SIG_IGN;
  ::sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGQUIT, &sa, nullptr);
  ::sigaction(SIGPIPE, &sa, nullptr);
  sa.sa_handler = SIG_DFL;
  ::sigaction(SIGCHLD, &sa, nullptr);
  sigset_t chld;
  ::sigemptyset(&chld);
  ::sigaddset(&chld, SIGCHLD);
  ::sigprocmask(SIG_SETMASK, &chld, nullptr);  // Only SIGCHLD is blocked.
  const int sigfd = ::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sigfd < 0) ::_exit(72);

  std::set<pid_t> live;
  bool parent_gone = false;
  while (!parent_gone) {
    pollfd fds[2] = {{ctl, POLLIN, 0}, {sigfd, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo info;
      while (::read(sigfd, &info, sizeof info) > 0) {
      }
      int status;
      pid_t pid;
      while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
        live.erase(pid);
        SendServerMessage(ctl, {ServerMessage::kExited, pid, status, 0},
                          nullptr, 0);
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char request;
      const ssize_t n = ::recv(ctl, &request, 1, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        parent_gone = true;
        break;
      }
      // Step 3. Start a worker: two pipes, then fork. The worker keeps the
      // task pipe's read end and the result pipe's write end; the parent
      // gets the other two ends over the socket.
      int task[2], result[2];
      if (::pipe2(task, O_CLOEXEC) != 0) {
        SendServerMessage(ctl, {ServerMessage::kSpawnFailed, 0, errno, 0},
                          nullptr, 0);
        continue;
      }
      if (::pipe2(result, O_CLOEXEC) != 0) {
        const int err = errno;
        ::close(task[0]);
        ::close(task[1]);
        SendServerMessage(ctl, {ServerMessage::kSpawnFailed, 0, err, 0},
                          nullptr, 0);
        continue;
      }
      // Larger pipe buffers mean fewer wake-ups per large message. Pages
      // are only allocated when used; failure (a lower pipe-max-size) is
      // harmless.
      for (int fd : {task[1], result[1]}) ::fcntl(fd, F_SETPIPE_SZ, 1 << 20);
      const pid_t pid = ::fork();
      if (pid == 0) {
        ::close(task[1]);
        ::close(result[0]);
        ::close(sigfd);
        ::close(ctl);
        RunWorker(task[0], result[1], config);
      }
      const int err = errno;
      ::close(task[0]);
      ::close(result[1]);
      if (pid < 0) {
        ::close(task[1]);
        ::close(result[0]);
        SendServerMessage(ctl, {ServerMessage::kSpawnFailed, 0, err, 1},
                          nullptr, 0);
        continue;
      }
      live.insert(pid);
      const int parent_ends[2] = {task[1], result[0]};
      SendServerMessage(ctl, {ServerMessage::kSpawned, pid, 0, 0}, parent_ends,
                        2);
      ::close(task[1]);
      ::close(result[0]);
    }
  }

  // Step 4. The parent closed the socket (close/join, terminate, or it
  // died): no worker may outlive it. SIGKILL, because a task can ignore or
  // handle any other signal. Then reap all of them, so none is a zombie.
  for (pid_t pid : live) ::kill(pid, SIGKILL);
  while (::waitpid(-1, nullptr, 0) > 0 || errno == EINTR) {
  }
  ::_exit(0);
}

}  // namespace pool::internal
