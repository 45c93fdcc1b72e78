// Step b03: whole messages over a byte stream. Replace each TODO; see
// README.md.

#include "exercises/b03_framing/framing.h"

#include <errno.h>
#include <unistd.h>

#include <stdexcept>
#include <system_error>

namespace bpool {

void WriteAll(int /*fd*/, const void* /*data*/, std::size_t /*size*/) {
  // TODO: write() until every byte is out; again on EINTR; go on from where
  // a short write stopped; throw std::system_error on any other error.
  throw std::logic_error("TODO: WriteAll is not written yet");
}

std::size_t ReadAll(int /*fd*/, void* /*data*/, std::size_t /*size*/) {
  // TODO: read() until `size` bytes are in or read() returns 0 (end of
  // file); again on EINTR; return how many were read.
  throw std::logic_error("TODO: ReadAll is not written yet");
}

void WriteFrame(int /*fd*/, std::string_view /*body*/) {
  // TODO: the length as a uint64_t, then the body, each with WriteAll.
  throw std::logic_error("TODO: WriteFrame is not written yet");
}

std::optional<std::string> ReadFrame(int /*fd*/) {
  // TODO: ReadAll the 8-byte length (0 bytes: end of file, return empty;
  // 1 to 7: FrameError); check it against kMaxFrame; ReadAll the body
  // (short: FrameError).
  throw std::logic_error("TODO: ReadFrame is not written yet");
}

}  // namespace bpool
