// Runs lesson 03 and checks what it prints.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "lessons/common/run_lesson.h"
#include "pool/trace_reader.h"

namespace {

using lessons::testing::LeadingPid;

constexpr char kBinary[] = "lessons/03_map/03_map";
constexpr char kStep[] = "(PID)进程正在执行: ";

class MapLessonTest : public lessons::testing::LessonTest<kBinary> {};

// The lesson exits normally.
TEST_F(MapLessonTest, ExitsWithZero) {
  EXPECT_EQ(run_->exit_code, 0) << run_->Describe();
}

// 50 + 100 + 150 = 300 step lines, then the separator, then the three sums
// in input order, and nothing else.
TEST_F(MapLessonTest, PrintsStepsThenSeparatorThenSums) {
  const std::vector<std::string>& lines = run_->lines;
  ASSERT_EQ(lines.size(), 304u) << run_->Describe();
  for (std::size_t i = 0; i < 300; ++i) {
    EXPECT_TRUE(lessons::testing::NormalizePid(lines[i]).starts_with(kStep))
        << "line " << i << ": " << lines[i];
  }
  EXPECT_EQ(lines[300], "--------------");
  EXPECT_EQ(lines[301], "1225");
  EXPECT_EQ(lines[302], "4950");
  EXPECT_EQ(lines[303], "11175");
}

// Every step of every task is printed once, whole, by a worker: step i
// appears three times for i < 50, twice for i < 100, once for i < 150. Torn
// or lost lines would break the count.
TEST_F(MapLessonTest, EveryStepPrintedByAWorker) {
  std::map<int, int> count;
  for (const std::string& line : run_->lines) {
    std::string normal = lessons::testing::NormalizePid(line);
    if (!normal.starts_with(kStep)) continue;
    auto pid = LeadingPid(line);
    ASSERT_TRUE(pid.has_value()) << line;
    EXPECT_NE(*pid, run_->pid) << "a step ran in the parent: " << line;
    ++count[std::stoi(normal.substr(std::string(kStep).size()))];
  }
  for (int i = 0; i < 150; ++i) {
    EXPECT_EQ(count[i], i < 50 ? 3 : i < 100 ? 2 : 1) << "step " << i;
  }
  EXPECT_EQ(count.size(), 150u);
}

// Within one worker the steps of a task come out in order 0, 1, 2, ...
// (a worker may run more than one task; each starts again at 0).
TEST_F(MapLessonTest, StepsOfEachWorkerAreInOrder) {
  std::map<pid_t, int> next;
  for (const std::string& line : run_->lines) {
    std::string normal = lessons::testing::NormalizePid(line);
    if (!normal.starts_with(kStep)) continue;
    const int i = std::stoi(normal.substr(std::string(kStep).size()));
    int& expected = next[*LeadingPid(line)];
    if (i == 0) expected = 0;
    EXPECT_EQ(i, expected) << line;
    expected = i + 1;
  }
}

// POOL_TRACE=FILE, with no change to the program, records the lesson's run:
// valid JSON with exactly the three tasks, map [0] to map [2] with inputs
// 50, 100 and 150, each on the lane of a worker that printed its steps.
TEST(MapLessonTraceTest, PoolTraceRecordsTheThreeTasks) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(dir ? dir : "/tmp") + "/03_map.json";
  ::setenv("POOL_TRACE", path.c_str(), 1);
  const lessons::testing::LessonRun run = lessons::testing::RunLesson(kBinary);
  ::unsetenv("POOL_TRACE");
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  std::set<pid_t> printers;
  for (const std::string& line : run.lines) {
    if (auto pid = LeadingPid(line)) printers.insert(*pid);
  }
  const pool::testing::TraceFile trace = pool::testing::ReadTrace(path);
  EXPECT_EQ(pool::testing::OverlapOnATrack(trace), "");
  std::vector<pool::testing::TraceEvent> tasks = trace.TaskSlices();
  ASSERT_EQ(tasks.size(), 3u);
  std::sort(tasks.begin(), tasks.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  const double inputs[] = {50, 100, 150};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(tasks[i].name, "map [" + std::to_string(i) + "]");
    EXPECT_EQ(tasks[i].args["input"].number, inputs[i]);
    EXPECT_TRUE(printers.count(tasks[i].pid))
        << tasks[i].name << " is on pid " << tasks[i].pid
        << ", which printed no step";
    EXPECT_GE(tasks[i].dur, 0);
  }
}

}  // namespace
