// Step b08: close, terminate, join, the reference solution.

#include "exercises/b08_shutdown/shutdown.h"

#include <mutex>
#include <stdexcept>
#include <utility>

namespace bpool {

void StopWorkers(Engine& engine) {
  // Each worker is idle, reading its task pipe: it reads the stop message
  // and exits at once.
  for (Slot& slot : engine.slots()) {
    if (slot.worker.running()) slot.worker.Stop();
  }
}

void KillWorkers(Engine& engine) {
  for (Slot& slot : engine.slots()) slot.worker.Kill();
  // Every worker is gone now, so no reply can come for any job: settle
  // them all.
  const Outcome cancelled{Outcome::Status::kCancelled,
                          {},
                          "the pool was terminated before this task ended"};
  for (Slot& slot : engine.slots()) {
    if (slot.job) std::exchange(slot.job, std::nullopt)->done(cancelled);
  }
  while (!engine.queue().empty()) {
    Job job = std::move(engine.queue().front());
    engine.queue().pop_front();
    job.done(cancelled);
  }
}

Pool::~Pool() { terminate(); }

void Pool::close() {
  {
    std::lock_guard lock(mu_);
    if (state_ == State::kRunning) state_ = State::kClosed;
  }
  Wake();
}

void Pool::terminate() {
  {
    std::lock_guard lock(mu_);
    state_ = State::kTerminated;
  }
  Wake();
  // The handler sees kTerminated, kills the workers and ends; wait for it.
  std::call_once(joined_, [this] { handler_.join(); });
}

void Pool::join() {
  {
    std::lock_guard lock(mu_);
    if (state_ == State::kRunning) {
      throw std::logic_error("join() before close() or terminate()");
    }
  }
  // std::thread::join from two threads at once is a data race; call_once
  // makes the second caller wait for the first instead.
  std::call_once(joined_, [this] { handler_.join(); });
}

}  // namespace bpool
