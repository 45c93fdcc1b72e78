#include "lessons/common/print.h"

#include <errno.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace lessons {

void WriteLine(std::string_view line) {
  std::string buffer;
  buffer.reserve(line.size() + 1);
  buffer.append(line);
  buffer.push_back('\n');
  const char* p = buffer.data();
  std::size_t left = buffer.size();
  // One write(2) is enough for any line a lesson prints; the loop only
  // matters for a signal interrupting it, or a line longer than PIPE_BUF.
  while (left > 0) {
    const ssize_t n = ::write(STDOUT_FILENO, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // stdout is gone (a closed pipe): nothing useful to do.
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

long IntFlag(int argc, char** argv, std::string_view name, long fallback) {
  const std::string prefix = "--" + std::string(name) + "=";
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (!arg.starts_with(prefix)) continue;
    const std::string value(arg.substr(prefix.size()));
    char* end = nullptr;
    errno = 0;
    const long parsed = std::strtol(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || errno != 0) {
      std::fprintf(stderr, "%s: bad value for --%s: '%s'\n", argv[0],
                   std::string(name).c_str(), value.c_str());
      std::exit(2);
    }
    return parsed;
  }
  return fallback;
}

}  // namespace lessons
