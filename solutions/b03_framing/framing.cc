// Step b03: whole messages over a byte stream, the reference solution.

#include "exercises/b03_framing/framing.h"

#include <errno.h>
#include <unistd.h>

#include <system_error>

namespace bpool {

void WriteAll(int fd, const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    // write() may take fewer bytes than offered (a signal arrived after
    // some were copied); go on from where it stopped.
    const ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "write");
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

std::size_t ReadAll(int fd, void* data, std::size_t size) {
  char* p = static_cast<char*>(data);
  std::size_t got = 0;
  while (got < size) {
    // read() returns what the pipe holds now, possibly much less than asked.
    const ssize_t n = ::read(fd, p + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "read");
    if (n == 0) break;  // End of file: no writer left.
    got += static_cast<std::size_t>(n);
  }
  return got;
}

void WriteFrame(int fd, std::string_view body) {
  const std::uint64_t size = body.size();
  WriteAll(fd, &size, sizeof size);
  WriteAll(fd, body.data(), body.size());
}

std::optional<std::string> ReadFrame(int fd) {
  std::uint64_t size = 0;
  const std::size_t got = ReadAll(fd, &size, sizeof size);
  if (got == 0) return std::nullopt;  // Clean end of file, between frames.
  if (got < sizeof size) {
    throw FrameError("end of file inside a frame's length (" +
                     std::to_string(got) + " of 8 bytes)");
  }
  // Check the length before allocating: a corrupt or hostile header must
  // not make this process try to allocate 2^60 bytes.
  if (size > kMaxFrame) {
    throw FrameError("frame length " + std::to_string(size) +
                     " is above the limit of " + std::to_string(kMaxFrame));
  }
  std::string body(size, '\0');
  const std::size_t read = ReadAll(fd, body.data(), body.size());
  if (read < size) {
    throw FrameError("end of file inside a frame: " + std::to_string(read) +
                     " of " + std::to_string(size) + " bytes");
  }
  return body;
}

}  // namespace bpool
