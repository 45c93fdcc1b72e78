// Runs lesson 07 and checks what it prints.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "lessons/common/run_lesson.h"

namespace {

using lessons::testing::LessonRun;
using lessons::testing::LinesStartingWith;
using lessons::testing::RunLesson;

constexpr char kBinary[] = "lessons/07_starmap/07_starmap";

// The lesson exits normally, and its results are the unpacked calls, in
// input order.
TEST(StarmapLessonTest, ResultsOfUnpackedCallsInOrder) {
  LessonRun run = RunLesson(kBinary);
  EXPECT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(LinesStartingWith(run, "(PID)主进程: "),
            (std::vector<std::string>{
                "(PID)主进程: 32",
                "(PID)主进程: 9",
                "(PID)主进程: 1000",
                "(PID)主进程: ababab",
                "(PID)主进程: 进程进程",
                "(PID)主进程: map(first_of): 2",
                "(PID)主进程: map(first_of): 3",
                "(PID)主进程: map(first_of): 10",
            }))
      << run.Describe();
  std::vector<std::string> calls = LinesStartingWith(run, "(PID)进程正在执行");
  EXPECT_EQ(std::multiset<std::string>(calls.begin(), calls.end()),
            (std::multiset<std::string>{
                "(PID)进程正在执行: power(2, 5)",
                "(PID)进程正在执行: power(3, 2)",
                "(PID)进程正在执行: power(10, 3)",
            }))
      << run.Describe();
}

}  // namespace
