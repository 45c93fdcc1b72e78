#include "pool/internal/thread_engine.h"

#include <algorithm>
#include <system_error>
#include <utility>

#include "pool/errors.h"

namespace pool::internal {

ThreadEngine::ThreadEngine(int threads, std::function<void()> initializer) {
  if (threads < 1) throw UsageError("Number of processes must be at least 1");
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) {
    try {
      threads_.emplace_back([this, initializer] { Run(initializer); });
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
    cv_.wait(lock, [&] { return initialized_ == threads; });
    error = init_error_;
  }
  if (error) {
    Terminate();
    std::rethrow_exception(error);
  }
}

ThreadEngine::~ThreadEngine() { Terminate(); }

bool ThreadEngine::OnHandlerThread() const {
  const auto me = std::this_thread::get_id();
  return std::any_of(threads_.begin(), threads_.end(),
                     [me](const std::thread& t) { return t.get_id() == me; });
}

void ThreadEngine::Run(const std::function<void()>& initializer) {
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
  cv_.notify_all();
  if (!ok) return;
  for (;;) {
    std::unique_ptr<ThreadJob> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock,
               [this] { return !queue_.empty() || state_ != State::kRun; });
      if (state_ == State::kTerminate) return;
      if (queue_.empty()) return;  // Closed and drained.
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    if (!job->Start()) continue;  // cancel()led: resolved already.
    job->Run();                   // Runs the callbacks too.
  }
}

void ThreadEngine::Submit(std::vector<std::unique_ptr<ThreadJob>> jobs) {
  {
    std::lock_guard lock(mu_);
    if (state_ != State::kRun) throw UsageError("Pool not running");
    for (auto& job : jobs) queue_.push_back(std::move(job));
  }
  if (jobs.size() == 1) {
    cv_.notify_one();
  } else {
    cv_.notify_all();
  }
}

void ThreadEngine::Submit(std::unique_ptr<ThreadJob> job) {
  {
    std::lock_guard lock(mu_);
    if (state_ != State::kRun) throw UsageError("Pool not running");
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void ThreadEngine::Close() {
  {
    std::lock_guard lock(mu_);
    if (state_ == State::kRun) state_ = State::kClose;
  }
  cv_.notify_all();
}

void ThreadEngine::Terminate() {
  std::deque<std::unique_ptr<ThreadJob>> cancelled;
  {
    std::lock_guard lock(mu_);
    state_ = State::kTerminate;
    cancelled.swap(queue_);
  }
  cv_.notify_all();
  const auto error = std::make_exception_ptr(CancelledError(
      "cancelled: terminate() was called before this task started"));
  for (auto& job : cancelled) job->Fail(error);
  if (OnHandlerThread()) return;  // From a callback: cannot join itself.
  std::lock_guard join_lock(join_mu_);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
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
  std::lock_guard join_lock(join_mu_);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

}  // namespace pool::internal
