// Step b05: many workers, one loop that keeps them busy, the reference
// solution.

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

Engine::Engine(int workers) {
  if (workers < 1) {
    throw std::invalid_argument("an engine needs at least 1 worker, not " +
                                std::to_string(workers));
  }
  // Started one after the other: each fork copies this process, and the
  // workers started so far are already in slots_, so each new worker closes
  // their pipe ends (b04) and holds none of them.
  slots_.resize(static_cast<std::size_t>(workers));
  for (Slot& slot : slots_) slot.worker = Worker::Start();
}

void Engine::Submit(Job job) { queue_.push_back(std::move(job)); }

void Engine::Dispatch() {
  bool any_worker = false;
  for (Slot& slot : slots_) {
    if (!slot.worker.running()) continue;  // b09 could not replace it.
    any_worker = true;
    if (slot.job || queue_.empty()) continue;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    try {
      slot.worker.Send(job.fn, job.items);
    } catch (const std::system_error&) {
      // The worker died while idle; this job never reached it. Put it
      // back for the next worker, and replace this one.
      queue_.push_front(std::move(job));
      HandleDeath(slot);
      continue;
    }
    slot.job = std::move(job);
    slot.started = std::chrono::steady_clock::now();  // Its timeout runs.
  }
  if (!any_worker) {
    // No worker left and none could be started: nothing would ever run
    // what is queued. Fail it rather than leave its callers waiting.
    while (!queue_.empty()) {
      Job job = std::move(queue_.front());
      queue_.pop_front();
      job.done(Outcome{Outcome::Status::kWorkerDied,
                       {},
                       "no worker process could be started"});
    }
  }
}

void Engine::Step(int wake_fd) {
  Dispatch();
  // One pollfd per busy worker, plus the wake-up descriptor. `busy` maps
  // each pollfd back to its slot.
  std::vector<pollfd> fds;
  std::vector<Slot*> busy;
  for (Slot& slot : slots_) {
    if (!slot.job) continue;
    fds.push_back({slot.worker.result_fd(), POLLIN, 0});
    busy.push_back(&slot);
  }
  if (wake_fd >= 0) fds.push_back({wake_fd, POLLIN, 0});
  if (fds.empty()) return;  // Nothing running, nothing to wait for.
  // Until a reply, a wake-up, or the nearest deadline of a running job.
  const int timeout = PollTimeout(slots_, std::chrono::steady_clock::now());
  if (::poll(fds.data(), fds.size(), timeout) < 0) {
    if (errno == EINTR) return;  // A signal; the caller steps again.
    throw std::system_error(errno, std::generic_category(), "poll");
  }
  for (std::size_t i = 0; i < busy.size(); ++i) {
    // POLLHUP without POLLIN: the worker closed the pipe (died) with
    // nothing left to read. ReadReply sees end of file.
    if (fds[i].revents != 0) ReadReply(*busy[i]);
  }
  // After the replies: a job whose reply arrived is settled already, and
  // only the ones still running can be past their deadline.
  ExpireOverdue(slots_, std::chrono::steady_clock::now());
}

void Engine::ReadReply(Slot& slot) {
  std::optional<Outcome> outcome;
  try {
    outcome = slot.worker.Receive();
  } catch (const FrameError&) {
    // A reply cut short: the worker died while writing it. Same as below.
  }
  if (!outcome) {
    HandleDeath(slot);
    return;
  }
  // Take the job out of the slot before calling `done`: the worker is idle
  // again, whatever `done` does.
  Job job = std::move(*slot.job);
  slot.job.reset();
  job.done(std::move(*outcome));
}

bool Engine::idle() const {
  if (!queue_.empty()) return false;
  for (const Slot& slot : slots_) {
    if (slot.job) return false;
  }
  return true;
}

std::vector<pid_t> Engine::pids() const {
  std::vector<pid_t> pids;
  for (const Slot& slot : slots_) pids.push_back(slot.worker.pid());
  return pids;
}

std::vector<std::int64_t> MapEach(Engine& engine, Task fn,
                                  const std::vector<std::int64_t>& items) {
  std::vector<std::int64_t> results(items.size());
  std::vector<Outcome> failures(items.size());
  std::vector<bool> failed(items.size(), false);
  for (std::size_t i = 0; i < items.size(); ++i) {
    // Each job knows its index: replies arrive in whatever order the
    // workers finish, and each result goes back to its item's place.
    engine.Submit(Job{fn, {items[i]}, [&, i](Outcome outcome) {
                        if (outcome.status == Outcome::Status::kOk) {
                          results[i] = outcome.results.at(0);
                        } else {
                          failed[i] = true;
                          failures[i] = std::move(outcome);
                        }
                      }});
  }
  while (!engine.idle()) engine.Step();
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (failed[i]) throw TaskFailed(failures[i].status, failures[i].error);
  }
  return results;
}

}  // namespace bpool
