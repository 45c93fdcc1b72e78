#include "pool/test_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <sstream>
#include <string>
#include <thread>

#include "pool/errors.h"

namespace pool::testing {

std::string ReadFile(const std::string& path) {
  // Plain read(), not an ifstream: a /proc file of a process that exits
  // while it is read fails with ESRCH, which libstdc++ turns into an
  // exception.
  std::string text;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

std::vector<int> OpenFds(pid_t pid) {
  std::vector<int> fds;
  const std::string path =
      pid == 0 ? "/proc/self/fd" : "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) return fds;
  const int own = pid == 0 ? ::dirfd(d) : -1;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const int fd = std::atoi(e->d_name);
    if (fd != own) fds.push_back(fd);
  }
  ::closedir(d);
  std::sort(fds.begin(), fds.end());
  return fds;
}

int OpenFdCount() { return static_cast<int>(OpenFds().size()); }

std::string StatField(pid_t pid, int field) {
  const std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  // Field 2, the command name, is in parentheses and may contain spaces and
  // parentheses; the fields after the last ')' are split on spaces.
  const std::size_t open = stat.find('(');
  const std::size_t close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return "";
  if (field == 1) return stat.substr(0, open - 1);
  if (field == 2) return stat.substr(open + 1, close - open - 1);
  std::istringstream rest(stat.substr(close + 1));
  std::string value;
  for (int i = 3; i <= field; ++i) {
    if (!(rest >> value)) return "";
  }
  return value;
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
