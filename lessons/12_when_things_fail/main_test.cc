// Runs lesson 12 and checks what it prints.

#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "lessons/common/run_lesson.h"

namespace {

using lessons::testing::IndexOf;
using lessons::testing::LeadingPid;
using lessons::testing::LessonRun;
using lessons::testing::RunLesson;

constexpr char kBinary[] = "lessons/12_when_things_fail/12_when_things_fail";

class FailureLessonTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { run_ = new LessonRun(RunLesson(kBinary)); }
  static void TearDownTestSuite() {
    delete run_;
    run_ = nullptr;
  }
  // The first line that matches `pattern` entirely, or "".
  static std::string Find(const std::string& pattern,
                          std::smatch* m = nullptr) {
    const std::regex re(pattern);
    for (const std::string& line : run_->lines) {
      std::smatch match;
      if (std::regex_match(line, match, re)) {
        if (m != nullptr) *m = match;
        return line;
      }
    }
    return "";
  }
  static LessonRun* run_;
};
LessonRun* FailureLessonTest::run_ = nullptr;

// The lesson exits normally: every failure was caught.
TEST_F(FailureLessonTest, ExitsWithZero) {
  EXPECT_EQ(run_->exit_code, 0) << run_->Describe();
}

// A task that throws: TaskError names the exception's type and what().
TEST_F(FailureLessonTest, ThrowingTaskGivesTaskError) {
  EXPECT_GE(IndexOf(*run_,
                    "step 1: TaskError: task threw std::out_of_range: list "
                    "index out of range"),
            0)
      << run_->Describe();
  EXPECT_GE(IndexOf(*run_,
                    "step 1: type_name() = std::out_of_range, message() = "
                    "list index out of range"),
            0)
      << run_->Describe();
  EXPECT_GE(IndexOf(*run_, "step 1: TaskError: task threw int: 42"), 0)
      << run_->Describe();
}

// A worker killed by SIGKILL mid-task: that task fails with WorkerDiedError
// naming the worker's pid and the signal, and the worker is replaced.
TEST_F(FailureLessonTest, KilledWorkerFailsItsTaskAndIsReplaced) {
  std::smatch m;
  const std::string died =
      Find(R"(step 2: WorkerDiedError: worker (\d+) was killed by signal 9 )"
           R"(\(SIGKILL\) while running task \d+)",
           &m);
  ASSERT_FALSE(died.empty()) << run_->Describe();
  const pid_t dead = std::stoi(m[1].str());
  // The worker that printed "killing myself" is the one reported dead.
  const int killing = IndexOf(*run_, "(PID)进程正在执行: killing myself");
  ASSERT_GE(killing, 0) << run_->Describe();
  EXPECT_EQ(LeadingPid(run_->lines[killing]), dead);
  EXPECT_GE(IndexOf(*run_, "step 2: the signal: SIGKILL"), 0)
      << run_->Describe();
  EXPECT_GE(IndexOf(*run_, "step 2: dead worker replaced: yes"), 0)
      << run_->Describe();
  EXPECT_GE(
      IndexOf(*run_, "step 2: the pool still works: apply(square, 6) = 36"), 0)
      << run_->Describe();
}

// A task that calls _exit(3): WorkerDiedError with the exit status.
TEST_F(FailureLessonTest, ExitingWorkerReportsItsStatus) {
  EXPECT_FALSE(Find(R"(step 2: WorkerDiedError: worker \d+ exited with )"
                    R"(status 3 while running task \d+)")
                   .empty())
      << run_->Describe();
}

// get(timeout) gives up waiting with TimeoutError; the task goes on and a
// later get() returns its value.
TEST_F(FailureLessonTest, GetWithTimeout) {
  const int timeout = IndexOf(*run_,
                              "step 3: TimeoutError: AsyncResult.get(): result "
                              "not ready within the timeout; ready() = false");
  ASSERT_GE(timeout, 0) << run_->Describe();
  EXPECT_GT(IndexOf(*run_, "step 3: get() = 2000"), timeout)
      << run_->Describe();
}

}  // namespace
