// pool/internal/thread_engine.h: the engine behind ThreadPool.
//
// N threads take chunks (ThreadJob) from one queue and run them; callbacks
// run on the thread that finished the chunk. Threads cannot be killed, so
// terminate() cancels what is queued and waits for what is running, as
// Python's ThreadPool does.

#ifndef POOL_INTERNAL_THREAD_ENGINE_H_
#define POOL_INTERNAL_THREAD_ENGINE_H_

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pool/internal/job.h"
#include "pool/internal/trace.h"

namespace pool::internal {

class ThreadEngine {
 public:
  // Starts `threads` threads (at least 1: pool.h checked it), each running
  // `initializer` first (if set).
  // Throws InitializerError, after stopping them, if an initializer throws.
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
  int processes() const { return static_cast<int>(threads_.size()); }
  bool OnHandlerThread() const;

 private:
  enum class State { kRun, kClose, kTerminate };
  void Run(int index, const std::function<void()>& initializer);
  void Terminate(const char* why);  // Marked `why` in the trace.
  void TraceLocked(ThreadJob& job, std::int64_t submit_ns);

  // Null unless tracing is on (trace.h).
  const std::shared_ptr<Trace> trace_;
  const int trace_pool_;
  std::uint64_t next_id_ = 1;  // Numbers jobs for the trace; under mu_.

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<ThreadJob>> queue_;
  State state_ = State::kRun;
  int initialized_ = 0;
  std::exception_ptr init_error_;
  std::mutex join_mu_;
  std::vector<std::thread> threads_;
};

}  // namespace pool::internal

#endif  // POOL_INTERNAL_THREAD_ENGINE_H_
