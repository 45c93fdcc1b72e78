// Runs lesson 08 and checks what it prints.

#include <gtest/gtest.h>

#include <string>

#include "lessons/common/run_lesson.h"

namespace {

using lessons::testing::IndexOf;

constexpr char kBinary[] = "lessons/08_close_join/08_close_join";

class CloseJoinLessonTest : public lessons::testing::LessonTest<kBinary> {};

// The lesson exits normally.
TEST_F(CloseJoinLessonTest, ExitsWithZero) {
  EXPECT_EQ(run_->exit_code, 0) << run_->Describe();
}

// join() before close(), and apply_async after close(), are refused with
// CPython's messages.
TEST_F(CloseJoinLessonTest, MisuseIsRefused) {
  EXPECT_GE(IndexOf(*run_,
                    "(PID)主进程: join() before close(): UsageError: Pool is "
                    "still running"),
            0)
      << run_->Describe();
  EXPECT_GE(IndexOf(*run_,
                    "(PID)主进程: apply_async after close(): UsageError: Pool "
                    "not running"),
            0)
      << run_->Describe();
}

// Every one of the six tasks, queued before close(), starts and finishes
// before join() returns; then all six results are ready and no worker is
// left.
TEST_F(CloseJoinLessonTest, QueuedWorkFinishesBeforeJoinReturns) {
  const int joined = IndexOf(
      *run_,
      "(PID)主进程: join() returned, 6 of 6 results ready, 0 workers left");
  ASSERT_GE(joined, 0) << run_->Describe();
  for (int i = 1; i <= 6; ++i) {
    const std::string task = "(PID)进程正在执行: task " + std::to_string(i);
    const int started = IndexOf(*run_, task);
    const int done = IndexOf(*run_, task + " done");
    EXPECT_GE(started, 0) << task << "\n" << run_->Describe();
    EXPECT_LT(started, done) << task;
    EXPECT_LT(done, joined) << task;
  }
  EXPECT_GE(IndexOf(*run_, "(PID)主进程: sum of results: 21"), joined)
      << run_->Describe();
}

}  // namespace
