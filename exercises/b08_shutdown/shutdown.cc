// Step b08: close, terminate, join. Replace each TODO; see README.md.

#include "exercises/b08_shutdown/shutdown.h"

#include <mutex>
#include <stdexcept>
#include <utility>

namespace bpool {

void StopWorkers(Engine& /*engine*/) {
  // TODO: Stop() every slot's worker that is running.
  throw std::logic_error("TODO: StopWorkers is not written yet");
}

void KillWorkers(Engine& /*engine*/) {
  // TODO: Kill() every slot's worker; then settle every job left, in the
  // slots and in the queue, as kCancelled ("the pool was terminated ...").
  throw std::logic_error("TODO: KillWorkers is not written yet");
}

Pool::~Pool() {
  // TODO: terminate().
}

void Pool::close() {
  // TODO: under mu_: kRunning becomes kClosed. Then Wake() the handler.
  throw std::logic_error("TODO: Pool::close is not written yet");
}

void Pool::terminate() {
  // TODO: under mu_: kTerminated. Wake() the handler, then wait for it to
  // end (join it once: std::call_once with joined_).
  throw std::logic_error("TODO: Pool::terminate is not written yet");
}

void Pool::join() {
  // TODO: still kRunning: throw std::logic_error. Else join handler_ once
  // (std::call_once with joined_).
  throw std::logic_error("TODO: Pool::join is not written yet");
}

}  // namespace bpool
