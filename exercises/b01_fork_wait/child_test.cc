// Tests for step b01 (a child process and how it ended). They run against
// exercises/b01_fork_wait (your code) and solutions/b01_fork_wait.

#include "exercises/b01_fork_wait/child.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "exercises/testing/explain.h"
#include "exercises/testing/track_testing.h"

namespace bpool {
namespace {

using ::exercises::testing::Children;
using ::exercises::testing::FinishesWithin;
using ::exercises::testing::Interrupter;
using ::exercises::testing::IsZombie;
using ::exercises::testing::kCallGuard;
using ::exercises::testing::WaitUntil;

// The exit code a child uses to say "Start() returned in me": see Begin().
constexpr int kReturnedIntoTest = 99;

const pid_t g_test_pid = ::getpid();

// Starts a child; if Start() returned in the child as well as in the
// parent, the child leaves with kReturnedIntoTest instead of running the
// rest of the test a second time.
Child Begin(std::function<int()> body) {
  Child child = Child::Start(std::move(body));
  if (::getpid() != g_test_pid) ::_exit(kReturnedIntoTest);
  return child;
}

// Checks an ExitStatus for "exited with `code`", with a message that tells
// what went wrong.
void ExpectExited(const ExitStatus& how, int code) {
  EXPECT_TRUE(how.exited) << Explain("the child should have exited with code ",
                                     "子进程本应以退出码 ")
                          << code
                          << Explain(
                                 ", but Wait() says it was killed by signal ",
                                 " 退出，但 Wait() 说它被信号杀死了：signal ")
                          << how.signal;
  if (how.exited && how.code == kReturnedIntoTest) {
    ADD_FAILURE() << Explain(
        "Start() returned inside the child: the child went on running the "
        "caller's code. After body() the child must call _exit().",
        "Start() 在子进程中返回了：子进程继续执行了调用者的代码。body() "
        "之后，子进程必须调用 _exit()。");
    return;
  }
  EXPECT_EQ(how.code, code)
      << Explain("the child's exit code", "子进程的退出码");
}

bool IsChild(pid_t pid) {
  const std::vector<pid_t> children = Children();
  return std::find(children.begin(), children.end(), pid) != children.end();
}

// A child that waits for a signal, giving up after 20 s (so that a wrong
// destructor that waits instead of killing cannot hang the suite forever).
int WaitForSignal() {
  ::alarm(20);
  for (;;) ::pause();
}

int g_touched = 0;

// A body that returns 0 ends the child with exit code 0.
TEST(ForkWaitTest, ReturnZeroIsANormalExit) {
  Child child = Begin([] { return 0; });
  ASSERT_TRUE(child.running())
      << Explain("Start() returned no child", "Start() 没有返回子进程");
  ExpectExited(child.Wait(), 0);
  EXPECT_FALSE(child.running())
      << Explain("after Wait(), running() must be false",
                 "Wait() 之后，running() 必须为 false");
  EXPECT_EQ(child.pid(), -1) << Explain("after Wait(), pid() must be -1",
                                        "Wait() 之后，pid() 必须为 -1");
}

// What the body returns, or passes to _exit(), is the exit code Wait()
// reports.
TEST(ForkWaitTest, ExitCodeIsReported) {
  Child returns = Begin([] { return 3; });
  ExpectExited(returns.Wait(), 3);
  Child exits = Begin([]() -> int { ::_exit(3); });
  ExpectExited(exits.Wait(), 3);
}

// A child killed by a signal is reported as killed, with the signal's
// number, and Describe() names it.
TEST(ForkWaitTest, SignalIsReported) {
  Child child = Begin([] {
    ::raise(SIGKILL);
    return 0;
  });
  const ExitStatus how = child.Wait();
  EXPECT_FALSE(how.exited) << Explain(
      "a child killed by SIGKILL did not exit",
      "被 SIGKILL 杀死的子进程不应算作正常退出");
  EXPECT_EQ(how.signal, SIGKILL);
  const std::string text = how.Describe();
  EXPECT_NE(text.find("SIGKILL"), std::string::npos)
      << Explain("Describe() should name the signal; it says: ",
                 "Describe() 应当写出信号的名字；它写的是：")
      << text;
  EXPECT_NE(text.find('9'), std::string::npos)
      << Explain("Describe() should give the signal's number; it says: ",
                 "Describe() 应当写出信号的编号；它写的是：")
      << text;
}

// Describe() says how a child exited, with its code.
TEST(ForkWaitTest, DescribeSaysHowItEnded) {
  ExitStatus exited;
  exited.exited = true;
  exited.code = 3;
  const std::string text = exited.Describe();
  EXPECT_NE(text.find("exit"), std::string::npos) << text;
  EXPECT_NE(text.find('3'), std::string::npos) << text;
  ExitStatus killed;
  killed.signal = SIGTERM;
  EXPECT_NE(killed.Describe().find("SIGTERM"), std::string::npos)
      << killed.Describe();
}

// The body runs in another process: it has its own pid and its own copy of
// memory, so what it changes is not seen by the parent.
TEST(ForkWaitTest, BodyRunsInAChildProcess) {
  g_touched = 0;
  Child child = Begin([] {
    g_touched = 1;
    return 42;
  });
  EXPECT_GT(child.pid(), 0);
  EXPECT_NE(child.pid(), ::getpid())
      << Explain("the body ran in this process", "body 在本进程中执行了");
  ExpectExited(child.Wait(), 42);
  EXPECT_EQ(g_touched, 0) << Explain(
      "the parent's memory changed: the body ran in the parent",
      "父进程的内存被改了：body 在父进程中执行了");
}

// A body that throws does not throw into the caller's code in the child:
// the child exits with kChildThrew.
TEST(ForkWaitTest, ThrowingBodyExitsWithChildThrew) {
  Child child = Begin([]() -> int { throw std::runtime_error("boom"); });
  ExpectExited(child.Wait(), kChildThrew);
}

// Wait() reaps the child: afterwards it is no longer a child of this
// process, not even a zombie.
TEST(ForkWaitTest, WaitLeavesNoZombie) {
  Child child = Begin([] { return 0; });
  const pid_t pid = child.pid();
  (void)child.Wait();
  EXPECT_FALSE(IsChild(pid))
      << Explain("child ", "子进程 ") << pid
      << Explain(" is still there after Wait() (a zombie?): waitpid() reaps it",
                 " 在 Wait() 之后仍然存在（僵尸进程？）：waitpid() 会回收它");
}

// Kill() sends the signal; Wait() reports it.
TEST(ForkWaitTest, KillSendsTheSignal) {
  Child child = Begin(WaitForSignal);
  child.Kill(SIGTERM);
  const ExitStatus how = child.Wait();
  EXPECT_FALSE(how.exited) << how.Describe();
  EXPECT_EQ(how.signal, SIGTERM) << how.Describe();
}

// Destroying a Child that is still running kills it and reaps it: no
// process and no zombie is left.
TEST(ForkWaitTest, DestructorKillsAndReapsARunningChild) {
  auto child = std::make_shared<Child>(Begin(WaitForSignal));
  const pid_t pid = child->pid();
  // The only owner is the guarded call, so ~Child() runs there.
  ASSERT_TRUE(FinishesWithin(
      kCallGuard, [child = std::move(child)]() mutable { child.reset(); }))
      << Explain("~Child() did not return within ", "~Child() 在 ")
      << kCallGuard.count()
      << Explain(
             " s for a child that waits forever: kill it (SIGKILL) before "
             "waiting for it",
             " 秒内没有返回，而子进程会永远等下去：先杀死它（SIGKILL），再等待"
             "它");
  EXPECT_FALSE(IsChild(pid))
      << Explain("child ", "子进程 ") << pid
      << Explain(" is still there after ~Child(): kill it, then waitpid() it",
                 " 在 ~Child() 之后仍然存在：先杀死它，再 waitpid() 它");
}

// Destroying a Child whose process has already ended reaps it.
TEST(ForkWaitTest, DestructorReapsAnEndedChild) {
  pid_t pid = -1;
  {
    Child child = Begin([] { return 0; });
    pid = child.pid();
    ASSERT_TRUE(WaitUntil([pid] { return IsZombie(pid); }))
        << Explain("the child never ended", "子进程一直没有结束");
  }
  EXPECT_FALSE(IsChild(pid))
      << Explain("child ", "子进程 ") << pid
      << Explain(" is still a zombie after ~Child(): waitpid() it",
                 " 在 ~Child() 之后仍是僵尸进程：要 waitpid() 它");
}

// Moving a Child into one that owns a process reaps the old process.
TEST(ForkWaitTest, MoveAssignmentReapsTheOldChild) {
  Child first = Begin(WaitForSignal);
  const pid_t old_pid = first.pid();
  Child second = Begin([] { return 5; });
  const pid_t new_pid = second.pid();
  first = std::move(second);
  EXPECT_EQ(first.pid(), new_pid);
  EXPECT_EQ(second.pid(), -1);  // NOLINT(bugprone-use-after-move)
  EXPECT_FALSE(IsChild(old_pid))
      << Explain("the replaced child is still there", "被替换的子进程仍然存在");
  ExpectExited(first.Wait(), 5);
}

// A signal that interrupts waitpid() (EINTR) is not an error: Wait() tries
// again and still reports how the child ended.
TEST(ForkWaitTest, WaitRetriesWhenInterrupted) {
  Child child = Begin([] {
    ::usleep(300 * 1000);
    return 7;
  });
  Interrupter interrupter(::pthread_self());
  ExitStatus how;
  EXPECT_NO_THROW(how = child.Wait()) << Explain(
      "Wait() failed when a signal interrupted waitpid() (EINTR): retry",
      "信号中断 waitpid() 时（EINTR）Wait() 失败了：应当重试");
  ExpectExited(how, 7);
}

}  // namespace
}  // namespace bpool
