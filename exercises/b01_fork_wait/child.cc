// Step b01: a child process and how it ended. Replace each TODO; see
// README.md.

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
  // TODO: "exited with code N", or "was killed by signal N (SIGNAME)";
  // sigabbrev_np(signal) gives the name without "SIG".
  throw std::logic_error("TODO: ExitStatus::Describe is not written yet");
}

Child Child::Start(std::function<int()> /*body*/) {
  // TODO: fork(). In the child: run body() and _exit() with its value
  // (kChildThrew if it throws); never return. In the parent: a Child that
  // owns the new pid.
  throw std::logic_error("TODO: Child::Start is not written yet");
}

Child::~Child() {
  // TODO: if the child has not been reaped: SIGKILL it, then waitpid() it.
}

ExitStatus Child::Wait() {
  // TODO: waitpid() (again on EINTR), forget the pid, decode the status.
  throw std::logic_error("TODO: Child::Wait is not written yet");
}

void Child::Kill(int /*signal*/) const {
  // TODO: kill() the child, if it has not been reaped.
  throw std::logic_error("TODO: Child::Kill is not written yet");
}

}  // namespace bpool
