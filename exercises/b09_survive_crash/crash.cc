// Step b09: a worker dies; only its task fails, and the pool goes on.
// Replace the TODO; see README.md.

#include "exercises/b09_survive_crash/crash.h"

#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

namespace bpool {

void HandleDeath(Slot& /*slot*/) {
  // TODO: remember the pid; Kill() the worker (it reaps, and says how it
  // ended); take the job out of the slot; put Worker::Start() in the slot
  // (if that throws std::system_error, leave the slot empty); then settle
  // the job, if any, as kWorkerDied: "worker <pid> <how it ended> while
  // running this task".
  throw std::logic_error("TODO: HandleDeath is not written yet");
}

}  // namespace bpool
