// Step b09: a worker dies; only its task fails, and the pool goes on. The
// reference solution.

#include "exercises/b09_survive_crash/crash.h"

#include <string>
#include <system_error>
#include <utility>

namespace bpool {

void HandleDeath(Slot& slot) {
  const pid_t pid = slot.worker.pid();
  // End of file on the result pipe usually means the worker has exited;
  // but a task can also close the pipe and go on running. SIGKILL makes
  // sure it is gone (a worker that has already exited is not affected, and
  // is reported as it ended), and Kill() reaps it: no zombie.
  const ExitStatus how = slot.worker.Kill();
  std::optional<Job> job = std::exchange(slot.job, std::nullopt);
  // A replacement, so the pool keeps its size. If fork() fails now, the
  // slot stays empty and the engine skips it.
  try {
    slot.worker = Worker::Start();
  } catch (const std::system_error&) {
  }
  // Only the job this worker was running fails; every other job is on
  // another worker or still queued, and goes on.
  if (job) {
    job->done(Outcome{Outcome::Status::kWorkerDied,
                      {},
                      "worker " + std::to_string(pid) + " " + how.Describe() +
                          " while running this task"});
  }
}

}  // namespace bpool
