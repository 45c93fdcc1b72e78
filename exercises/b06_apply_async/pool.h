// exercises/b06_apply_async/pool.h: Step b06 of the build-your-own-pool
// track, and the pool the track builds.
//
// Pool puts a b05 Engine behind a handler thread, so that any thread can
// submit work and go on: apply_async() queues a job and returns an
// AsyncResult at once; the handler thread runs the engine and fills each
// AsyncResult in when its job ends; get() blocks until then. This is the
// shape of Python's multiprocessing.Pool: apply_async(), AsyncResult.get().
//
// Who writes what: b06 (this step) writes AsyncResult, the constructor,
// apply_async(), submit(), Wake() and the handler loop Run(). Step b07
// builds map() on submit() (exercises/b07_map_chunks/map.h); step b08
// writes the shutdown members close(), terminate(), join() and ~Pool()
// (exercises/b08_shutdown/shutdown.h describes the whole sequence).
//
// Contract:
// - Every public member is thread-safe, except that the destructor must not
//   run while another thread still calls the pool.
// - Only the handler thread touches the engine; other threads only put jobs
//   on `incoming_` under `mu_` and wake the handler with one byte on the
//   wake-up pipe.
// - Every AsyncResult is settled exactly once: with results, with the
//   task's error, with kWorkerDied, with kTimedOut (b10), or with
//   kCancelled by terminate().
// - Destroying the pool terminates it (as leaving Python's `with Pool()`
//   block does): call close() and join() first to let queued work finish.

#ifndef EXERCISES_B06_APPLY_ASYNC_POOL_H_
#define EXERCISES_B06_APPLY_ASYNC_POOL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <vector>

#include "exercises/b02_result_pipe/result_pipe.h"
#include "exercises/b04_worker_loop/protocol.h"
#include "exercises/b05_many_workers/engine.h"

namespace bpool {

// The future of one job. Copies share the same result.
class AsyncResult {
 public:
  // Where the handler thread puts the outcome and the caller waits for it.
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<Outcome> outcome;  // Set once, under mu.
  };

  explicit AsyncResult(std::shared_ptr<State> state)
      : state_(std::move(state)) {}

  // Blocks until the job has ended.
  void wait() const;
  // Waits at most `timeout`; returns whether the job has ended.
  bool wait_for(std::chrono::milliseconds timeout) const;
  // Whether the job has ended (never blocks).
  bool ready() const;
  // Waits, then returns the job's first result (apply_async's only one).
  // Throws TaskFailed if the job did not succeed.
  std::int64_t get() const;
  // Waits, then returns all of the job's results, one per item. Throws
  // TaskFailed if the job did not succeed.
  std::vector<std::int64_t> get_all() const;

 private:
  std::shared_ptr<State> state_;
};

class Pool {
 public:
  // Starts `workers` worker processes, then the handler thread. Throws
  // std::invalid_argument if `workers` < 1, std::system_error if the
  // workers or the wake-up pipe cannot be made.
  explicit Pool(int workers);

  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Step b08: terminate().
  ~Pool();

  // Queues fn(arg) and returns at once. A `timeout` above zero is the
  // job's Job::timeout: if it runs longer, its worker is killed and it ends
  // as kTimedOut (step b10). Throws std::logic_error ("Pool not running")
  // after close() or terminate().
  AsyncResult apply_async(
      Task fn, std::int64_t arg,
      std::chrono::milliseconds timeout = std::chrono::milliseconds{0});

  // Queues one job: fn over every item, run by one worker in one round
  // trip. Its AsyncResult's get_all() returns one result per item.
  // `timeout` applies to the whole job. Throws as apply_async() does.
  AsyncResult submit(
      Task fn, std::vector<std::int64_t> items,
      std::chrono::milliseconds timeout = std::chrono::milliseconds{0});

  // Step b08: no new work; the queued work still runs, then the workers
  // exit. Returns at once.
  void close();
  // Step b08: no new work; kills the workers now; every job not yet ended
  // is settled as kCancelled. Returns once the handler thread has ended.
  void terminate();
  // Step b08: waits until the handler thread has ended. Throws
  // std::logic_error if neither close() nor terminate() was called.
  void join();

  // The number of worker processes.
  int size() const { return size_; }
  // How many jobs submit() and apply_async() have queued so far.
  std::uint64_t jobs_submitted() const { return jobs_submitted_.load(); }

 private:
  enum class State { kRunning, kClosed, kTerminated };

  // Puts `job` on `incoming_` and wakes the handler. Throws std::logic_error
  // unless the pool is running.
  void Enqueue(Job job);
  // Makes the handler thread's poll() return: one byte on the wake-up pipe.
  void Wake();
  // The handler thread: moves `incoming_` into the engine and steps it until
  // the pool is closed and idle, or terminated, or `stop` is requested
  // (which counts as terminate()).
  void Run(std::stop_token stop);

  const int size_;
  std::atomic<std::uint64_t> jobs_submitted_{0};

  std::mutex mu_;
  State state_ = State::kRunning;  // Under mu_.
  std::deque<Job> incoming_;       // Under mu_.

  Fd wake_read_;   // The handler polls it; non-blocking.
  Fd wake_write_;  // Any thread writes a byte to it; non-blocking.

  Engine engine_;  // The handler thread's alone once it has started.
  std::once_flag joined_;

  // Declared last, so destroyed first: if ~Pool() left it running, its
  // destructor requests a stop and joins it while everything it uses is
  // still alive.
  std::jthread handler_;
};

}  // namespace bpool

#endif  // EXERCISES_B06_APPLY_ASYNC_POOL_H_
