#include "faults/fault_fixture.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <thread>

#include "pool/errors.h"

namespace faults {
namespace {

// Counts the entries of a /proc directory, without "." and "..".
int CountEntries(const char* dir) {
  DIR* d = ::opendir(dir);
  if (d == nullptr) return -1;
  int n = 0;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n;
}

std::string Describe(const std::vector<pid_t>& pids) {
  std::string s;
  for (pid_t pid : pids) {
    if (!s.empty()) s += ", ";
    s += std::to_string(pid) + " (" + StatField(pid, 2) + ", state " +
         StatField(pid, 3) + ")";
  }
  return s;
}

}  // namespace

int HighestOpenFd() {
  const std::vector<int> fds = pool::testing::OpenFds();
  return fds.empty() ? -1 : fds.back();
}

int ThreadCount() { return CountEntries("/proc/self/task"); }

std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> children;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return children;
  const std::string want = std::to_string(parent);
  while (dirent* e = ::readdir(d)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    if (StatField(pid, 4) == want) children.push_back(pid);
  }
  ::closedir(d);
  return children;
}

std::string UniqueTempPath(const std::string& stem) {
  static std::atomic<int> counter{0};
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + stem + "." +
         std::to_string(::getpid()) + "." + std::to_string(++counter);
}

void WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
  }
  std::rename(tmp.c_str(), path.c_str());
}

std::uint64_t Hash(const std::string& bytes) {
  std::uint64_t h = 1469598103934665603ull;
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, bytes.data() + i, 8);
    h = (h ^ word) * 1099511628211ull;
    h ^= h >> 29;
  }
  for (; i < bytes.size(); ++i) {
    h = (h ^ static_cast<unsigned char>(bytes[i])) * 1099511628211ull;
  }
  return h ^ bytes.size();
}

std::string RandomBytes(std::size_t size, std::uint64_t seed) {
  std::string s(size, '\0');
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    std::memcpy(s.data() + i, &x, 8);
  }
  for (; i < size; ++i) s[i] = static_cast<char>(x >> (8 * (i % 8)));
  return s;
}

int TasksOfUid(uid_t uid) {
  int n = 0;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return -1;
  while (dirent* e = ::readdir(d)) {
    const int pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    const std::string status =
        ReadFile("/proc/" + std::to_string(pid) + "/status");
    const std::size_t at = status.find("\nUid:\t");
    if (at == std::string::npos) continue;
    if (std::strtoul(status.c_str() + at + 6, nullptr, 10) != uid) continue;
    const std::size_t threads = status.find("\nThreads:\t");
    n += threads == std::string::npos
             ? 1
             : std::atoi(status.c_str() + threads + 10);
  }
  ::closedir(d);
  return n;
}

std::string DropPrivilegesTo(uid_t uid, bool& not_permitted) {
  if (::setgroups(0, nullptr) != 0 || ::setgid(uid) != 0 ||
      ::setuid(uid) != 0) {
    not_permitted = errno == EPERM || errno == EINVAL;
    return std::string("dropping privileges: ") + std::strerror(errno);
  }
  // A process whose uid changed is not dumpable, which makes its own /proc
  // entries (such as /proc/self/fd) unreadable to it; restore that.
  ::prctl(PR_SET_DUMPABLE, 1);
  return "";
}

std::string NothingLeftInChild(int fds) {
  if (!(::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD)) {
    return "a child process is left";
  }
  if (OpenFdCount() != fds) {
    return "fds open: " + std::to_string(OpenFdCount()) +
           ", before: " + std::to_string(fds);
  }
  return "";
}

ChildOutcome RunInChild(const std::function<std::string()>& body,
                        ChildOptions options) {
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    return {-1, std::string("pipe2: ") + std::strerror(errno)};
  }
  // Buffered output would otherwise be printed by the child as well.
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(report[0]);
    ::close(report[1]);
    return {-1, std::string("fork: ") + std::strerror(errno)};
  }
  if (pid == 0) {
    ::close(report[0]);
    if (options.alarm_seconds != 0) ::alarm(options.alarm_seconds);
    std::string result;
    try {
      result = body();
    } catch (const std::exception& e) {
      result = std::string("uncaught exception: ") + e.what();
    } catch (...) {
      result = "uncaught exception of unknown type";
    }
    const char* p = result.data();
    std::size_t left = result.size();
    while (left > 0) {
      const ssize_t n = ::write(report[1], p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    ::close(report[1]);
    if (options.run_exit_handlers) std::exit(result.empty() ? 0 : 1);
    ::_exit(result.empty() ? 0 : 1);
  }
  ::close(report[1]);
  ChildOutcome outcome;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(report[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    outcome.report.append(buf, static_cast<std::size_t>(n));
  }
  ::close(report[0]);
  while (::waitpid(pid, &outcome.wait_status, 0) < 0 && errno == EINTR) {
  }
  return outcome;
}

::testing::AssertionResult ChildSucceeded(const ChildOutcome& outcome) {
  if (WIFEXITED(outcome.wait_status) && WEXITSTATUS(outcome.wait_status) == 0 &&
      outcome.report.empty()) {
    return ::testing::AssertionSuccess();
  }
  auto failure = ::testing::AssertionFailure()
                 << "the child "
                 << pool::DescribeWaitStatus(outcome.wait_status);
  if (WIFSIGNALED(outcome.wait_status) &&
      WTERMSIG(outcome.wait_status) == SIGALRM) {
    failure << ": it hung until its alarm went off";
  }
  if (!outcome.report.empty()) failure << "; it reported: " << outcome.report;
  return failure;
}

void FaultTest::SetUp() {
  // Orphans of this process's descendants (for example the workers of a
  // fork server that died) are re-parented to it rather than to init, so
  // the check in TearDown sees every process the pool left behind.
  static const bool subreaper = ::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
  ASSERT_TRUE(subreaper) << "prctl(PR_SET_CHILD_SUBREAPER): "
                         << std::strerror(errno);
  ASSERT_TRUE(ChildrenOf(::getpid()).empty())
      << "a child process exists before the test: "
      << Describe(ChildrenOf(::getpid()));
  StartWatchdog();
  fds_before_ = OpenFdCount();
  threads_before_ = ThreadCount();
  set_up_ = true;
}

void FaultTest::TearDown() {
  if (!set_up_) return;  // Skipped (or failed) before SetUp finished.
  EXPECT_EQ(OpenFdCount(), fds_before_)
      << "the test leaked (or closed) a file descriptor";
  // ThreadSanitizer starts a background thread of its own at some point of
  // the run; it is not the pool's.
#if defined(__SANITIZE_THREAD__)
  EXPECT_LE(ThreadCount(), threads_before_ + 1) << "a thread outlived the test";
#else
  EXPECT_EQ(ThreadCount(), threads_before_) << "a thread outlived the test";
#endif
  std::vector<pid_t> left;
  for (pid_t pid : ChildrenOf(::getpid())) {
    if (pid != watchdog_) left.push_back(pid);
  }
  EXPECT_TRUE(left.empty()) << "processes left behind: " << Describe(left);
  // Clean up after a failure so that the next test starts from scratch.
  for (pid_t pid : left) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  StopWatchdog();
  EXPECT_TRUE(::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD)
      << "waitpid(-1, WNOHANG) found a child of the test process";
}

void FaultTest::StartWatchdog() {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0) << std::strerror(errno);
  const std::string name =
      std::string(::testing::UnitTest::GetInstance()
                      ->current_test_info()
                      ->test_suite_name()) +
      "." + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  const int guard_ms = HangGuardSeconds() * 1000;
  // Built before fork(): the child only makes async-signal-safe calls.
  const std::string msg = "\nwatchdog: " + name + " did not finish within " +
                          std::to_string(guard_ms / 1000) +
                          " s; aborting the test process\n";
  std::fflush(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0) << "fork: " << std::strerror(errno);
  if (pid == 0) {
    // The watchdog: waits for end of file on the pipe (the test finished)
    // or for the hang guard to run out. Only async-signal-safe calls here.
    ::close(fds[1]);
    pollfd p{fds[0], POLLIN, 0};
    int r;
    do {
      r = ::poll(&p, 1, guard_ms);
    } while (r < 0 && errno == EINTR);
    if (r != 0) ::_exit(0);
    [[maybe_unused]] ssize_t n = ::write(2, msg.data(), msg.size());
    ::kill(parent, SIGABRT);
    ::sleep(10);
    ::kill(parent, SIGKILL);
    ::_exit(1);
  }
  ::close(fds[0]);
  watchdog_ = pid;
  watchdog_fd_ = fds[1];
}

void FaultTest::StopWatchdog() {
  if (watchdog_fd_ >= 0) ::close(watchdog_fd_);
  watchdog_fd_ = -1;
  if (watchdog_ > 0) {
    while (::waitpid(watchdog_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  watchdog_ = -1;
}

}  // namespace faults
