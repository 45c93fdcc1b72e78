// Step b04: one worker process that serves many tasks. Replace each TODO;
// see README.md.

#include "exercises/b04_worker_loop/worker.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "exercises/b03_framing/framing.h"

namespace bpool {

Worker Worker::Start() {
  // TODO: ignore SIGPIPE; make a task pipe and a result pipe (MakePipe);
  // Child::Start a process that closes every descriptor above 2 except its
  // two ends (close_range) and returns ServeTasks(...); keep the parent's
  // two ends in the Worker. The parent's copies of the worker's ends must
  // be closed.
  throw std::logic_error("TODO: Worker::Start is not written yet");
}

void Worker::Send(Task /*fn*/, std::span<const std::int64_t> /*items*/) {
  // TODO: one frame (WriteFrame) holding EncodeTask(fn, items).
  throw std::logic_error("TODO: Worker::Send is not written yet");
}

std::optional<Outcome> Worker::Receive() {
  // TODO: ReadFrame; end of file: empty optional; DecodeReply the body
  // (not a reply: FrameError).
  throw std::logic_error("TODO: Worker::Receive is not written yet");
}

ExitStatus Worker::Stop() {
  // TODO: the stop message (an empty frame; ignore EPIPE), close both
  // pipes, Wait() for the process.
  throw std::logic_error("TODO: Worker::Stop is not written yet");
}

ExitStatus Worker::Kill() {
  // TODO: SIGKILL the process, Wait() for it, then close both pipes (in
  // this order: see the header).
  throw std::logic_error("TODO: Worker::Kill is not written yet");
}

int ServeTasks(int /*task_fd*/, int /*result_fd*/) {
  // TODO: loop: ReadFrame; end of file or an empty frame: return 0;
  // DecodeTask (fails: return 2); call fn on each item, catching
  // exceptions; WriteFrame the reply (EncodeResults or EncodeError).
  throw std::logic_error("TODO: ServeTasks is not written yet");
}

}  // namespace bpool
