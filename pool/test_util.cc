#include "pool/test_util.h"

#include <dirent.h>
#include <errno.h>
#include <sys/wait.h>

#include <exception>
#include <string>
#include <thread>

#include "pool/errors.h"

namespace pool::testing {

int OpenFdCount() {
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return -1;
  int n = 0;
  while (::readdir(d) != nullptr) ++n;
  ::closedir(d);
  return n - 3;  // ".", ".." and the directory stream's own fd.
}

bool HasNoChildren() {
  return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

bool WaitUntil(const std::function<bool()>& done,
               std::chrono::milliseconds limit) {
  using Clock = std::chrono::steady_clock;
  const bool forever = limit == std::chrono::milliseconds::max();
  const Clock::time_point deadline =
      forever ? Clock::time_point::max() : Clock::now() + limit;
  while (!done()) {
    if (!forever && Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

std::string UsageErrorMessage(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("not a UsageError: ") + e.what();
  }
  return "no exception";
}

}  // namespace pool::testing
