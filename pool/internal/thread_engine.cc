#include "pool/internal/thread_engine.h"

#include <algorithm>
#include <string>
#include <system_error>
#include <utility>

#include "pool/errors.h"

namespace pool::internal {
namespace {

std::exception_ptr Cancelled() {
  return std::make_exception_ptr(CancelledError(
      "cancelled: terminate() was called before this task started"));
}

}  // namespace

ThreadEngine::ThreadEngine(int threads, std::function<void()> initializer,
                           const std::string& trace)
    : trace_(Trace::ForPool(trace)),
      trace_pool_(trace_ ? trace_->AddPool("ThreadPool") : 0),
      count_(threads) {
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) {
    try {
      threads_.emplace_back([this, i, initializer] { Run(i, initializer); });
    } catch (const std::system_error& e) {
      // EAGAIN under a process limit: the threads already started are
      // stopped and joined, and the failure is a pool::SystemError, as in
      // ProcessEngine's constructor.
      Terminate();
      throw SystemError(e.code(), "pthread_create");
    }
  }
  std::exception_ptr error;
  {
    std::unique_lock lock(mu_);
    started_cv_.wait(lock, [&] { return initialized_ == threads; });
    error = init_error_;
  }
  if (error) {
    Terminate();
    std::rethrow_exception(error);
  }
}

ThreadEngine::~ThreadEngine() { Terminate("~ThreadPool(): terminate()"); }

bool ThreadEngine::OnHandlerThread() const {
  const auto me = std::this_thread::get_id();
  return std::any_of(threads_.begin(), threads_.end(),
                     [me](const std::thread& t) { return t.get_id() == me; });
}

void ThreadEngine::Run(int index, const std::function<void()>& initializer) {
  if (trace_) trace_->WorkerStarted(trace_pool_, CurrentTid(), index);
  bool ok = true;
  if (initializer) {
    try {
      initializer();
    } catch (...) {
      ok = false;
      std::lock_guard lock(mu_);
      if (!init_error_) {
        const TaskError e = CurrentExceptionAsTaskError();
        init_error_ = std::make_exception_ptr(
            InitializerError(std::string("initializer failed in a pool "
                                         "thread: ") +
                             e.what()));
      }
    }
  }
  {
    std::lock_guard lock(mu_);
    ++initialized_;
  }
  started_cv_.notify_all();
  if (!ok) return;
  while (std::unique_ptr<ThreadJob> job = Take()) {
    if (!job->Start()) continue;  // cancel()led: resolved already, not run.
    if (!trace_) {
      job->Run();  // Runs the callbacks too.
      continue;
    }
    const std::int64_t start = MonotonicNs();
    job->Run();
    try {
      trace_->Ran(trace_pool_, job->trace_id(), CurrentTid(), start,
                  MonotonicNs(), -1, job->item_errors());
    } catch (...) {
      // No memory to record it: the trace only misses this task.
    }
  }
}

Trace::NewTask ThreadEngine::TraceLocked(ThreadJob& job) {
  const std::uint64_t id = next_id_++;
  job.set_trace(trace_.get(), trace_pool_, id);
  return {id, job.label()};
}

void ThreadEngine::RecordSubmitted(std::span<const Trace::NewTask> traced,
                                   std::int64_t begin) {
  trace_->Submitted(trace_pool_, traced, begin);
  for (const Trace::NewTask& t : traced) {
    trace_->Dispatched(trace_pool_, t.id, 0);
  }
}

int ThreadEngine::ClaimWakes(int jobs) {
  // A spinning thread takes the first job without a wake-up.
  const int wanted = jobs - (spinning_ ? 1 : 0);
  const int wakes = std::min(wanted, sleeping_ - waking_);
  if (wakes <= 0) return 0;
  waking_ += wakes;
  return wakes;
}

bool ThreadEngine::Spin() {
  for (int i = 0; i < kSpinRounds; ++i) {
    if (queued_.load(std::memory_order_relaxed) > 0) return true;
    std::this_thread::yield();
  }
  return false;
}

std::unique_ptr<ThreadJob> ThreadEngine::Take() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (state_ == State::kTerminate) return nullptr;
    if (!queue_.empty()) break;
    if (state_ == State::kClose) return nullptr;  // Closed and drained.
    if (!spinning_) {
      spinning_ = true;
      lock.unlock();
      Spin();
      lock.lock();
      spinning_ = false;
      continue;  // Whatever the spin saw, the queue is looked at again here.
    }
    ++sleeping_;
    cv_.wait(lock);
    --sleeping_;
    // Whether notified or woken spuriously, this thread now looks at the
    // queue, which is what the wake-up was for.
    if (waking_ > 0) --waking_;
  }
  std::unique_ptr<ThreadJob> job = std::move(queue_.front());
  queue_.pop_front();
  queued_.store(queue_.size(), std::memory_order_relaxed);
  // More work than this thread: bring in another one.
  const int wakes = queue_.empty() ? 0 : ClaimWakes(1);
  lock.unlock();
  if (wakes > 0) cv_.notify_one();
  return job;
}

void ThreadEngine::Submit(std::vector<std::unique_ptr<ThreadJob>> jobs) {
  const std::int64_t begin = trace_ ? MonotonicNs() : 0;
  std::vector<Trace::NewTask> traced;
  if (trace_) traced.reserve(jobs.size());
  int wakes = 0;
  {
    std::lock_guard lock(mu_);
    if (state_ != State::kRun) throw UsageError("Pool not running");
    for (auto& job : jobs) {
      if (trace_) traced.push_back(TraceLocked(*job));
      queue_.push_back(std::move(job));
    }
    queued_.store(queue_.size(), std::memory_order_relaxed);
    wakes = ClaimWakes(static_cast<int>(jobs.size()));
  }
  if (trace_) RecordSubmitted(traced, begin);
  for (int i = 0; i < wakes; ++i) cv_.notify_one();
}

void ThreadEngine::Submit(std::unique_ptr<ThreadJob> job) {
  const std::int64_t begin = trace_ ? MonotonicNs() : 0;
  Trace::NewTask traced;
  int wakes = 0;
  {
    std::lock_guard lock(mu_);
    if (state_ != State::kRun) throw UsageError("Pool not running");
    if (trace_) traced = TraceLocked(*job);
    queue_.push_back(std::move(job));
    queued_.store(queue_.size(), std::memory_order_relaxed);
    wakes = ClaimWakes(1);
  }
  if (trace_) RecordSubmitted({&traced, 1}, begin);
  if (wakes > 0) cv_.notify_one();
}

void ThreadEngine::Close() {
  if (trace_) trace_->Lifecycle(trace_pool_, "close()");
  {
    std::lock_guard lock(mu_);
    if (state_ == State::kRun) state_ = State::kClose;
  }
  cv_.notify_all();
}

void ThreadEngine::Terminate(const char* why) {
  if (trace_) trace_->Lifecycle(trace_pool_, why);
  std::deque<std::unique_ptr<ThreadJob>> cancelled;
  {
    std::lock_guard lock(mu_);
    state_ = State::kTerminate;
    cancelled.swap(queue_);
    queued_.store(0, std::memory_order_relaxed);
  }
  cv_.notify_all();
  const auto error = Cancelled();
  for (auto& job : cancelled) job->Fail(error);
  if (OnHandlerThread()) return;  // From a callback: cannot join itself.
  std::lock_guard join_lock(join_mu_);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  if (trace_) trace_->Write();
}

void ThreadEngine::Join() {
  if (OnHandlerThread()) {
    throw UsageError(
        "join() cannot be called from a callback: callbacks run on the "
        "threads that join() waits for");
  }
  {
    std::lock_guard lock(mu_);
    if (state_ == State::kRun) throw UsageError("Pool is still running");
  }
  if (trace_) trace_->Lifecycle(trace_pool_, "join()");
  std::lock_guard join_lock(join_mu_);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  if (trace_) trace_->Write();
}

}  // namespace pool::internal
