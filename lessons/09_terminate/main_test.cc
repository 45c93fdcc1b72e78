// Runs lesson 09 and checks what it prints.

#include <gtest/gtest.h>

#include <string>

#include "lessons/common/run_lesson.h"

namespace {

using lessons::testing::IndexOf;
using lessons::testing::LinesStartingWith;

constexpr char kBinary[] = "lessons/09_terminate/09_terminate";

class TerminateLessonTest : public lessons::testing::LessonTest<kBinary> {};

// The lesson exits normally.
TEST_F(TerminateLessonTest, ExitsWithZero) {
  EXPECT_EQ(run_->exit_code, 0) << run_->Describe();
}

// No task runs to the end: the running ones are killed, the queued ones
// never start (at most the two workers' first tasks start).
TEST_F(TerminateLessonTest, NoTaskFinishes) {
  int started = 0;
  for (const std::string& line :
       LinesStartingWith(*run_, "(PID)进程正在执行")) {
    EXPECT_FALSE(line.ends_with(" done")) << line;
    ++started;
  }
  EXPECT_LE(started, 2) << run_->Describe();
  EXPECT_GE(IndexOf(*run_, "(PID)主进程: terminate() returned, 0 workers left"),
            0)
      << run_->Describe();
}

// Every one of the six results is ready and fails with CancelledError; the
// result finished before terminate() keeps its value.
TEST_F(TerminateLessonTest, PendingResultsResolveWithCancelledError) {
  for (int i = 1; i <= 6; ++i) {
    EXPECT_GE(IndexOf(*run_, "(PID)主进程: task " + std::to_string(i) +
                                 ": ready() = true, get() threw "
                                 "CancelledError: cancelled: terminate() was "
                                 "called before this task finished"),
              0)
        << "task " << i << "\n"
        << run_->Describe();
  }
  EXPECT_GE(IndexOf(*run_, "(PID)主进程: quick result is still: 49"), 0)
      << run_->Describe();
}

// A terminated pool refuses work, and join() returns.
TEST_F(TerminateLessonTest, TerminatedPoolRefusesWorkAndJoins) {
  const int refused = IndexOf(*run_,
                              "(PID)主进程: apply_async after terminate(): "
                              "UsageError: Pool not running");
  EXPECT_GE(refused, 0) << run_->Describe();
  EXPECT_GT(IndexOf(*run_, "(PID)主进程: join() returned"), refused)
      << run_->Describe();
}

}  // namespace
