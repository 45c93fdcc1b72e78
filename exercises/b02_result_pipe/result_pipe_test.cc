// Tests for step b02 (a result back through a pipe). They run against
// exercises/b02_result_pipe (your code) and solutions/b02_result_pipe.

#include "exercises/b02_result_pipe/result_pipe.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <climits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "exercises/testing/track_testing.h"

namespace bpool {
namespace {

using ::exercises::testing::Children;
using ::exercises::testing::FinishesWithin;
using ::exercises::testing::kCallGuard;
using ::exercises::testing::OpenFds;
using ::exercises::testing::Show;

// Tasks: plain functions, run in the child.
int Square(int x) { return x * x; }
int Identity(int x) { return x; }
int OwnPid(int) { return ::getpid(); }
int ExitWithoutWriting(int code) { ::_exit(code); }
int KillSelf(int) {
  ::raise(SIGKILL);
  return 0;
}

// Runs RunForResult(fn, arg) under a hang guard; fails the test with a hint
// if it does not return.
std::optional<ChildResult> RunGuarded(int (*fn)(int), int arg) {
  auto result = std::make_shared<ChildResult>();
  const bool finished = FinishesWithin(
      kCallGuard, [fn, arg, result] { *result = RunForResult(fn, arg); });
  if (!finished) {
    ADD_FAILURE() << "RunForResult() did not return within "
                  << kCallGuard.count()
                  << " s. If the child ended without writing, read() sees "
                     "end of file only once no process holds the pipe's "
                     "write end: close the parent's copy right after fork().";
    return std::nullopt;
  }
  return *result;
}

bool IsOpen(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

// The child's result arrives, and the child is reported as exited with 0.
TEST(ResultPipeTest, ValueArrives) {
  std::optional<ChildResult> r = RunGuarded(Square, 7);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->value) << "no value arrived; the child "
                        << r->status.Describe();
  EXPECT_EQ(*r->value, 49);
  EXPECT_TRUE(r->status.exited) << r->status.Describe();
  EXPECT_EQ(r->status.code, 0);
}

// Every int arrives intact, negative and extreme ones too (all four bytes).
TEST(ResultPipeTest, EveryValueArrivesIntact) {
  for (int x : {0, 1, -1, 255, 256, 65537, INT_MIN, INT_MAX}) {
    std::optional<ChildResult> r = RunGuarded(Identity, x);
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->value) << "for " << x;
    EXPECT_EQ(*r->value, x);
  }
}

// fn runs in the child, not in the caller.
TEST(ResultPipeTest, RunsInAChild) {
  std::optional<ChildResult> r = RunGuarded(OwnPid, 0);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->value);
  EXPECT_NE(*r->value, ::getpid()) << "fn ran in the calling process";
}

// A child that exits before writing is reported (no value, its exit code),
// not waited for forever.
TEST(ResultPipeTest, ChildThatExitsWithoutWritingIsReported) {
  std::optional<ChildResult> r = RunGuarded(ExitWithoutWriting, 4);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->value) << "a value arrived from a child that wrote none: "
                         << *r->value;
  EXPECT_TRUE(r->status.exited) << r->status.Describe();
  EXPECT_EQ(r->status.code, 4);
}

// A child killed before writing is reported with the signal.
TEST(ResultPipeTest, KilledChildIsReported) {
  std::optional<ChildResult> r = RunGuarded(KillSelf, 0);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->value);
  EXPECT_FALSE(r->status.exited) << r->status.Describe();
  EXPECT_EQ(r->status.signal, SIGKILL);
}

// Whatever the child does, no descriptor stays open and no child (nor
// zombie) is left behind.
TEST(ResultPipeTest, NoFdLeakedAndNoZombieLeft) {
  const std::vector<int> before = OpenFds();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(RunGuarded(Square, i));
    ASSERT_TRUE(RunGuarded(ExitWithoutWriting, 1));
    ASSERT_TRUE(RunGuarded(KillSelf, 0));
  }
  EXPECT_EQ(Show(OpenFds()), Show(before))
      << "descriptors were left open (before: " << Show(before) << ")";
  EXPECT_TRUE(Children().empty()) << Children().size() << " child processes "
                                  << "are left (reap each child)";
}

// MakePipe() gives a working pipe whose ends are close-on-exec.
TEST(ResultPipeTest, MakePipeIsAPipeAndCloseOnExec) {
  Pipe pipe = MakePipe();
  ASSERT_GE(pipe.read.get(), 0);
  ASSERT_GE(pipe.write.get(), 0);
  EXPECT_TRUE(::fcntl(pipe.read.get(), F_GETFD) & FD_CLOEXEC)
      << "the read end is not close-on-exec (pipe2 with O_CLOEXEC)";
  EXPECT_TRUE(::fcntl(pipe.write.get(), F_GETFD) & FD_CLOEXEC)
      << "the write end is not close-on-exec (pipe2 with O_CLOEXEC)";
  ASSERT_EQ(::write(pipe.write.get(), "ok", 2), 2);
  char buffer[2];
  ASSERT_EQ(::read(pipe.read.get(), buffer, 2), 2);
  EXPECT_EQ(std::string(buffer, 2), "ok");
}

// An Fd closes its descriptor when destroyed, and Reset() closes the old
// one before taking the new.
TEST(ResultPipeTest, FdClosesWhatItOwns) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  {
    Fd owner(fds[0]);
    EXPECT_EQ(owner.get(), fds[0]);
    owner.Reset(fds[1]);
    EXPECT_FALSE(IsOpen(fds[0])) << "Reset() did not close the old fd";
    EXPECT_EQ(owner.get(), fds[1]);
  }
  EXPECT_FALSE(IsOpen(fds[1])) << "~Fd() did not close its fd";
}

// Moving an Fd moves the ownership: the moved-from one holds nothing, and
// the descriptor is closed once, by its last owner.
TEST(ResultPipeTest, MovingAnFdMovesOwnership) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  Fd other(fds[1]);
  {
    Fd first(fds[0]);
    Fd second(std::move(first));
    EXPECT_EQ(first.get(), -1);  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(second.get(), fds[0]);
    EXPECT_TRUE(IsOpen(fds[0]));
    other = std::move(second);
    EXPECT_FALSE(IsOpen(fds[1])) << "move assignment did not close the fd "
                                    "the target held";
  }
  EXPECT_TRUE(IsOpen(fds[0])) << "a moved-from Fd closed the fd it gave away";
  other.Reset();
  EXPECT_FALSE(IsOpen(fds[0]));
}

}  // namespace
}  // namespace bpool
