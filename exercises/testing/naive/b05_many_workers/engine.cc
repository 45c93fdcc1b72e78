// A deliberately naive solution of step b05: the reference solution
// (solutions/b05_many_workers/engine.cc) with a fresh worker process for
// every job, a fork per task. It passes every test of the step, because
// nothing in the tests depends on speed, and it loses the performance
// points: a fork, two pipes and a reap per job cost many round trips
// through a worker that is already running. engine.cc.patch is the whole
// difference; see ../README.md.

#include "exercises/b05_many_workers/engine.h"

#include <errno.h>
#include <poll.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include "exercises/b03_framing/framing.h"
#include "exercises/b09_survive_crash/crash.h"

namespace bpool {

Engine::Engine(int workers) {
  if (workers < 1) {
    throw std::invalid_argument("an engine needs at least 1 worker, not " +
                                std::to_string(workers));
  }
  // The naive part: the slots start empty, and Dispatch() starts a worker
  // for each job.
  slots_.resize(static_cast<std::size_t>(workers));
}

void Engine::Submit(Job job) { queue_.push_back(std::move(job)); }

void Engine::Dispatch() {
  for (Slot& slot : slots_) {
    if (slot.job || queue_.empty()) continue;
    slot.worker = Worker::Start();  // The naive part: a process per job.
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
  if (::poll(fds.data(), fds.size(), -1) < 0) {
    if (errno == EINTR) return;  // A signal; the caller steps again.
    throw std::system_error(errno, std::generic_category(), "poll");
  }
  for (std::size_t i = 0; i < busy.size(); ++i) {
    // POLLHUP without POLLIN: the worker closed the pipe (died) with
    // nothing left to read. ReadReply sees end of file.
    if (fds[i].revents != 0) ReadReply(*busy[i]);
  }
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
  (void)slot.worker.Stop();  // The naive part: the process goes again.
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
