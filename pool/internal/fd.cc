#include "pool/internal/fd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

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

void ThrowErrno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

std::system_error FdLimitError(int err, const char* call) {
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  return std::system_error(
      err, std::generic_category(),
      std::string(call) + ": the open-file limit (RLIMIT_NOFILE = " +
          std::to_string(lim.rlim_cur) +
          ") is too low for this pool, which needs 2 descriptors per worker "
          "plus 4; raise it (ulimit -n) or use fewer processes");
}

Pipe MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    if (errno == EMFILE || errno == ENFILE) throw FdLimitError(errno, "pipe");
    ThrowErrno("pipe");
  }
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void SetNonBlocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    ThrowErrno("fcntl(O_NONBLOCK)");
  }
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

}  // namespace pool::internal
