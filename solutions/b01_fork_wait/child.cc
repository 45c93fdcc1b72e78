// Step b01: a child process and how it ended, the reference solution.

#include "exercises/b01_fork_wait/child.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <system_error>

namespace bpool {

std::string ExitStatus::Describe() const {
  if (exited) return "exited with code " + std::to_string(code);
  // sigabbrev_np (glibc 2.32) gives "KILL" for SIGKILL; older names vary.
  const char* name = ::sigabbrev_np(signal);
  return "was killed by signal " + std::to_string(signal) +
         (name != nullptr ? std::string(" (SIG") + name + ")" : "");
}

Child Child::Start(std::function<int()> body) {
  // Output still buffered in this process would be copied into the child
  // and printed twice, once by each; flush it first.
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    // In the child. Never return or throw from here: the caller's code
    // (a test, a main loop) would go on running a second time in this
    // process. _exit(), not exit(): the parent's atexit handlers and static
    // destructors are not this process's to run.
    int code = kChildThrew;
    try {
      code = body();
    } catch (...) {
    }
    std::fflush(nullptr);  // What the body printed; _exit does not flush.
    ::_exit(code);
  }
  Child child;
  child.pid_ = pid;
  return child;
}

Child::~Child() {
  if (!running()) return;
  Kill(SIGKILL);
  int status = 0;
  // A signal handler running in this thread interrupts waitpid (EINTR);
  // try again, or the child stays a zombie.
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

ExitStatus Child::Wait() {
  // waitpid(-1) would reap any child of this process, not ours.
  if (!running()) throw std::logic_error("Child::Wait: no child to wait for");
  int status = 0;
  pid_t got;
  do {
    got = ::waitpid(pid_, &status, 0);
  } while (got < 0 && errno == EINTR);
  // Reaped (or, on ECHILD, reaped by someone else): either way the pid is
  // no longer ours and may be reused by another process.
  pid_ = -1;
  if (got < 0) {
    throw std::system_error(errno, std::generic_category(), "waitpid");
  }
  ExitStatus how;
  if (WIFEXITED(status)) {
    how.exited = true;
    how.code = WEXITSTATUS(status);
  } else {
    how.signal = WTERMSIG(status);
  }
  return how;
}

void Child::Kill(int signal) const {
  if (running()) ::kill(pid_, signal);
}

}  // namespace bpool
