// Runs lesson 11 with small sizes. Checks that every workload ran on both
// pools and gave the same results; never the timings, which depend on the
// machine and its load.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lessons/common/run_lesson.h"

namespace {

using lessons::testing::LessonRun;
using lessons::testing::LinesStartingWith;
using lessons::testing::RunLesson;

constexpr char kBinary[] =
    "lessons/11_threads_vs_processes/11_threads_vs_processes";

// Five workloads, each followed by "results equal: yes".
TEST(ThreadsVsProcessesLessonTest, BothPoolsGiveEqualResults) {
  LessonRun run = RunLesson(kBinary, {"--quick=1"});
  EXPECT_EQ(run.exit_code, 0) << run.Describe();
  ASSERT_EQ(run.lines.size(), 12u) << run.Describe();
  EXPECT_TRUE(run.lines[0].starts_with("machine: ")) << run.Describe();
  EXPECT_TRUE(run.lines[1].starts_with("workload ")) << run.Describe();
  const std::vector<std::string> workloads = {
      "map square, 2000 items",
      "map square, 400 items, chunksize=1",
      "200 x apply(square)",
      "map count_primes, 4 items",
      "  same, under a global lock (GIL)",
  };
  for (std::size_t i = 0; i < workloads.size(); ++i) {
    EXPECT_TRUE(run.lines[2 + 2 * i].starts_with(workloads[i]))
        << run.lines[2 + 2 * i];
    EXPECT_TRUE(run.lines[2 + 2 * i].ends_with("x")) << run.lines[2 + 2 * i];
    EXPECT_EQ(run.lines[3 + 2 * i], "    results equal: yes")
        << workloads[i] << "\n"
        << run.Describe();
  }
}

}  // namespace
