// Runs lesson 14 and checks what it prints.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lessons/common/run_lesson.h"

namespace {

using lessons::testing::IndexOf;
using lessons::testing::LeadingPid;
using lessons::testing::LinesStartingWith;

constexpr char kBinary[] = "lessons/14_timeouts/14_timeouts";

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

class TimeoutLessonTest : public lessons::testing::LessonTest<kBinary> {
 protected:
  // The index of the first line that matches `pattern`, in which each '#'
  // stands for a run of digits, and those numbers; -1 if none matches.
  static int Find(std::string_view pattern, std::vector<long>* numbers) {
    for (std::size_t i = 0; i < run_->lines.size(); ++i) {
      if (Match(run_->lines[i], pattern, numbers)) return static_cast<int>(i);
    }
    return -1;
  }
  static bool Match(std::string_view line, std::string_view pattern,
                    std::vector<long>* numbers) {
    numbers->clear();
    std::size_t i = 0;
    for (char p : pattern) {
      if (p != '#') {
        if (i >= line.size() || line[i] != p) return false;
        ++i;
        continue;
      }
      const std::size_t start = i;
      while (i < line.size() && line[i] >= '0' && line[i] <= '9') ++i;
      if (i == start) return false;
      numbers->push_back(std::stol(std::string(line.substr(start, i - start))));
    }
    return i == line.size();
  }
  // Whether `lines` all appear, in this order.
  static bool InOrder(const std::vector<std::string>& lines) {
    int last = -1;
    for (const std::string& line : lines) {
      const int at = IndexOf(*run_, line);
      if (at <= last) return false;
      last = at;
    }
    return true;
  }
};

// The lesson exits normally: every failure was caught.
TEST_F(TimeoutLessonTest, ExitsWithZero) {
  EXPECT_EQ(run_->exit_code, 0) << run_->Describe();
}

// get(timeout) only stops waiting: the task is not ready, the next task
// waits behind it, and only terminate() ends it.
TEST_F(TimeoutLessonTest, GetWithTimeoutLeavesTheWorkerBusy) {
  EXPECT_TRUE(InOrder({
      "step 1: get(100ms): TimeoutError; ready() = false",
      "step 1: apply_async(square, 6).get(500ms): TimeoutError: it is queued "
      "behind the stuck task",
      "step 1: after terminate(): CancelledError",
  })) << run_->Describe();
}

// .timeout kills the stuck worker: TaskTimeoutError names the limit and
// the worker (the one the stuck task ran in), and a new worker serves on.
TEST_F(TimeoutLessonTest, TimeoutKillsAndReplacesTheWorker) {
  std::vector<long> numbers;
  const int at = Find(
      "step 2: TaskTimeoutError: task # ran past its timeout of 200ms; "
      "worker # was killed and replaced",
      &numbers);
  ASSERT_GE(at, 0) << run_->Describe();
  const std::vector<std::string> hangs =
      LinesStartingWith(*run_, "(PID)进程正在执行: hang");
  ASSERT_EQ(hangs.size(), 2u) << run_->Describe();
  // The second "hang" line is step 2's: its pid is the worker killed.
  int second = -1;
  for (std::size_t i = 0, seen = 0; i < run_->lines.size(); ++i) {
    if (run_->lines[i].find(")进程正在执行: hang") != std::string::npos &&
        ++seen == 2) {
      second = static_cast<int>(i);
    }
  }
  ASSERT_GE(second, 0);
  EXPECT_EQ(LeadingPid(run_->lines[second]), numbers[1]) << run_->Describe();
  EXPECT_TRUE(InOrder({
      "step 2: the killed worker was the pool's: yes",
      "step 2: a new worker took its place: yes",
      "step 2: apply(square, 6) = 36",
  })) << run_->Describe();
}

// In imap only the chunk past its deadline fails, at its position.
TEST_F(TimeoutLessonTest, ImapFailsOnlyTheItemPastItsDeadline) {
  EXPECT_TRUE(InOrder({
      "step 2: imap(nap) item 0 = 10",
      "step 2: imap(nap) item 1: TaskTimeoutError after 1 s",
      "step 2: imap(nap) item 2 = 20",
  })) << run_->Describe();
}

// cancel(): true for the queued task (whose get() throws CancelledError),
// false for the running one (which finishes).
TEST_F(TimeoutLessonTest, CancelStopsOnlyWhatHasNotStarted) {
  EXPECT_TRUE(InOrder({
      "step 3: cancel() on the queued task: true",
      "step 3: its get(): CancelledError",
      "step 3: cancel() on the running task: false",
      "step 3: its get() = 300",
  })) << run_->Describe();
}

// Under a memory limit a large allocation is the task's std::bad_alloc and
// the worker stays; past the CPU time limit the kernel kills the worker.
TEST_F(TimeoutLessonTest, ResourceLimitsFailOnlyTheTask) {
  if (kSanitized) {
    EXPECT_GE(IndexOf(*run_, "step 4: memory_limit: not run under a sanitizer"),
              0)
        << run_->Describe();
  } else {
    EXPECT_TRUE(InOrder({
        "step 4: apply(eat, 1024 MiB): TaskError: task threw std::bad_alloc: "
        "std::bad_alloc",
        "step 4: apply(eat, 16 MiB) = 16; same worker: yes",
    })) << run_->Describe();
  }
  std::vector<long> numbers;
  const int spin = Find(
      "step 4: apply(spin): WorkerDiedError: worker # was killed by signal # "
      "(SIGXCPU: CPU time limit exceeded) while running task #",
      &numbers);
  ASSERT_GE(spin, 0) << run_->Describe();
  EXPECT_GT(IndexOf(*run_, "step 4: apply(square, 6) = 36"), spin)
      << run_->Describe();
}

}  // namespace
