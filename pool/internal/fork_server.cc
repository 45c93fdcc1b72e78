// The fork server (RunForkServer) and the parent's side of it (ForkServer):
// see fork_server.h. Every fd either side opens is owned by a UniqueFd;
// each worker's pipes are closed in the server as soon as the parent has
// its ends.

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

// The messages on the socket (fork_server.h describes the conversation).
// Both ends are in this file, so the layout is its alone.
struct Request {
  enum Kind : std::int32_t { kStart = 1, kStop = 2, kFinish = 3 };
  std::int32_t kind;
  std::int32_t slot;  // kStart: the worker's WorkerSlot index
};

struct Message {
  enum Kind : std::int32_t { kStarted = 1, kStartFailed = 2, kExited = 3 };
  enum Call : std::int32_t { kPipe = 0, kFork = 1, kPidfd = 2 };
  std::int32_t kind;
  std::int32_t pid;    // the worker's pid (kStarted, kExited)
  std::int32_t value;  // kStartFailed: errno; kExited: the waitpid() status
  std::int32_t call;   // kStartFailed: which call failed (Call)
  std::int32_t slot;   // kStarted, kStartFailed: the slot requested
};

// The fds a kStarted message carries, in this order (WorkerFds names them).
enum AttachedFd { kPidfd, kTaskWrite, kTaskRead, kResultRead, kAttachedFds };

const char* CallName(std::int32_t call) {
  switch (call) {
    case Message::kFork:
      return "fork";
    case Message::kPidfd:
      return "pidfd_open";
    default:
      return "pipe";
  }
}

// Sends `msg` with `nfds` fds (at most kAttachedFds) attached. Returns false
// if the peer is gone.
bool SendMessage(int sock, const Message& msg, const int* fds, int nfds) {
  iovec iov{const_cast<Message*>(&msg), sizeof msg};
  alignas(cmsghdr) char control[CMSG_SPACE(kAttachedFds * sizeof(int))] = {};
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

void Report(int ctl, Message msg) { SendMessage(ctl, msg, nullptr, 0); }

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

// Starts a worker in `slot`: two pipes, fork, a pidfd of the child, then
// the parent's fds over the socket. The worker keeps the task pipe's read
// end and the result pipe's write end; the parent gets the other ends, the
// pidfd and a copy of the task pipe's read end. Returns the worker's pid,
// or -1.
pid_t StartWorker(int ctl, int slot, WorkerSlot* slots, std::uint64_t reply_key,
                  const WorkerConfig& config) {
  Message failed{Message::kStartFailed, 0, 0, Message::kPipe, slot};
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
    failed.call = Message::kFork;
    Report(ctl, failed);
    return -1;
  }
  // Unreaped until this process calls waitpid(), so the pid is the child's.
  UniqueFd pidfd = OpenPidfd(pid);
  if (!pidfd.valid()) {
    failed.value = errno;
    failed.call = Message::kPidfd;
    ::kill(pid, SIGKILL);  // Our unreaped child: reaped by the SIGCHLD path.
    Report(ctl, failed);
    return pid;
  }
  int parent_ends[kAttachedFds];
  parent_ends[kPidfd] = pidfd.get();
  parent_ends[kTaskWrite] = task_write.get();
  parent_ends[kTaskRead] = task_read.get();
  parent_ends[kResultRead] = result_read.get();
  SendMessage(ctl, {Message::kStarted, pid, 0, 0, slot}, parent_ends,
              kAttachedFds);
  return pid;
}

// The server, in the child that ForkServer's constructor forks (once the
// WorkerSlots are mapped, the socket made and stdio flushed).
[[noreturn]] void RunForkServer(UniqueFd control, pid_t parent,
                                WorkerSlot* slots, std::uint64_t reply_key,
                                const WorkerConfig& config) {
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
        Report(ctl.get(), {Message::kExited, pid, status, 0, 0});
      }
      if (finishing && live.empty()) break;
    }
    if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) break;  // Parent died.
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      Request request{};
      const ssize_t n = ::recv(ctl.get(), &request, sizeof request, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n == static_cast<ssize_t>(sizeof request) &&
          request.kind == Request::kFinish) {
        finishing = true;
        stop = live.empty();
        continue;
      }
      if (n != static_cast<ssize_t>(sizeof request) ||
          request.kind != Request::kStart) {
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

}  // namespace

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

bool ForkServer::Send(std::int32_t kind, std::int32_t slot) {
  if (!sock_.valid()) return false;
  const Request request{kind, slot};
  ssize_t n;
  do {
    n = ::send(sock_.get(), &request, sizeof request, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(sizeof request);
}

bool ForkServer::RequestWorker(int slot) { return Send(Request::kStart, slot); }

void ForkServer::Finish() {
  if (!finishing_) finishing_ = Send(Request::kFinish, 0);
}

ServerEvent ForkServer::Receive() {
  Message msg{};
  iovec iov{&msg, sizeof msg};
  alignas(cmsghdr) char control[CMSG_SPACE(kAttachedFds * sizeof(int))] = {};
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = control;
  mh.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(sock_.get(), &mh, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  // End of file, a failed read, or a short message (not something this
  // server sends): it is gone, or as good as gone.
  if (n != static_cast<ssize_t>(sizeof msg)) return ServerGone{};
  // Take ownership of every fd attached before anything else, so that none
  // leaks whatever the message says.
  UniqueFd fds[kAttachedFds];
  int received = 0;
  for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c != nullptr; c = CMSG_NXTHDR(&mh, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const int count =
        static_cast<int>((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    for (int i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      UniqueFd owned(fd);
      if (received < kAttachedFds) fds[received++] = std::move(owned);
    }
  }
  switch (msg.kind) {
    case Message::kStarted: {
      // With no fd free, the kernel drops the attached fds and sets
      // MSG_CTRUNC. The server has closed its copies, so the worker reads
      // end of file and exits by itself (its exit is reported as usual).
      bool complete =
          (mh.msg_flags & MSG_CTRUNC) == 0 && received == kAttachedFds;
      for (UniqueFd& fd : fds) complete = complete && MoveAboveStdio(fd);
      if (!complete) {
        return WorkerStartFailed{
            msg.slot, std::make_exception_ptr(FdLimitError(EMFILE, "recvmsg"))};
      }
      return WorkerStarted{
          msg.slot, msg.pid,
          WorkerFds{std::move(fds[kPidfd]), std::move(fds[kTaskWrite]),
                    std::move(fds[kTaskRead]), std::move(fds[kResultRead])}};
    }
    case Message::kStartFailed:
      return WorkerStartFailed{msg.slot, std::make_exception_ptr(OsError(
                                             msg.value, CallName(msg.call)))};
    case Message::kExited:
      return WorkerExited{msg.pid, msg.value};
    default:
      return ServerGone{};  // Not something this server sends.
  }
}

int ForkServer::Stop() {
  if (pid_ <= 0) return -1;
  Send(Request::kStop, 0);  // Fails if the server is gone already.
  sock_.reset();
  int status = -1;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return status;
}

}  // namespace pool::internal
