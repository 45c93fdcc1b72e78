// pool/internal/process_engine.h: the parent's side of a process pool.
//
// ProcessEngine owns the fork server, the workers' pipes and the handler
// thread. It takes encoded chunks (ProcessJob) from any thread, writes them to
// workers, reads the replies and completes the jobs. process_engine.cc
// describes the handler loop, worker death and shutdown.
//
// Thread safety: every public method may be called from any thread.
// Callbacks run on the handler thread (see pool.h).

#ifndef POOL_INTERNAL_PROCESS_ENGINE_H_
#define POOL_INTERNAL_PROCESS_ENGINE_H_

#include <poll.h>
#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "pool/internal/fd.h"
#include "pool/internal/job.h"
#include "pool/internal/worker.h"

namespace pool::internal {

class ProcessEngine {
 public:
  // Starts the fork server and `processes` workers, and waits until each has
  // run `config.initializer` (when there is one). Throws std::system_error if
  // a pipe or fork fails and InitializerError if an initializer fails; in
  // both cases every process already started has been stopped and reaped.
  ProcessEngine(int processes, WorkerConfig config);
  // terminate() then join(): see pool.h.
  ~ProcessEngine();

  ProcessEngine(const ProcessEngine&) = delete;
  ProcessEngine& operator=(const ProcessEngine&) = delete;

  // Queues jobs for the workers, in order. Throws UsageError("Pool not
  // running") after close() or terminate(); then no job was queued.
  void Submit(std::vector<std::unique_ptr<ProcessJob>> jobs);

  void Close();
  void Terminate();
  void Join();

  int processes() const { return processes_; }
  // The pids of the live workers, in no particular order.
  std::vector<pid_t> WorkerPids() const;
  // True on the handler thread, which runs callbacks.
  bool OnHandlerThread() const {
    return std::this_thread::get_id() == handler_.get_id();
  }

 private:
  enum class State { kRun, kClose, kTerminate };
  struct Worker;

  void StartServer();
  void RequestWorker();
  void HandleServerMessage();
  void AdoptWorker(pid_t pid, UniqueFd task_fd, UniqueFd result_fd);
  void Run();
  void Dispatch();
  void WriteTo(Worker& w);
  void ReadFrom(Worker& w);
  void HandleFrame(Worker& w, const FrameHeader& h, Reader& body);
  void RetireIfDone(Worker& w);
  void FailWorker(Worker& w, const char* why);
  void Shutdown(bool terminate);
  void PublishPids();

  const int processes_;
  const WorkerConfig config_;

  // Shared with submitting threads; guarded by mu_.
  mutable std::mutex mu_;
  State state_ = State::kRun;
  std::vector<std::unique_ptr<ProcessJob>> incoming_;
  std::uint64_t next_id_ = 1;
  bool handler_polling_ = false;  // The handler is (about to be) in poll().
  bool wake_sent_ = false;
  std::vector<pid_t> pids_;
  std::exception_ptr broken_;  // Set when no worker can be started any more.
  bool joined_ = false;

  // Owned by the handler thread (and by the constructor before it starts).
  UniqueFd server_;
  pid_t server_pid_ = -1;
  Pipe wake_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::deque<std::unique_ptr<ProcessJob>> pending_;
  int spawns_requested_ = 0;
  double task_us_ = 1000;  // Running estimate of one task's duration (µs).
  std::vector<pollfd> poll_fds_;

  std::condition_variable
      ready_cv_;  // Signalled by PublishPids and on failure.
  std::mutex join_mu_;
  std::thread handler_;
};

}  // namespace pool::internal

#endif  // POOL_INTERNAL_PROCESS_ENGINE_H_
