#include "pool/errors.h"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdint>
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

TaskTimeoutError::TaskTimeoutError(std::uint64_t task_id,
                                   std::chrono::nanoseconds timeout, pid_t pid)
    : Error("task " + std::to_string(task_id) + " ran past its timeout of " +
            DescribeDuration(timeout) + "; worker " + std::to_string(pid) +
            " was killed and replaced"),
      task_id_(task_id),
      timeout_(timeout),
      pid_(pid) {}

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
    // The kernel sends SIGXCPU when RLIMIT_CPU is reached (Options::
    // cpu_time_limit): say so, as strsignal() does.
    return "was killed by signal " + std::to_string(sig) + " (" +
           SignalName(sig) +
           (sig == SIGXCPU ? ": CPU time limit exceeded" : "") + ")";
  }
  if (WIFEXITED(wait_status)) {
    return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
  }
  return "stopped with wait status " + std::to_string(wait_status);
}

std::string DescribeDuration(std::chrono::nanoseconds d) {
  struct Unit {
    std::int64_t ns;
    const char* name;
  };
  static constexpr Unit kUnits[] = {
      {3'600'000'000'000, "h"}, {60'000'000'000, "min"}, {1'000'000'000, "s"},
      {1'000'000, "ms"},        {1'000, "us"},           {1, "ns"}};
  const std::int64_t ns = d.count();
  const std::int64_t magnitude = ns < 0 ? -ns : ns;
  for (const Unit& u : kUnits) {
    if (magnitude < u.ns && u.ns != 1) continue;
    // Up to three decimals, trailing zeros dropped: 1.5s, 1.25s, 200ms.
    std::string text = std::to_string(ns / u.ns);
    std::int64_t rest = (magnitude % u.ns) * 1000 / u.ns;
    if (rest != 0) {
      std::string decimals = std::to_string(1000 + rest).substr(1);
      while (decimals.back() == '0') decimals.pop_back();
      if (ns < 0 && ns / u.ns == 0) text = "-" + text;
      text += "." + decimals;
    }
    return text + u.name;
  }
  return std::to_string(ns) + "ns";
}

}  // namespace pool
