// Step b05: many workers, one loop that keeps them busy. Replace each TODO;
// see README.md.

#include "exercises/b05_many_workers/engine.h"

#include <errno.h>
#include <poll.h>

#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include "exercises/b03_framing/framing.h"
#include "exercises/b09_survive_crash/crash.h"
#include "exercises/b10_deadline/deadline.h"

namespace bpool {

Engine::Engine(int /*workers*/) {
  // TODO: refuse workers < 1 (std::invalid_argument); one Slot per worker,
  // each with a Worker::Start().
  throw std::logic_error("TODO: Engine::Engine is not written yet");
}

void Engine::Submit(Job /*job*/) {
  // TODO: put the job at the back of the queue.
  throw std::logic_error("TODO: Engine::Submit is not written yet");
}

void Engine::Dispatch() {
  // TODO: for each slot whose worker is running and holds no job: take the
  // oldest queued job, Send it, keep it in the slot and note the time in
  // slot.started (steady_clock, for b10's deadlines). If Send throws
  // std::system_error (the worker died while idle), put the job back at
  // the front of the queue and HandleDeath(slot).
  throw std::logic_error("TODO: Engine::Dispatch is not written yet");
}

void Engine::Step(int /*wake_fd*/) {
  // TODO: Dispatch(); poll() the result_fd of every busy slot, plus wake_fd
  // if >= 0 (return at once if that is nothing; return on EINTR), for at
  // most PollTimeout(slots_, now) ms (b10); ReadReply() every busy slot
  // whose revents is not 0; then ExpireOverdue(slots_, now) (b10).
  throw std::logic_error("TODO: Engine::Step is not written yet");
}

void Engine::ReadReply(Slot& /*slot*/) {
  // TODO: Receive(); an empty optional or a FrameError: HandleDeath(slot).
  // Otherwise take the job out of the slot, then call its done(outcome).
  throw std::logic_error("TODO: Engine::ReadReply is not written yet");
}

bool Engine::idle() const {
  // TODO: nothing queued and no slot holding a job.
  throw std::logic_error("TODO: Engine::idle is not written yet");
}

std::vector<pid_t> Engine::pids() const {
  // TODO: each slot's worker's pid.
  throw std::logic_error("TODO: Engine::pids is not written yet");
}

std::vector<std::int64_t> MapEach(Engine& /*engine*/, Task /*fn*/,
                                  const std::vector<std::int64_t>& /*items*/) {
  // TODO: Submit one job per item whose done() puts its result (or its
  // failure) at the item's index; Step() until idle(); throw the first
  // failure in input order as TaskFailed, else return the results.
  throw std::logic_error("TODO: MapEach is not written yet");
}

}  // namespace bpool
