// Step b02: a result back from a child through a pipe, the reference
// solution.

#include "exercises/b02_result_pipe/result_pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <system_error>

namespace bpool {

void Fd::Reset(int fd) noexcept {
  // close() is not retried on EINTR: on Linux the descriptor is already
  // released then, and a retry could close one that another thread just
  // opened.
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Pipe MakePipe() {
  int fds[2];
  // O_CLOEXEC at creation, not by fcntl() afterwards: another thread could
  // fork and exec in between and pass the pipe to that program.
  if (::pipe2(fds, O_CLOEXEC) < 0) {
    throw std::system_error(errno, std::generic_category(), "pipe2");
  }
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

ChildResult RunForResult(int (*fn)(int), int arg) {
  Pipe pipe = MakePipe();
  Child child = Child::Start([fn, arg, &pipe] {
    // The child's copy of the read end is of no use to it.
    pipe.read.Reset();
    const int value = fn(arg);
    const char* p = reinterpret_cast<const char*>(&value);
    std::size_t left = sizeof value;
    while (left > 0) {
      const ssize_t n = ::write(pipe.write.get(), p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return 1;  // The parent is gone; nobody to tell.
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    return 0;
  });
  // Close the parent's copy of the write end NOW. read() returns end of
  // file only when no process holds a write end; if this one stayed open,
  // a child that died without writing would leave the read below waiting
  // forever.
  pipe.write.Reset();

  int value = 0;
  char* p = reinterpret_cast<char*>(&value);
  std::size_t got = 0;
  while (got < sizeof value) {
    const ssize_t n = ::read(pipe.read.get(), p + got, sizeof value - got);
    if (n < 0 && errno == EINTR) continue;  // A signal; not an error.
    if (n < 0) throw std::system_error(errno, std::generic_category(), "read");
    if (n == 0) break;  // End of file: the child ended before writing all.
    got += static_cast<std::size_t>(n);
  }
  ChildResult result;
  if (got == sizeof value) result.value = value;
  result.status = child.Wait();
  return result;
}

}  // namespace bpool
