#include "pool/errors.h"

#include <signal.h>
#include <sys/wait.h>

#include <string>
#include <utility>

namespace pool {
namespace {

std::string DescribeTaskError(const std::string& type_name,
                              const std::string& message) {
  return "task threw " + type_name + ": " + message;
}

std::string DescribeDeath(pid_t pid, int wait_status, std::uint64_t task_id) {
  return "worker " + std::to_string(pid) + " " +
         DescribeWaitStatus(wait_status) + " while running task " +
         std::to_string(task_id);
}

}  // namespace

TaskError::TaskError(std::string type_name, std::string message)
    : Error(DescribeTaskError(type_name, message)),
      type_name_(std::move(type_name)),
      message_(std::move(message)) {}

WorkerDiedError::WorkerDiedError(pid_t pid, int wait_status,
                                 std::uint64_t task_id)
    : Error(DescribeDeath(pid, wait_status, task_id)),
      pid_(pid),
      wait_status_(wait_status),
      task_id_(task_id) {}

SystemError::SystemError(std::error_code code, std::string call)
    : Error(call + ": " + code.message()),
      code_(code),
      call_(std::move(call)) {}

SystemError::SystemError(std::error_code code, std::string call,
                         const std::string& what)
    : Error(what), code_(code), call_(std::move(call)) {}

std::string SignalName(int signo) {
  // sigabbrev_np() would do this, but it is glibc-only; the common ones
  // suffice for messages.
  switch (signo) {
    case SIGHUP:
      return "SIGHUP";
    case SIGINT:
      return "SIGINT";
    case SIGQUIT:
      return "SIGQUIT";
    case SIGILL:
      return "SIGILL";
    case SIGTRAP:
      return "SIGTRAP";
    case SIGABRT:
      return "SIGABRT";
    case SIGBUS:
      return "SIGBUS";
    case SIGFPE:
      return "SIGFPE";
    case SIGKILL:
      return "SIGKILL";
    case SIGUSR1:
      return "SIGUSR1";
    case SIGSEGV:
      return "SIGSEGV";
    case SIGUSR2:
      return "SIGUSR2";
    case SIGPIPE:
      return "SIGPIPE";
    case SIGALRM:
      return "SIGALRM";
    case SIGTERM:
      return "SIGTERM";
    case SIGXCPU:
      return "SIGXCPU";
    case SIGXFSZ:
      return "SIGXFSZ";
    case SIGSYS:
      return "SIGSYS";
    default:
      return "signal " + std::to_string(signo);
  }
}

std::string DescribeWaitStatus(int wait_status) {
  if (wait_status == -1) return "died (exit status unknown)";
  if (WIFSIGNALED(wait_status)) {
    const int sig = WTERMSIG(wait_status);
    return "was killed by signal " + std::to_string(sig) + " (" +
           SignalName(sig) + ")";
  }
  if (WIFEXITED(wait_status)) {
    return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
  }
  return "stopped with wait status " + std::to_string(wait_status);
}

}  // namespace pool
