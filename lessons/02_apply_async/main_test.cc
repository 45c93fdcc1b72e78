// Runs lesson 02 with 2-second sleeps and checks what it prints.

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "lessons/common/run_lesson.h"

namespace {

using lessons::testing::LeadingPid;
using lessons::testing::LinesStartingWith;

constexpr char kBinary[] = "lessons/02_apply_async/02_apply_async";

constexpr char kArg[] = "--sleep_ms=2000";  // Shorter sleeps: 3 tasks x 2 s.

// One run shared by every test: it takes a few seconds.
class ApplyAsyncLessonTest
    : public lessons::testing::LessonTest<kBinary, kArg> {};

// The lesson exits normally.
TEST_F(ApplyAsyncLessonTest, ExitsWithZero) {
  EXPECT_EQ(run_->exit_code, 0) << run_->Describe();
}

// Exactly three task lines, one per way of passing the argument, in any
// order (the three tasks run at the same time).
TEST_F(ApplyAsyncLessonTest, PrintsOneLinePerArgument) {
  std::vector<std::string> lines = LinesStartingWith(*run_, "(PID)");
  std::multiset<std::string> got(lines.begin(), lines.end());
  std::multiset<std::string> want = {
      "(PID)进程正在执行,参数为: default",
      "(PID)进程正在执行,参数为: 位置参数",
      "(PID)进程正在执行,参数为: 关键字参数",
  };
  EXPECT_EQ(got, want) << run_->Describe();
  EXPECT_EQ(run_->lines.size(), 3u) << run_->Describe();
}

// The tasks run in worker processes, not in the lesson's own process.
TEST_F(ApplyAsyncLessonTest, TasksRunInWorkerProcesses) {
  ASSERT_EQ(run_->lines.size(), 3u) << run_->Describe();
  for (const std::string& line : run_->lines) {
    auto pid = LeadingPid(line);
    ASSERT_TRUE(pid.has_value()) << line;
    EXPECT_NE(*pid, run_->pid) << line;
  }
}

// The three 2-second sleeps overlap: run one after another they would take
// 6 s. A hang guard with a wide margin for a loaded machine, not a
// benchmark.
TEST_F(ApplyAsyncLessonTest, SleepsOverlap) {
  EXPECT_LT(run_->elapsed, std::chrono::seconds(5)) << run_->Describe();
}

}  // namespace
