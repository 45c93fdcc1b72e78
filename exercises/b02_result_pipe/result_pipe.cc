// Step b02: a result back from a child through a pipe. Replace each TODO;
// see README.md.

#include "exercises/b02_result_pipe/result_pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <stdexcept>
#include <system_error>

namespace bpool {

void Fd::Reset(int /*fd*/) noexcept {
  // TODO: close the descriptor held, if any (do not retry close() on
  // EINTR), then hold `fd`.
}

Pipe MakePipe() {
  // TODO: pipe2() with O_CLOEXEC; throw std::system_error if it fails.
  throw std::logic_error("TODO: MakePipe is not written yet");
}

ChildResult RunForResult(int (* /*fn*/)(int), int /*arg*/) {
  // TODO: make a pipe; start a Child (b01) that writes fn(arg)'s four bytes
  // to the write end; in the parent, close the write end, read until four
  // bytes or end of file (again on EINTR), then Wait() for the child.
  throw std::logic_error("TODO: RunForResult is not written yet");
}

}  // namespace bpool
