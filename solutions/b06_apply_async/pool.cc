// Step b06: futures and a handler thread, the reference solution.

#include "exercises/b06_apply_async/pool.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <exception>
#include <stdexcept>
#include <utility>

#include "exercises/b08_shutdown/shutdown.h"

namespace bpool {

void AsyncResult::wait() const {
  std::unique_lock lock(state_->mu);
  state_->cv.wait(lock, [this] { return state_->outcome.has_value(); });
}

bool AsyncResult::wait_for(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mu);
  return state_->cv.wait_for(lock, timeout,
                             [this] { return state_->outcome.has_value(); });
}

bool AsyncResult::ready() const {
  std::lock_guard lock(state_->mu);
  return state_->outcome.has_value();
}

std::vector<std::int64_t> AsyncResult::get_all() const {
  wait();
  std::lock_guard lock(state_->mu);
  const Outcome& outcome = *state_->outcome;
  if (outcome.status != Outcome::Status::kOk) {
    throw TaskFailed(outcome.status, outcome.error);
  }
  return outcome.results;
}

std::int64_t AsyncResult::get() const {
  const std::vector<std::int64_t> results = get_all();
  if (results.empty()) throw std::logic_error("the job had no items");
  return results.front();
}

Pool::Pool(int workers) : size_(workers), engine_(workers) {
  // The workers are forked above, before the handler thread exists: fork()
  // in a process with one thread copies no lock held by another thread.
  Pipe wake = MakePipe();
  // Non-blocking both ways: the handler drains the pipe without blocking,
  // and a full pipe must not block a submitting thread (the handler will
  // wake up anyway).
  for (int fd : {wake.read.get(), wake.write.get()}) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  wake_read_ = std::move(wake.read);
  wake_write_ = std::move(wake.write);
  handler_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

AsyncResult Pool::apply_async(Task fn, std::int64_t arg,
                              std::chrono::milliseconds timeout) {
  return submit(fn, {arg}, timeout);
}

AsyncResult Pool::submit(Task fn, std::vector<std::int64_t> items,
                         std::chrono::milliseconds timeout) {
  auto state = std::make_shared<AsyncResult::State>();
  // `done` runs on the handler thread; it shares the state with the caller
  // through the shared_ptr, so either may be gone first.
  Enqueue(Job{fn, std::move(items),
              [state](Outcome outcome) {
                {
                  std::lock_guard lock(state->mu);
                  state->outcome = std::move(outcome);
                }
                state->cv.notify_all();
              },
              timeout});
  return AsyncResult(std::move(state));
}

void Pool::Enqueue(Job job) {
  bool was_empty;
  {
    std::lock_guard lock(mu_);
    if (state_ != State::kRunning) throw std::logic_error("Pool not running");
    was_empty = incoming_.empty();
    incoming_.push_back(std::move(job));
  }
  ++jobs_submitted_;
  // If the queue already held jobs, whoever queued the first of them has
  // woken the handler, which has not taken them yet: no second byte.
  if (was_empty) Wake();
}

void Pool::Wake() {
  const char byte = 1;
  // EAGAIN (the pipe is full) is fine: the handler has bytes to wake on.
  while (::write(wake_write_.get(), &byte, 1) < 0 && errno == EINTR) {
  }
}

void Pool::Run(std::stop_token stop) {
  // A stop request (the jthread's destructor) must get the handler out of
  // poll() as terminate() does.
  std::stop_callback wake_on_stop(stop, [this] { Wake(); });
  try {
    for (;;) {
      std::deque<Job> jobs;
      State state;
      {
        std::lock_guard lock(mu_);
        if (stop.stop_requested()) state_ = State::kTerminated;
        jobs.swap(incoming_);
        state = state_;
      }
      // Jobs taken with the state under one lock: no job can be queued
      // after a close() or terminate() this loop has seen.
      for (Job& job : jobs) engine_.Submit(std::move(job));
      if (state == State::kTerminated) {
        KillWorkers(engine_);
        return;
      }
      if (state == State::kClosed && engine_.idle()) {
        StopWorkers(engine_);
        return;
      }
      engine_.Step(wake_read_.get());
      char buffer[64];
      while (::read(wake_read_.get(), buffer, sizeof buffer) > 0) {
      }
    }
  } catch (const std::exception&) {
    // The engine itself failed (poll() did, or a step threw): refuse new
    // work and settle what is left, so nobody waits forever.
    std::deque<Job> jobs;
    {
      std::lock_guard lock(mu_);
      state_ = State::kTerminated;
      jobs.swap(incoming_);
    }
    try {
      for (Job& job : jobs) engine_.Submit(std::move(job));
      KillWorkers(engine_);
    } catch (const std::exception&) {
    }
  }
}

}  // namespace bpool
