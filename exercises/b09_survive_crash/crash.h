// exercises/b09_survive_crash/crash.h: Step b09 of the build-your-own-pool
// track. A worker dies; only its task fails, and the pool goes on.
//
// A worker can die at any moment: its task crashes (SIGSEGV), calls exit(),
// runs out of memory, or someone kills it. The parent learns of it through
// end of file on the worker's result pipe (b04 made sure no other process
// holds that pipe open). Engine::Step() (b05) then calls HandleDeath() on
// the worker's slot.
//
// Contract of HandleDeath(slot):
// - Reaps the dead worker (no zombie), killing it first in case it only
//   closed its pipe and is still running.
// - If the slot held a job, settles that job, and only that job, as
//   kWorkerDied, with an error that names the worker's pid and says how it
//   ended, e.g. "worker 4242 was killed by signal 9 (SIGKILL) while running
//   this task".
// - Puts a freshly started worker in the slot, so the engine keeps its
//   size. If none can be started (fork fails), leaves the slot without a
//   worker (Engine skips such slots) instead of throwing.
// - Called on the engine's thread. Does not throw.

#ifndef EXERCISES_B09_SURVIVE_CRASH_CRASH_H_
#define EXERCISES_B09_SURVIVE_CRASH_CRASH_H_

#include "exercises/b05_many_workers/engine.h"

namespace bpool {

// Settles the death of slot.worker; see above.
void HandleDeath(Slot& slot);

}  // namespace bpool

#endif  // EXERCISES_B09_SURVIVE_CRASH_CRASH_H_
