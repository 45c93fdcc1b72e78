// exercises/b01_fork_wait/child.h: Step b01 of the build-your-own-pool
// track. A child process and how it ended.
//
// Child owns one child process: Start() forks it, Wait() reaps it and says
// how it ended, and the destructor makes sure it is reaped even if nobody
// called Wait() (SIGKILL, then waitpid), so no zombie is ever left behind.
// Every later step of the track builds its worker processes on Child.
//
// Contract:
// - A Child is move-only; exactly one object owns a pid at a time.
// - The forked child never returns into the caller's code and never throws
//   into it: it runs `body` and calls _exit() with the value `body`
//   returns, or with kChildThrew if `body` throws.
// - Wait() and the destructor retry waitpid() when a signal interrupts it.
// - Not thread-safe: one thread uses a Child at a time.

#ifndef EXERCISES_B01_FORK_WAIT_CHILD_H_
#define EXERCISES_B01_FORK_WAIT_CHILD_H_

#include <sys/types.h>

#include <functional>
#include <string>
#include <utility>

namespace bpool {

// The exit code of a child whose body threw (EX_SOFTWARE in <sysexits.h>).
inline constexpr int kChildThrew = 70;

// How a child process ended, decoded from waitpid()'s status.
struct ExitStatus {
  bool exited = false;  // It called exit() or _exit(), or returned: see code.
  int code = 0;         // The exit code, when `exited`.
  int signal = 0;       // The signal that killed it, when not `exited`.

  // "exited with code 3" or "was killed by signal 9 (SIGKILL)".
  std::string Describe() const;
};

class Child {
 public:
  // No process.
  Child() = default;

  // Forks a child process that runs body() and _exit()s with its value.
  // Throws std::system_error if fork() fails.
  static Child Start(std::function<int()> body);

  Child(Child&& other) noexcept : pid_(std::exchange(other.pid_, -1)) {}
  Child& operator=(Child&& other) noexcept {
    Child old(std::move(*this));  // Reaps what this object owned so far.
    pid_ = std::exchange(other.pid_, -1);
    return *this;
  }

  // If the child has not been reaped yet: kills it with SIGKILL and reaps
  // it, so that it leaves no zombie.
  ~Child();

  // The child's pid, or -1 once it has been reaped (or for no process).
  pid_t pid() const { return pid_; }
  // Whether there is a child that has not been reaped yet.
  bool running() const { return pid_ > 0; }

  // Blocks until the child has ended, reaps it, and says how it ended.
  // Afterwards pid() is -1. Requires running().
  ExitStatus Wait();

  // Sends `signal` to the child, if it has not been reaped yet. (A child
  // that has ended but not been reaped keeps its pid, so the signal cannot
  // reach some other process.)
  void Kill(int signal) const;

 private:
  pid_t pid_ = -1;
};

}  // namespace bpool

#endif  // EXERCISES_B01_FORK_WAIT_CHILD_H_
