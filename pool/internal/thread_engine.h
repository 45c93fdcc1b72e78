// pool/internal/thread_engine.h: the engine behind ThreadPool.
//
// N threads take chunks (ThreadJob) from one queue and run them; callbacks
// run on the thread that finished the chunk. Threads cannot be killed, so
// terminate() cancels what is queued and waits for what is running, as
// Python's ThreadPool does.
//
// Cheap hand-off, so that a small task costs about a queue push and a
// function call, not a futex wake-up and a context switch: a thread that
// finds the queue empty first spins for a moment (yielding the CPU, and
// only one thread at a time) before it sleeps; a submission wakes a
// sleeping thread only when no spinning thread will take the job and no
// wake-up is already on its way; a thread that leaves work in the queue
// wakes the next. A thread takes one job at a time, so a task that waits
// for another task of the same pool never waits for a job held back by a
// busy thread.

#ifndef POOL_INTERNAL_THREAD_ENGINE_H_
#define POOL_INTERNAL_THREAD_ENGINE_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "pool/internal/job.h"
#include "pool/internal/trace.h"

namespace pool::internal {

class ThreadEngine {
 public:
  // Starts `threads` threads (at least 1: pool.h checked it), each running
  // `initializer` first (if set). Throws InitializerError, after stopping
  // them, if an initializer throws.
  // `trace`: Options::trace (see pool.h; empty: $POOL_TRACE, or none).
  ThreadEngine(int threads, std::function<void()> initializer,
               const std::string& trace = {});
  ~ThreadEngine();

  ThreadEngine(const ThreadEngine&) = delete;
  ThreadEngine& operator=(const ThreadEngine&) = delete;

  void Submit(std::vector<std::unique_ptr<ThreadJob>> jobs);
  void Submit(std::unique_ptr<ThreadJob> job);
  // For a blocking call: the same as Submit (ProcessEngine::Apply has a
  // path of its own; a thread pool needs none).
  void Apply(std::unique_ptr<ThreadJob> job) { Submit(std::move(job)); }
  void Close();
  void Terminate() { Terminate("terminate()"); }
  void Join();
  int processes() const { return count_; }
  bool OnHandlerThread() const;

 private:
  enum class State { kRun, kClose, kTerminate };
  void Terminate(const char* why);  // Marked `why` in the trace.
  // Gives `job` its trace id; returns what the caller records
  // (RecordSubmitted) once it has let go of mu_.
  Trace::NewTask TraceLocked(ThreadJob& job);
  void RecordSubmitted(std::span<const Trace::NewTask> traced,
                       std::int64_t begin);

  // Null unless tracing is on (trace.h).
  const std::shared_ptr<Trace> trace_;
  const int trace_pool_;
  std::uint64_t next_id_ = 1;  // Numbers jobs for the trace; under mu_.

  void Run(int index, const std::function<void()>& initializer);
  // Waits for work and takes the next job; null when the thread is to exit
  // (closed and drained, or terminated).
  std::unique_ptr<ThreadJob> Take();
  // With mu_ held, after `jobs` jobs were queued: how many sleeping threads
  // to wake for them, counted as waking. The caller calls cv_.notify_one()
  // that many times after unlocking.
  int ClaimWakes(int jobs);
  // Without mu_: waits up to kSpinRounds yields for the queue to fill; true
  // if it did (the caller looks under mu_).
  bool Spin();
  static constexpr int kSpinRounds = 200;

  const int count_;
  mutable std::mutex mu_;
  std::condition_variable cv_;  // Work arrived, or the state changed.
  std::deque<std::unique_ptr<ThreadJob>> queue_;
  State state_ = State::kRun;
  int sleeping_ = 0;  // Threads waiting in cv_ for work.
  int waking_ = 0;    // Of those, how many a notify_one() is on its way to.
  bool spinning_ = false;  // A thread is in Spin().
  // queue_.size(), written under mu_, read by Spin() without it.
  std::atomic<std::size_t> queued_{0};
  std::condition_variable started_cv_;  // For the constructor.
  int initialized_ = 0;
  std::exception_ptr init_error_;
  std::mutex join_mu_;
  std::vector<std::thread> threads_;
};

}  // namespace pool::internal

#endif  // POOL_INTERNAL_THREAD_ENGINE_H_
