// pool/test_util.h: checks shared by the pool's tests.

#ifndef POOL_TEST_UTIL_H_
#define POOL_TEST_UTIL_H_

#include <dirent.h>
#include <errno.h>
#include <sys/wait.h>

#include <string>

namespace pool::testing {

// The number of fds this process has open.
inline int OpenFdCount() {
  int n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (::readdir(d) != nullptr) ++n;
    ::closedir(d);
  }
  return n - 3;  // ".", ".." and the DIR's own fd.
}

// True if this process has no child process at all, live or zombie.
inline bool HasNoChildren() {
  return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

}  // namespace pool::testing

#endif  // POOL_TEST_UTIL_H_
