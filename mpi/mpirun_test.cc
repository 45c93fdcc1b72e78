// Tests for the mpirun command line (mpi/mpirun.h).

#include "mpi/mpirun.h"

#include <errno.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "openmpi/mpirun_path.h"

namespace mpi {
namespace {

bool Has(const std::vector<std::string>& argv, const std::string& flag) {
  return std::find(argv.begin(), argv.end(), flag) != argv.end();
}

// The command starts with the matching mpirun and the rank count, keeps the
// flags a 2-core machine needs, and ends with the program and its arguments
// after any extra flags.
TEST(MpirunTest, CommandHasRanksFlagsThenProgram) {
  const std::vector<std::string> argv =
      MpirunCommand(4, {"/bin/prog", "static"}, {"--tag-output"});
  ASSERT_GE(argv.size(), 6u);
  EXPECT_EQ(argv[0], kMpirunPath);
  EXPECT_EQ(argv[1], "-np");
  EXPECT_EQ(argv[2], "4");
  EXPECT_TRUE(Has(argv, "--oversubscribe"));
  EXPECT_TRUE(Has(argv, "self,vader"));
  EXPECT_EQ(argv[argv.size() - 3], "--tag-output");
  EXPECT_EQ(argv[argv.size() - 2], "/bin/prog");
  EXPECT_EQ(argv.back(), "static");
  EXPECT_TRUE(std::filesystem::exists(kMpirunPath))
      << kMpirunPath << " is gone: run ./bazelw, which installs openmpi-bin";
}

// --allow-run-as-root appears exactly when running as root; Open MPI
// refuses root without it and it means nothing otherwise.
TEST(MpirunTest, AllowRunAsRootOnlyForRoot) {
  EXPECT_EQ(Has(MpirunCommand(2, {"p"}), "--allow-run-as-root"),
            ::geteuid() == 0);
}

// Under bazel test, Open MPI's session directory and shared-memory files go
// to the test's own temporary directory.
TEST(MpirunTest, SessionAndSharedMemoryInTestTmpdir) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  ASSERT_NE(tmp, nullptr) << "run this under bazel test";
  const std::vector<std::string> argv = MpirunCommand(2, {"p"});
  for (const char* param :
       {"orte_tmpdir_base", "btl_vader_backing_directory"}) {
    const auto it = std::find(argv.begin(), argv.end(), param);
    ASSERT_NE(it, argv.end()) << param;
    ASSERT_NE(it + 1, argv.end()) << param;
    EXPECT_EQ(*(it + 1), tmp) << param;
    EXPECT_EQ(*(it - 1), "--mca") << param;
  }
}

// A Process reports how its program ended: an exit code, 128 + a signal,
// or 127 when the program cannot be run at all.
TEST(ProcessTest, WaitReportsHowItEnded) {
  EXPECT_EQ(Process({"/bin/true"}).Wait(), 0);
  EXPECT_EQ(Process({"/bin/sh", "-c", "exit 3"}).Wait(), 3);
  EXPECT_EQ(Process({"/bin/sh", "-c", "kill -9 $$"}).Wait(), 128 + 9);
  EXPECT_EQ(Process({"/nonexistent/mpirun"}).Wait(), 127);
  Process p({"/bin/true"});
  EXPECT_EQ(p.Wait(), 0);
  EXPECT_EQ(p.Wait(), 0) << "a second Wait returns the same status";
  EXPECT_TRUE(p.Done());
}

// A Process still running when its owner goes away is stopped and reaped:
// no zombie and no orphan is left.
TEST(ProcessTest, DestructorStopsAndReaps) {
  pid_t pid = -1;
  {
    Process sleeper({"/bin/sleep", "600"});
    pid = sleeper.pid();
    EXPECT_FALSE(sleeper.Done());
  }
  errno = 0;
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH) << "process " << pid << " is still there";
}

// A printed command line reads back as the same words.
TEST(MpirunTest, ShellLineQuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(ShellLine({"mpirun", "-np", "4", "a/b.c"}), "mpirun -np 4 a/b.c");
  EXPECT_EQ(ShellLine({"echo", "two words", "it's", ""}),
            "echo 'two words' 'it'\\''s' ''");
}

// The directory of the running binary is this test's own.
TEST(MpirunTest, NextToThisBinaryIsBesideTheTest) {
  const std::filesystem::path path = NextToThisBinary("mpirun_test");
  EXPECT_TRUE(path.is_absolute());
  EXPECT_TRUE(std::filesystem::equivalent(path, "/proc/self/exe")) << path;
}

}  // namespace
}  // namespace mpi
