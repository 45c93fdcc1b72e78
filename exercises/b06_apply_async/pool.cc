// Step b06: futures and a handler thread. Replace each TODO; see README.md.

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
  // TODO: wait on state_->cv, under state_->mu, until the outcome is set.
  throw std::logic_error("TODO: AsyncResult::wait is not written yet");
}

bool AsyncResult::wait_for(std::chrono::milliseconds /*timeout*/) const {
  // TODO: as wait(), for at most `timeout`; say whether it is set.
  throw std::logic_error("TODO: AsyncResult::wait_for is not written yet");
}

bool AsyncResult::ready() const {
  // TODO: whether the outcome is set (under the mutex).
  throw std::logic_error("TODO: AsyncResult::ready is not written yet");
}

std::vector<std::int64_t> AsyncResult::get_all() const {
  // TODO: wait(); not kOk: throw TaskFailed(status, error); else the
  // results.
  throw std::logic_error("TODO: AsyncResult::get_all is not written yet");
}

std::int64_t AsyncResult::get() const {
  // TODO: the first of get_all().
  throw std::logic_error("TODO: AsyncResult::get is not written yet");
}

Pool::Pool(int workers) : size_(workers), engine_(workers) {
  // TODO: the engine has forked the workers (above). Make the wake-up pipe
  // (MakePipe, then O_NONBLOCK on both ends with fcntl), then start
  // handler_ running Run(stop_token).
  throw std::logic_error("TODO: Pool::Pool is not written yet");
}

AsyncResult Pool::apply_async(Task /*fn*/, std::int64_t /*arg*/,
                              std::chrono::milliseconds /*timeout*/) {
  // TODO: submit() a job of one item, with the same timeout.
  throw std::logic_error("TODO: Pool::apply_async is not written yet");
}

AsyncResult Pool::submit(Task /*fn*/, std::vector<std::int64_t> /*items*/,
                         std::chrono::milliseconds /*timeout*/) {
  // TODO: a new AsyncResult::State; Enqueue a Job whose done() stores the
  // outcome under the state's mutex and notifies its cv, and whose timeout
  // is `timeout` (step b10 enforces it); return an AsyncResult on the
  // state.
  throw std::logic_error("TODO: Pool::submit is not written yet");
}

void Pool::Enqueue(Job /*job*/) {
  // TODO: under mu_: not kRunning: throw std::logic_error("Pool not
  // running"); push onto incoming_. Count it in jobs_submitted_. Wake().
  throw std::logic_error("TODO: Pool::Enqueue is not written yet");
}

void Pool::Wake() {
  // TODO: write one byte to wake_write_ (again on EINTR; EAGAIN is fine).
}

void Pool::Run(std::stop_token /*stop*/) {
  // TODO: a std::stop_callback that calls Wake(). Then loop: under mu_,
  // take incoming_ (and mark kTerminated if a stop was requested) and read
  // state_; Submit the jobs to engine_; kTerminated: KillWorkers, return;
  // kClosed and engine_.idle(): StopWorkers, return; else
  // engine_.Step(wake_read_) and drain the wake-up pipe. Catch exceptions:
  // mark kTerminated and KillWorkers, so nobody waits forever.
}

}  // namespace bpool
