// exercises/b02_result_pipe/result_pipe.h: Step b02 of the
// build-your-own-pool track. A result back from a child through a pipe.
//
// Fd owns one file descriptor and closes it in its destructor, so no error
// path can leak one. MakePipe() returns both ends of a new pipe, each owned
// by an Fd. RunForResult() runs fn(arg) in a child process (a b01 Child) and
// brings its int result back through a pipe; a child that dies before
// writing it is reported as such, never waited for forever.
//
// Contract:
// - Fd is move-only; exactly one object owns a descriptor at a time.
// - Descriptors from MakePipe() are close-on-exec, so a program that a task
//   exec()s does not inherit them.
// - RunForResult() returns only after the child has been reaped: no zombie.
//   It leaves no descriptor open, whatever the child did.

#ifndef EXERCISES_B02_RESULT_PIPE_RESULT_PIPE_H_
#define EXERCISES_B02_RESULT_PIPE_RESULT_PIPE_H_

#include <optional>
#include <utility>

#include "exercises/b01_fork_wait/child.h"

namespace bpool {

class Fd {
 public:
  // No descriptor.
  Fd() = default;
  // Takes ownership of `fd` (-1 for none).
  explicit Fd(int fd) : fd_(fd) {}

  Fd(Fd&& other) noexcept : fd_(other.Release()) {}
  Fd& operator=(Fd&& other) noexcept {
    Reset(other.Release());
    return *this;
  }
  ~Fd() { Reset(); }

  // The descriptor, or -1.
  int get() const { return fd_; }
  // Gives up ownership without closing; returns the descriptor.
  int Release() { return std::exchange(fd_, -1); }

  // Closes the descriptor held, if any, and holds `fd` instead.
  void Reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

// Both ends of one pipe: bytes written to `write` come out of `read`.
struct Pipe {
  Fd read;
  Fd write;
};

// Creates a pipe whose two ends are close-on-exec. Throws std::system_error
// if pipe2() fails (for example when the process is out of descriptors).
Pipe MakePipe();

// What RunForResult() saw.
struct ChildResult {
  // fn(arg), if the child wrote it before it ended; empty if it died first.
  std::optional<int> value;
  // How the child ended.
  ExitStatus status;
};

// Runs fn(arg) in a child process and returns its result and how the child
// ended. Throws std::system_error if pipe2() or fork() fails.
ChildResult RunForResult(int (*fn)(int), int arg);

}  // namespace bpool

#endif  // EXERCISES_B02_RESULT_PIPE_RESULT_PIPE_H_
