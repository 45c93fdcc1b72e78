// Runs lesson 10 and checks what it prints.

#include <gtest/gtest.h>

#include <string>

#include "lessons/common/run_lesson.h"

namespace {

using lessons::testing::IndexOf;

constexpr char kBinary[] = "lessons/10_with/10_with";

class WithLessonTest : public lessons::testing::LessonTest<kBinary> {};

// The lesson exits normally.
TEST_F(WithLessonTest, ExitsWithZero) {
  EXPECT_EQ(run_->exit_code, 0) << run_->Describe();
}

// Step 1: map() inside the scope gets every result.
TEST_F(WithLessonTest, MapInsideTheScopeFinishes) {
  EXPECT_GE(IndexOf(*run_, "(PID)主进程: step 1: map() returned 1, 4"), 0)
      << run_->Describe();
}

// Step 2: the task still running when the scope ends is killed (no "done"
// line) and its result is CancelledError.
TEST_F(WithLessonTest, LeavingTheScopeCancelsRunningWork) {
  EXPECT_EQ(IndexOf(*run_, "(PID)进程正在执行: 3 done"), -1)
      << run_->Describe();
  EXPECT_GE(IndexOf(*run_,
                    "(PID)主进程: step 2: get() threw CancelledError: "
                    "cancelled: terminate() was called before this task "
                    "finished"),
            0)
      << run_->Describe();
}

// Step 3: close() and join() before the end of the scope finish the task.
TEST_F(WithLessonTest, CloseAndJoinInsideTheScopeFinishWork) {
  const int done = IndexOf(*run_, "(PID)进程正在执行: 4 done");
  const int leaving = IndexOf(*run_, "(PID)主进程: step 3: leaving the scope");
  ASSERT_GE(done, 0) << run_->Describe();
  EXPECT_LT(done, leaving) << run_->Describe();
  EXPECT_GT(IndexOf(*run_, "(PID)主进程: step 3: get() = 16"), leaving)
      << run_->Describe();
}

}  // namespace
