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

#include "exercises/testing/explain.h"
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
    ADD_FAILURE()
        << Explain("RunForResult() did not return within ",
                   "RunForResult() 在 ")
        << kCallGuard.count()
        << Explain(
               " s. If the child ended without writing, read() sees end of "
               "file only once no process holds the pipe's write end: close "
               "the parent's copy right after fork().",
               " 秒内没有返回。如果子进程没写结果就结束了，"
               "只有当没有任何进程还持有管道的写端时，read() "
               "才会看到文件结束（EOF）：在 fork() "
               "之后立即关闭父进程那份写端。");
    return std::nullopt;
  }
  return *result;
}

bool IsOpen(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

// The child's result arrives, and the child is reported as exited with 0.
TEST(ResultPipeTest, ValueArrives) {
  std::optional<ChildResult> r = RunGuarded(Square, 7);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->value) << Explain("no value arrived; the child ",
                                   "没有收到值；子进程 ")
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
    ASSERT_TRUE(r->value) << Explain("for ", "输入为 ") << x;
    EXPECT_EQ(*r->value, x);
  }
}

// fn runs in the child, not in the caller.
TEST(ResultPipeTest, RunsInAChild) {
  std::optional<ChildResult> r = RunGuarded(OwnPid, 0);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->value);
  EXPECT_NE(*r->value, ::getpid())
      << Explain("fn ran in the calling process", "fn 在调用者的进程中执行了");
}

// A child that exits before writing is reported (no value, its exit code),
// not waited for forever.
TEST(ResultPipeTest, ChildThatExitsWithoutWritingIsReported) {
  std::optional<ChildResult> r = RunGuarded(ExitWithoutWriting, 4);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->value)
      << Explain("a value arrived from a child that wrote none: ",
                 "一个什么也没写的子进程却传来了值：")
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
      << Explain("descriptors were left open (before: ",
                 "有描述符没有关闭(之前：")
      << Show(before) << ")";
  EXPECT_TRUE(Children().empty())
      << Children().size()
      << Explain(" child processes are left (reap each child)",
                 " 个子进程没有回收（每个子进程都要回收）");
}

// MakePipe() gives a working pipe whose ends are close-on-exec.
TEST(ResultPipeTest, MakePipeIsAPipeAndCloseOnExec) {
  Pipe pipe = MakePipe();
  ASSERT_GE(pipe.read.get(), 0);
  ASSERT_GE(pipe.write.get(), 0);
  EXPECT_TRUE(::fcntl(pipe.read.get(), F_GETFD) & FD_CLOEXEC)
      << Explain("the read end is not close-on-exec (pipe2 with O_CLOEXEC)",
                 "读端不是 close-on-exec 的（用 pipe2 加 O_CLOEXEC）");
  EXPECT_TRUE(::fcntl(pipe.write.get(), F_GETFD) & FD_CLOEXEC)
      << Explain("the write end is not close-on-exec (pipe2 with O_CLOEXEC)",
                 "写端不是 close-on-exec 的（用 pipe2 加 O_CLOEXEC）");
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
    EXPECT_FALSE(IsOpen(fds[0])) << Explain("Reset() did not close the old fd",
                                            "Reset() 没有关闭旧的 fd");
    EXPECT_EQ(owner.get(), fds[1]);
  }
  EXPECT_FALSE(IsOpen(fds[1]))
      << Explain("~Fd() did not close its fd", "~Fd() 没有关闭它的 fd");
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
    EXPECT_FALSE(IsOpen(fds[1]))
        << Explain("move assignment did not close the fd the target held",
                   "移动赋值没有关闭目标原先持有的 fd");
  }
  EXPECT_TRUE(IsOpen(fds[0]))
      << Explain("a moved-from Fd closed the fd it gave away",
                 "被移走的 Fd 关闭了它已经交出去的 fd");
  other.Reset();
  EXPECT_FALSE(IsOpen(fds[0]));
}

}  // namespace
}  // namespace bpool
