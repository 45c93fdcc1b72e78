#include "pool/internal/fd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <system_error>

namespace pool::internal {

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0) {
    // close() must not be retried on EINTR on Linux: the fd is gone anyway.
    ::close(fd_);
  }
  fd_ = fd;
}

bool MoveAboveStdio(UniqueFd& fd) noexcept {
  if (fd.get() > 2) return true;
  const int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
  if (moved < 0) return false;
  fd.reset(moved);
  return true;
}

SystemError FdLimitError(int err, const char* call) {
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  return SystemError(
      std::error_code(err, std::generic_category()), call,
      std::string(call) + ": the open-file limit (RLIMIT_NOFILE = " +
          std::to_string(lim.rlim_cur) +
          ") is too low for this pool, which needs 4 descriptors per worker "
          "plus 4; raise it (ulimit -n) or use fewer processes");
}

SystemError OsError(int err, const char* call) {
  if (err == EMFILE || err == ENFILE) return FdLimitError(err, call);
  const std::string name = call;
  if (err == EAGAIN && (name == "fork" || name == "clone")) {
    return SystemError(
        std::error_code(err, std::generic_category()), call,
        name +
            ": the process limit (RLIMIT_NPROC) or system memory does not "
            "allow another process");
  }
  return SystemError(std::error_code(err, std::generic_category()), call);
}

void ThrowErrno(const char* call) { throw OsError(errno, call); }

Pipe MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) ThrowErrno("pipe");
  Pipe p{UniqueFd(fds[0]), UniqueFd(fds[1])};
  if (!MoveAboveStdio(p.read) || !MoveAboveStdio(p.write)) ThrowErrno("fcntl");
  return p;
}

UniqueFd MakeEventFd() {
  UniqueFd fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!fd.valid()) ThrowErrno("eventfd");
  if (!MoveAboveStdio(fd)) ThrowErrno("fcntl");
  return fd;
}

void SignalEventFd(int fd) noexcept {
  const std::uint64_t one = 1;
  while (::write(fd, &one, sizeof one) < 0 && errno == EINTR) {
  }
}

void SetNonBlocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    ThrowErrno("fcntl(O_NONBLOCK)");
  }
}

void GrowPipeFor(int fd, std::size_t frame_bytes, bool& grown) noexcept {
  constexpr std::size_t kLargeFrame = 16 * 1024;
  if (grown || frame_bytes <= kLargeFrame) return;
  grown = true;
  ::fcntl(fd, F_SETPIPE_SZ, 1 << 20);
}

bool WriteAll(int fd, const void* data, std::size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) return false;
      ThrowErrno("write");
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

std::size_t ReadSome(int fd, void* data, std::size_t n) {
  for (;;) {
    const ssize_t r = ::read(fd, data, n);
    if (r >= 0) return static_cast<std::size_t>(r);
    if (errno != EINTR) ThrowErrno("read");
  }
}

UniqueFd OpenPidfd(pid_t pid) noexcept {
  // pidfd_open() has no glibc wrapper before 2.36. A pidfd is always
  // close-on-exec.
  UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (fd.valid() && !MoveAboveStdio(fd)) fd.reset();
  return fd;
}

bool SignalPidfd(int pidfd, int signo) noexcept {
  return ::syscall(SYS_pidfd_send_signal, pidfd, signo, nullptr, 0) == 0;
}

void CloseFdsFrom(int first) noexcept {
#ifdef SYS_close_range
  if (::syscall(SYS_close_range, first, ~0U, 0) == 0) return;
#endif
  for (int fd = first; fd < 65536; ++fd) ::close(fd);
}

int PollAll(std::vector<pollfd>& fds, int timeout_ms) {
  int ready;
  do {
    ready = ::poll(fds.data(), fds.size(), timeout_ms);
  } while (ready < 0 && errno == EINTR);
  if (ready >= 0 || errno != EINVAL) return ready;
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  const std::size_t batch =
      std::max<std::size_t>(1, std::min<rlim_t>(lim.rlim_cur, 1024));
  ready = 0;
  for (std::size_t i = 0; i < fds.size(); i += batch) {
    const std::size_t n = std::min(batch, fds.size() - i);
    const int r = ::poll(fds.data() + i, n, 0);
    if (r > 0) ready += r;
  }
  if (ready > 0) return ready;
  const int wait_ms = timeout_ms < 0 ? 10 : std::min(timeout_ms, 10);
  while (::poll(fds.data(), 1, wait_ms) < 0 && errno == EINTR) {
  }
  return static_cast<int>(fds[0].revents != 0);
}

}  // namespace pool::internal
