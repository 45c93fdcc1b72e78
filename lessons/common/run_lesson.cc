#include "lessons/common/run_lesson.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace lessons::testing {
namespace {

[[noreturn]] void Fail(const char* call) {
  throw std::system_error(errno, std::generic_category(), call);
}

// Bazel runs a test in its runfiles tree; TEST_SRCDIR/TEST_WORKSPACE is the
// workspace root there. An absolute path (a system binary) is left alone.
std::string Resolve(const std::string& path) {
  if (path.starts_with("/")) return path;
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir == nullptr || workspace == nullptr) return path;
  return std::string(srcdir) + "/" + workspace + "/" + path;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

std::string LessonRun::Describe() const {
  std::ostringstream out;
  out << "pid " << pid << ", exit code " << exit_code << ", signal "
      << term_signal << (timed_out ? ", TIMED OUT" : "") << ", "
      << elapsed.count() << " s\n--- stdout ---\n"
      << this->out << "--- stderr ---\n"
      << err;
  return out.str();
}

LessonRun RunLesson(const std::string& path,
                    const std::vector<std::string>& args,
                    std::chrono::seconds hang_guard) {
  const std::string binary = Resolve(path);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) Fail("pipe2");
  if (::pipe2(err, O_CLOEXEC) != 0) Fail("pipe2");

  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) Fail("fork");
  if (pid == 0) {
    // The child: its own process group, so that the hang guard can kill the
    // lesson together with every worker it forked. Only async-signal-safe
    // calls from here to exec.
    ::setpgid(0, 0);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err[1], STDERR_FILENO);
    ::execv(argv[0], argv.data());
    static const char kMsg[] = "run_lesson: execv failed\n";
    (void)!::write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // Also here, so kill(-pid) works whoever runs first.
  ::close(out[1]);
  ::close(err[1]);

  LessonRun run;
  run.pid = pid;
  const auto deadline = start + hang_guard;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&run.out, &run.err};
  int open_fds = 2;
  // Read until both pipes reach end of file: that is, until the lesson and
  // every worker it started (they share its stdout) have closed them.
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      run.timed_out = true;
      ::kill(-pid, SIGKILL);
      break;
    }
    const int ready = ::poll(fds, 2, static_cast<int>(left.count()));
    if (ready < 0) {
      if (errno == EINTR) continue;
      Fail("poll");
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (pollfd& p : fds) {
    if (p.fd >= 0) ::close(p.fd);
  }

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) Fail("waitpid");
  }
  run.elapsed = std::chrono::steady_clock::now() - start;
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) run.term_signal = WTERMSIG(status);
  run.lines = SplitLines(run.out);
  return run;
}

std::optional<pid_t> LeadingPid(std::string_view line) {
  if (!line.starts_with("(")) return std::nullopt;
  const std::size_t close = line.find(')');
  if (close == std::string_view::npos || close == 1) return std::nullopt;
  pid_t pid = 0;
  for (char c : line.substr(1, close - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    pid = pid * 10 + (c - '0');
  }
  return pid;
}

std::string NormalizePid(std::string_view line) {
  if (!LeadingPid(line)) return std::string(line);
  return "(PID)" + std::string(line.substr(line.find(')') + 1));
}

std::vector<std::string> LinesStartingWith(const LessonRun& run,
                                           std::string_view prefix) {
  std::vector<std::string> found;
  for (const std::string& line : run.lines) {
    std::string normal = NormalizePid(line);
    if (normal.starts_with(prefix)) found.push_back(std::move(normal));
  }
  return found;
}

int IndexOf(const LessonRun& run, std::string_view line) {
  for (std::size_t i = 0; i < run.lines.size(); ++i) {
    if (NormalizePid(run.lines[i]) == line) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace lessons::testing
