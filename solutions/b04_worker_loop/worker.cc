// Step b04: one worker process that serves many tasks, the reference
// solution.

#include "exercises/b04_worker_loop/worker.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <string>
#include <system_error>
#include <vector>

#include "exercises/b03_framing/framing.h"

namespace bpool {
namespace {

// Closes every descriptor above stderr except `keep_a` and `keep_b`.
void CloseAllBut(int keep_a, int keep_b) {
  const int low = std::min(keep_a, keep_b);
  const int high = std::max(keep_a, keep_b);
  // close_range() (Linux 5.9) closes whole ranges in one call; the gaps
  // between the two descriptors kept are the ranges.
  if (low > 3) ::close_range(3, low - 1, 0);
  if (high > low + 1) ::close_range(low + 1, high - 1, 0);
  ::close_range(high + 1, ~0U, 0);
}

}  // namespace

Worker Worker::Start() {
  // Writing to a worker that has died must fail with EPIPE, not kill this
  // process with SIGPIPE (see the header).
  ::signal(SIGPIPE, SIG_IGN);
  Pipe tasks = MakePipe();
  Pipe results = MakePipe();
  const int task_fd = tasks.read.get();
  const int result_fd = results.write.get();
  Worker worker;
  worker.process_ = Child::Start([task_fd, result_fd] {
    // Everything else this process inherited goes: the parent's ends of
    // these two pipes (else the worker would never see end of file on its
    // task pipe, and would hold its own result pipe open), other workers'
    // pipes, whatever the program had open.
    CloseAllBut(task_fd, result_fd);
    return ServeTasks(task_fd, result_fd);
  });
  // The parent keeps the other two ends. Its copies of the worker's ends
  // close here, when `tasks` and `results` go out of scope: only the worker
  // holds them now, so its death shows as end of file on `results_`.
  worker.tasks_ = std::move(tasks.write);
  worker.results_ = std::move(results.read);
  return worker;
}

void Worker::Send(Task fn, std::span<const std::int64_t> items) {
  WriteFrame(tasks_.get(), EncodeTask(fn, items));
}

std::optional<Outcome> Worker::Receive() {
  std::optional<std::string> body = ReadFrame(results_.get());
  if (!body) return std::nullopt;  // End of file: the worker is gone.
  std::optional<Outcome> outcome = DecodeReply(*body);
  if (!outcome) throw FrameError("the worker's reply is not a reply");
  return outcome;
}

ExitStatus Worker::Stop() {
  try {
    WriteFrame(tasks_.get(), "");  // The stop message.
  } catch (const std::system_error&) {
    // EPIPE: the worker is already gone. It is reaped below all the same.
  }
  tasks_.Reset();
  results_.Reset();
  return process_.running() ? process_.Wait() : ExitStatus{};
}

ExitStatus Worker::Kill() {
  // Signal first: with its task pipe closed first, the worker would see end
  // of file and exit 0 before the signal arrived.
  ExitStatus how;
  if (process_.running()) {
    process_.Kill(SIGKILL);
    how = process_.Wait();
  }
  tasks_.Reset();
  results_.Reset();
  return how;
}

int ServeTasks(int task_fd, int result_fd) {
  Task fn = nullptr;
  std::vector<std::int64_t> items;
  std::vector<std::int64_t> results;
  for (;;) {
    std::optional<std::string> body;
    try {
      body = ReadFrame(task_fd);
    } catch (const FrameError&) {
      return 2;
    }
    // End of file or the stop message: the parent wants no more.
    if (!body || body->empty()) return 0;
    if (!DecodeTask(*body, &fn, &items)) return 2;
    std::string reply;
    try {
      results.clear();
      for (std::int64_t item : items) results.push_back(fn(item));
      reply = EncodeResults(results);
    } catch (const std::exception& e) {
      reply = EncodeError(e.what());
    } catch (...) {
      reply = EncodeError(
          "the task threw something that is not a "
          "std::exception");
    }
    // A write that fails means the parent is gone: nobody to work for.
    try {
      WriteFrame(result_fd, reply);
    } catch (const std::system_error&) {
      return 0;
    }
  }
}

}  // namespace bpool
