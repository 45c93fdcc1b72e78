// exercises/b03_framing/framing.h: Step b03 of the build-your-own-pool
// track. Whole messages over a byte stream.
//
// A pipe carries bytes, not messages: one write() of 100 bytes may come out
// of read() as 60 and then 40, a write() may take only part of its buffer,
// and a signal may interrupt either call (EINTR). This step sends messages
// as frames, an 8-byte length then that many bytes, and reads and writes
// them whole whatever the pipe does.
//
// Contract:
// - The descriptors are blocking; these functions do not change that.
// - A frame's length is a uint64_t in this machine's byte order (both ends
//   are processes of one program on one machine).
// - EINTR is never an error here: the call is retried.
// - ReadFrame() returns an empty optional only for a clean end of file, one
//   that comes before the first byte of a frame. An end of file inside a
//   frame, or a length above kMaxFrame, throws FrameError; a frame is never
//   returned short, and a hostile length never makes it allocate.

#ifndef EXERCISES_B03_FRAMING_FRAMING_H_
#define EXERCISES_B03_FRAMING_FRAMING_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace bpool {

// The largest frame body ReadFrame() accepts: 1 GiB.
inline constexpr std::uint64_t kMaxFrame = std::uint64_t{1} << 30;

// A malformed frame: cut short by end of file, or a length above kMaxFrame.
class FrameError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes all `size` bytes at `data` to `fd`, however many write() calls it
// takes. Throws std::system_error if write() fails (EPIPE: no reader).
void WriteAll(int fd, const void* data, std::size_t size);

// Reads until `size` bytes are in `data` or end of file comes; returns how
// many were read (fewer than `size` only at end of file). Throws
// std::system_error if read() fails.
std::size_t ReadAll(int fd, void* data, std::size_t size);

// Writes one frame: body.size() as a uint64_t, then the body.
void WriteFrame(int fd, std::string_view body);

// Reads one frame and returns its body; an empty optional at a clean end of
// file. Throws FrameError or std::system_error (see above).
std::optional<std::string> ReadFrame(int fd);

}  // namespace bpool

#endif  // EXERCISES_B03_FRAMING_FRAMING_H_
