// Runs lesson 12 and checks what it prints.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lessons/common/run_lesson.h"

namespace {

using lessons::testing::IndexOf;
using lessons::testing::LeadingPid;

constexpr char kBinary[] = "lessons/12_when_things_fail/12_when_things_fail";

class FailureLessonTest : public lessons::testing::LessonTest<kBinary> {
 protected:
  // The numbers of the first line that matches `pattern`, in which each
  // '#' stands for a run of digits; nullopt if no line matches.
  static std::optional<std::vector<long>> Find(std::string_view pattern) {
    for (const std::string& line : run_->lines) {
      if (auto numbers = Match(line, pattern)) return numbers;
    }
    return std::nullopt;
  }
  static std::optional<std::vector<long>> Match(std::string_view line,
                                                std::string_view pattern) {
    std::vector<long> numbers;
    std::size_t i = 0;
    for (char p : pattern) {
      if (p != '#') {
        if (i >= line.size() || line[i] != p) return std::nullopt;
        ++i;
        continue;
      }
      const std::size_t start = i;
      while (i < line.size() && line[i] >= '0' && line[i] <= '9') ++i;
      if (i == start) return std::nullopt;
      numbers.push_back(std::stol(std::string(line.substr(start, i - start))));
    }
    if (i != line.size()) return std::nullopt;
    return numbers;
  }
};

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
  const auto died = Find(
      "step 2: WorkerDiedError: worker # was killed by signal # (SIGKILL) "
      "while running task #");
  ASSERT_TRUE(died.has_value()) << run_->Describe();
  const pid_t dead = static_cast<pid_t>((*died)[0]);
  EXPECT_EQ((*died)[1], 9);
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
  EXPECT_TRUE(Find("step 2: WorkerDiedError: worker # exited with status 3 "
                   "while running task #")
                  .has_value())
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
