// pool/internal/fd.h: owners for file descriptors and small syscall helpers.
//
// Every fd the pool opens is held by a UniqueFd, which closes it in its
// destructor, so no error path can leak one. The helpers retry on EINTR and
// turn failures into std::system_error naming the system call.

#ifndef POOL_INTERNAL_FD_H_
#define POOL_INTERNAL_FD_H_

#include <sys/types.h>

#include <cstddef>
#include <system_error>
#include <utility>

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

// pipe2(O_CLOEXEC), so that a program the parent later exec()s does not
// inherit the pool's pipes. Throws std::system_error("pipe") on failure, with
// the open-file limit in the message when that is the cause.
Pipe MakePipe();

void SetNonBlocking(int fd);

// Writes all n bytes, blocking; retries on EINTR. Returns false if the reader
// is gone (EPIPE); throws std::system_error on other failures.
bool WriteAll(int fd, const void* data, std::size_t n);

// Reads up to n bytes; retries on EINTR. Returns the count, 0 at end of file.
// Throws std::system_error on failure.
std::size_t ReadSome(int fd, void* data, std::size_t n);

// The error for running out of fds (EMFILE/ENFILE) in `call`: it names the
// limit and what to do about it.
std::system_error FdLimitError(int err, const char* call);

// Throws std::system_error(errno, what).
[[noreturn]] void ThrowErrno(const char* what);

}  // namespace pool::internal

#endif  // POOL_INTERNAL_FD_H_
