#include "mpi/mpirun.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "openmpi/mpirun_path.h"

namespace mpi {

std::vector<std::string> MpirunCommand(
    int np, const std::vector<std::string>& program_and_args,
    const std::vector<std::string>& extra_flags) {
  std::vector<std::string> argv = {kMpirunPath, "-np", std::to_string(np),
                                   "--oversubscribe"};
  if (::geteuid() == 0) argv.push_back("--allow-run-as-root");
  for (const char* flag : {"--bind-to", "none", "--mca", "btl", "self,vader"}) {
    argv.push_back(flag);
  }
  if (const char* tmp = std::getenv("TEST_TMPDIR"); tmp != nullptr) {
    argv.insert(argv.end(), {"--mca", "orte_tmpdir_base", tmp, "--mca",
                             "btl_vader_backing_directory", tmp});
  }
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  argv.insert(argv.end(), program_and_args.begin(), program_and_args.end());
  return argv;
}

Process::Process(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid_ == 0) {
    // The child: only async-signal-safe calls until exec.
    ::execv(args[0], args.data());
    const char* parts[] = {args[0],
                           ": cannot run it: ", ::strerrordesc_np(errno), "\n"};
    for (const char* part : parts) {
      (void)!::write(STDERR_FILENO, part, ::strlen(part));
    }
    ::_exit(127);
  }
}

Process::~Process() {
  if (Done()) return;
  ::kill(pid_, SIGTERM);
  Wait();
}

int Process::Wait() {
  int status = 0;
  while (status_ < 0) {
    if (::waitpid(pid_, &status, 0) == pid_) {
      status_ =
          WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    } else if (errno != EINTR) {
      status_ = 127;  // Not our child any more (ECHILD): nothing to reap.
    }
  }
  return status_;
}

bool Process::Done() {
  if (status_ >= 0) return true;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return true;
}

std::string ShellLine(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& arg : argv) {
    if (!line.empty()) line += ' ';
    const bool plain =
        !arg.empty() && arg.find_first_not_of(
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRST"
                            "UVWXYZ0123456789_-+=/.,:@%") == std::string::npos;
    if (plain) {
      line += arg;
      continue;
    }
    line += '\'';
    for (char c : arg) {
      if (c == '\'') {
        line += "'\\''";
      } else {
        line += c;
      }
    }
    line += '\'';
  }
  return line;
}

std::string NextToThisBinary(std::string_view name) {
  // /proc/self/exe is the binary itself with every symlink resolved: the
  // file in bazel-out, next to which Bazel built the rest of the package.
  const std::filesystem::path self =
      std::filesystem::read_symlink("/proc/self/exe");
  return (self.parent_path() / name).string();
}

}  // namespace mpi
