// Runs lesson 01 and checks what it prints.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lessons/common/run_lesson.h"

namespace {

using lessons::testing::IndexOf;
using lessons::testing::LeadingPid;
using lessons::testing::LinesStartingWith;

constexpr char kBinary[] = "lessons/01_apply/01_apply";

class ApplyLessonTest : public lessons::testing::LessonTest<kBinary> {};

// The lesson exits normally.
TEST_F(ApplyLessonTest, ExitsWithZero) {
  EXPECT_EQ(run_->exit_code, 0) << run_->Describe();
}

// apply blocks: the worker's line comes after "calling" and before
// "returned", and the result is 49.
TEST_F(ApplyLessonTest, ApplyWaitsForTheResult) {
  const int calling =
      IndexOf(*run_, "(PID)主进程: calling apply(square, (7,))");
  const int task = IndexOf(*run_, "(PID)进程正在执行,参数为: 7");
  const int returned = IndexOf(*run_, "(PID)主进程: apply returned 49");
  ASSERT_GE(calling, 0) << run_->Describe();
  EXPECT_LT(calling, task) << run_->Describe();
  EXPECT_LT(task, returned) << run_->Describe();
}

// The task runs in a worker; the 主进程 lines come from the lesson itself.
TEST_F(ApplyLessonTest, TaskRunsInAnotherProcess) {
  for (const std::string& line : run_->lines) {
    auto pid = LeadingPid(line);
    ASSERT_TRUE(pid.has_value()) << line;
    if (line.find("主进程") != std::string::npos) {
      EXPECT_EQ(*pid, run_->pid) << line;
    } else {
      EXPECT_NE(*pid, run_->pid) << line;
    }
  }
}

// Several arguments, passed either way; then three blocking calls.
TEST_F(ApplyLessonTest, MoreResults) {
  EXPECT_EQ(LinesStartingWith(*run_, "(PID)主进程: add(2, 3) = 5").size(), 2u)
      << run_->Describe();
  EXPECT_EQ(LinesStartingWith(*run_, "(PID)主进程: three applies in a row: 14,")
                .size(),
            1u)
      << run_->Describe();
  EXPECT_EQ(LinesStartingWith(*run_, "(PID)进程正在执行,参数为: ").size(), 4u)
      << run_->Describe();
}

}  // namespace
