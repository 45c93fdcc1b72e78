// pool/errors.h: the errors the pool reports.
//
// Every failure of a task, every misuse of a pool and every failure of the
// operating system the pool runs into is a `pool::Error`, so one
// `catch (const pool::Error&)` sees them all, and an error_callback runs for
// every one of them; the subclasses let a program tell them apart.
//
// clang-format off
//   Error
//   ├── TaskError          the task threw; carries the exception's type and
//   │                      what(), as Python attaches the remote traceback
//   ├── WorkerDiedError    the worker process died while running the task
//   ├── TaskTimeoutError   the task ran past its `.timeout`; its worker was
//   │                      killed and replaced
//   ├── TimeoutError       get(timeout) / next(timeout) ran out of time
//   ├── CancelledError     cancel() or terminate() ran before the task
//   │                      started (terminate(): before it finished)
//   ├── CallbackError      the task succeeded (or failed) but its callback
//   │                      threw
//   ├── InitializerError   Options::initializer failed in a worker
//   ├── UsageError         the pool was used wrongly (Python's ValueError)
//   ├── ProtocolError      a malformed message crossed a pipe
//   └── SystemError        a system call failed (pipe, fork, ...); carries
//                          the std::error_code and the call's name
// clang-format on
//
// All of these are plain value types: copyable, and safe to rethrow on another
// thread.

#ifndef POOL_ERRORS_H_
#define POOL_ERRORS_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <system_error>

namespace pool {

// The base of every error the pool reports.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The task threw. `type_name()` is the exception's demangled C++ type (for
// example "std::out_of_range" or "int") and `message()` its what(), or a
// rendering of the thrown value when it has no what().
class TaskError : public Error {
 public:
  TaskError(std::string type_name, std::string message);
  const std::string& type_name() const noexcept { return type_name_; }
  const std::string& message() const noexcept { return message_; }

 private:
  std::string type_name_;
  std::string message_;
};

// The worker process running the task died: it was killed by a signal, or it
// exited (a task calling exit() or _exit()). Python's Pool hangs forever in
// this case (bpo-22393); this pool fails only that task and forks a
// replacement worker.
class WorkerDiedError : public Error {
 public:
  // `wait_status` is the status from waitpid(), or -1 if it is unknown.
  WorkerDiedError(pid_t pid, int wait_status, std::uint64_t task_id);
  pid_t pid() const noexcept { return pid_; }
  // The raw waitpid() status; use WIFSIGNALED/WTERMSIG/WEXITSTATUS on it.
  int wait_status() const noexcept { return wait_status_; }
  std::uint64_t task_id() const noexcept { return task_id_; }

 private:
  pid_t pid_;
  int wait_status_;
  std::uint64_t task_id_;
};

// The task ran longer than the `.timeout` it was submitted with (pool.h,
// "Timeouts"), counted from the moment it started in its worker. The worker
// was SIGKILLed and replaced; only this task failed. For map, starmap and
// imap the task is a chunk: each of its items fails with this error. what()
// names the task, the limit and the worker: "task 12 ran past its timeout
// of 200ms; worker 4242 was killed and replaced".
class TaskTimeoutError : public Error {
 public:
  TaskTimeoutError(std::uint64_t task_id, std::chrono::nanoseconds timeout,
                   pid_t pid);
  std::uint64_t task_id() const noexcept { return task_id_; }
  // The limit it was submitted with.
  std::chrono::nanoseconds timeout() const noexcept { return timeout_; }
  // The worker that was killed.
  pid_t pid() const noexcept { return pid_; }

 private:
  std::uint64_t task_id_;
  std::chrono::nanoseconds timeout_;
  pid_t pid_;
};

// get(timeout), wait-style next(timeout): the result was not ready in time.
// Like Python's multiprocessing.TimeoutError, the task keeps running.
class TimeoutError : public Error {
 public:
  using Error::Error;
};

// The task will never run, or never finish: cancel() was called before it
// started (async_result.h), or terminate() (or the pool's destructor) before
// it finished. Python leaves terminated results pending forever; here every
// one of them resolves.
class CancelledError : public Error {
 public:
  using Error::Error;
};

// A callback or error_callback threw. The pool keeps working; the result that
// the callback belonged to fails with this error (as CPython does since
// gh-83371), so get() reports it instead of it being lost.
class CallbackError : public Error {
 public:
  using Error::Error;
};

// Options::initializer threw, or its worker died while running it.
class InitializerError : public Error {
 public:
  using Error::Error;
};

// The pool was used in a way it does not allow. The messages are CPython's:
// "Pool not running", "Pool is still running", "Chunksize must be 1+, not 0",
// "Number of processes must be at least 1".
class UsageError : public Error {
 public:
  using Error::Error;
};

// Bytes read from a pipe did not form a valid message (a truncated frame, an
// impossible length, a reply with the wrong check or for another task, a
// body that does not match its task). Only a bug or a task that writes into
// the pool's own pipes can cause it.
class ProtocolError : public Error {
 public:
  using Error::Error;
};

// A system call failed: `code()` holds errno (in std::generic_category())
// and `call()` the call's name ("fork", "pipe", ...). what() is
// "<call>: <strerror>", or a longer explanation where the pool has one (the
// open-file limit and the process limit name the limit and what to do).
class SystemError : public Error {
 public:
  SystemError(std::error_code code, std::string call);
  SystemError(std::error_code code, std::string call, const std::string& what);
  const std::error_code& code() const noexcept { return code_; }
  const std::string& call() const noexcept { return call_; }

 private:
  std::error_code code_;
  std::string call_;
};

// Describes a waitpid() status for a person: "exited with status 3",
// "was killed by signal 9 (SIGKILL)", "was killed by signal 24 (SIGXCPU:
// CPU time limit exceeded)".
std::string DescribeWaitStatus(int wait_status);

// The name of a signal ("SIGKILL"), or "signal N" when it has none.
std::string SignalName(int signo);

// A duration for a person, in the largest unit that keeps it exact up to
// three decimals: "200ms", "1.5s", "250us", "3ns".
std::string DescribeDuration(std::chrono::nanoseconds d);

}  // namespace pool

#endif  // POOL_ERRORS_H_
