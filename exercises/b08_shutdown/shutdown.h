// exercises/b08_shutdown/shutdown.h: Step b08 of the build-your-own-pool
// track. The three ways a pool ends, in one place.
//
// This step writes the two engine functions below and the four shutdown
// members of Pool declared in exercises/b06_apply_async/pool.h: close(),
// terminate(), join() and ~Pool(). The whole sequence:
//
// - close(): the pool takes no new work (apply_async throws "Pool not
//   running"); the handler thread runs everything already queued, then
//   calls StopWorkers(): each worker gets the stop message and exits, and
//   is reaped. The handler thread then ends. close() itself returns at once.
// - terminate(): no new work; the handler thread calls KillWorkers(): every
//   worker is killed with SIGKILL and reaped, and every job not yet ended,
//   running or queued, is settled as kCancelled. The handler thread then
//   ends, and terminate() returns after it has.
// - join(): waits for the handler thread to end after close() or
//   terminate(); std::logic_error before either (Python raises ValueError).
//   Safe to call from several threads and more than once.
// - ~Pool(): terminate(), as leaving Python's `with Pool()` block does.
//
// The Pool members change the state under mu_ and wake the handler with
// Wake(); the handler thread (b06's Run) sees the new state and calls the
// functions below. Either way no worker is left running or unreaped.

#ifndef EXERCISES_B08_SHUTDOWN_SHUTDOWN_H_
#define EXERCISES_B08_SHUTDOWN_SHUTDOWN_H_

#include "exercises/b05_many_workers/engine.h"
#include "exercises/b06_apply_async/pool.h"

namespace bpool {

// The orderly end, for an idle engine: sends every worker the stop message
// and reaps it (Worker::Stop()). Leaves no worker process behind.
void StopWorkers(Engine& engine);

// The immediate end: kills and reaps every worker (Worker::Kill()), then
// settles every job still held, in a slot or in the queue, as kCancelled
// with an error that says the pool was terminated. Leaves no worker process
// behind.
void KillWorkers(Engine& engine);

}  // namespace bpool

#endif  // EXERCISES_B08_SHUTDOWN_SHUTDOWN_H_
