// pool/internal/fd.h: owners for file descriptors and small syscall helpers.
//
// Every fd the pool opens is held by a UniqueFd, which closes it in its
// destructor, so no error path can leak one. No pool fd is ever 0, 1 or 2: a
// program started with its standard streams closed would otherwise get pool
// pipes there, and every worker would inherit them as its stdio. The helpers
// retry on EINTR and turn failures into pool::SystemError naming the call.

#ifndef POOL_INTERNAL_FD_H_
#define POOL_INTERNAL_FD_H_

#include <poll.h>
#include <sys/types.h>

#include <cstddef>
#include <utility>
#include <vector>

#include "pool/errors.h"

namespace pool::internal {

// Owns one file descriptor; move-only; closes it when destroyed.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

// Moves `fd` to the lowest free number from 3 up (close-on-exec) when it is
// 0, 1 or 2; returns false, with errno set and `fd` untouched, if that fails.
// Async-signal-safe: the fork server uses it too.
bool MoveAboveStdio(UniqueFd& fd) noexcept;

// pipe2(O_CLOEXEC), both ends above stdio, so that a program the parent
// later exec()s does not inherit the pool's pipes. Throws SystemError("pipe")
// on failure, with the open-file limit in the message when that is the cause.
Pipe MakePipe();

// An eventfd (close-on-exec, non-blocking), above stdio. Throws SystemError
// on failure.
UniqueFd MakeEventFd();

// Makes `fd` readable for good (an eventfd: adds 1 to its counter).
void SignalEventFd(int fd) noexcept;

void SetNonBlocking(int fd);

// A pipe holds 64 KiB until it is told otherwise: a few large frames fill
// it, and then every frame costs the writer and the reader a wake-up each.
// The first time a frame of more than 16 KiB is about to go through pipe
// `fd`, the pipe is grown to 1 MiB; `grown` remembers that it was done. Not
// done when the pipe is made: the kernel allocates the larger ring at once,
// and a pool that never sends a large frame should not pay for it. Failure
// (a lower /proc/sys/fs/pipe-max-size) only costs wake-ups, and is ignored.
void GrowPipeFor(int fd, std::size_t frame_bytes, bool& grown) noexcept;

// Writes all n bytes, blocking; retries on EINTR. Returns false if the reader
// is gone (EPIPE); throws SystemError on other failures.
bool WriteAll(int fd, const void* data, std::size_t n);

// Reads up to n bytes; retries on EINTR. Returns the count, 0 at end of file.
// Throws SystemError on failure.
std::size_t ReadSome(int fd, void* data, std::size_t n);

// A pidfd for `pid` (pidfd_open(2), Linux 5.3+), close-on-exec and above
// stdio; invalid (errno set) on failure. Only race-free while `pid` cannot
// have been reaped: the fork server opens it for its own unreaped child.
UniqueFd OpenPidfd(pid_t pid) noexcept;

// Sends `signo` through a pidfd: never hits another process, even after the
// pid was reused. Returns false (errno set) on failure; ESRCH means the
// process has already exited.
bool SignalPidfd(int pidfd, int signo) noexcept;

// The error for errno value `err` from `call`: names the open-file limit
// (EMFILE/ENFILE) and the process limit (EAGAIN from fork/clone) and what to
// do about them.
SystemError OsError(int err, const char* call);

// The error for running out of fds (EMFILE/ENFILE) in `call`: it names the
// limit and what to do about it.
SystemError FdLimitError(int err, const char* call);

// Closes every fd numbered `first` or higher: close_range(2), or on a kernel
// without it a close() of each number up to 65535. Async-signal-safe; the
// fork server and each worker call it right after fork(), so that nothing
// the program had open lives on in them.
void CloseFdsFrom(int first) noexcept;

// poll(2) over `fds`, retried on EINTR. poll() refuses (EINVAL) more entries
// than RLIMIT_NOFILE, which a program may lower while a pool runs; then the
// entries are polled in batches the limit allows, without waiting, and if
// none is ready only fds[0] is waited on, for at most 10 ms: slower, but the
// caller keeps working until the limit is raised again. fds[0] should be
// what wakes the caller (the handler's wake-up pipe). Returns what poll()
// returns.
int PollAll(std::vector<pollfd>& fds, int timeout_ms);

// Throws OsError(errno, call).
[[noreturn]] void ThrowErrno(const char* call);

}  // namespace pool::internal

#endif  // POOL_INTERNAL_FD_H_
