// Runs lesson 13 under mpirun, 4 ranks, and checks what every rank printed.
//
// mpirun forwards each rank's output through its own pseudo-terminal and
// copies whatever it reads, so in the combined stdout a line from one rank
// can be cut in two by a line from another (the README shows why). The
// launcher is therefore run with `--output-filename DIR`, which makes
// mpirun also write each rank's output, whole and in order, to
// DIR/<job>/rank.<R>/stdout; the tests read those files.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lessons/common/run_lesson.h"

namespace {

namespace fs = std::filesystem;

constexpr char kLauncher[] = "lessons/13_mpi_map/13_mpi_map";
constexpr int kRanks = 4;

// The three kinds of line, parsed with sscanf; each parser accepts the
// whole line or nothing (%n must land on its end).

// "(rank 2@host)进程正在执行: 17" -> {rank, step}
struct Step {
  int rank, i;
};
std::optional<Step> ParseStep(const std::string& line) {
  Step s{};
  int end = -1;
  std::sscanf(line.c_str(), "(rank %d@%*[^)])进程正在执行: %d%n", &s.rank, &s.i,
              &end);
  if (end != static_cast<int>(line.size())) return std::nullopt;
  return s;
}

// "(rank 2@host) done: computed 1 of 3 items" -> {rank, computed, of}
struct Done {
  int rank, computed, of;
};
std::optional<Done> ParseDone(const std::string& line) {
  Done d{};
  int end = -1;
  std::sscanf(line.c_str(), "(rank %d@%*[^)]) done: computed %d of %d items%n",
              &d.rank, &d.computed, &d.of, &end);
  if (end != static_cast<int>(line.size())) return std::nullopt;
  return d;
}

// "(rank 0@host) got 4950 for 100 from rank 2" -> {sum, input, worker}
struct Got {
  long sum;
  int input, worker;
};
std::optional<Got> ParseGot(const std::string& line) {
  Got g{};
  int end = -1;
  std::sscanf(line.c_str(), "(rank 0@%*[^)]) got %ld for %d from rank %d%n",
              &g.sum, &g.input, &g.worker, &end);
  if (end != static_cast<int>(line.size())) return std::nullopt;
  return g;
}

std::vector<std::string> ReadLines(const fs::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// One run of the launcher for one version, and each rank's lines.
struct VersionRun {
  lessons::testing::LessonRun run;
  std::map<int, std::vector<std::string>> rank_lines;  // From rank.R/stdout.

  std::string Describe() const {
    std::string text = run.Describe();
    for (const auto& [rank, lines] : rank_lines) {
      text += "\n--- rank " + std::to_string(rank) + ": " +
              std::to_string(lines.size()) + " lines";
    }
    return text;
  }
};

VersionRun RunVersion(const std::string& mode) {
  const char* tmp = std::getenv("TEST_TMPDIR");  // Set by bazel test.
  const fs::path dir =
      fs::path(tmp != nullptr ? tmp : "/tmp") / ("out_" + mode);
  std::error_code ec;
  fs::remove_all(dir, ec);  // Only this run's files count.
  VersionRun v;
  // Generous: 4 ranks on 2 busy cores start in about a second.
  v.run = lessons::testing::RunLesson(
      kLauncher, {mode, "--", "--output-filename", dir.string()},
      std::chrono::seconds(120));
  for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
    const std::string parent = entry.path().parent_path().filename();
    if (entry.path().filename() != "stdout" || !parent.starts_with("rank.")) {
      continue;
    }
    v.rank_lines[std::stoi(parent.substr(5))] = ReadLines(entry.path());
  }
  return v;
}

// Both versions run once for the whole suite.
class MpiMapLessonTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    static_ = new VersionRun(RunVersion("static"));
    dynamic_ = new VersionRun(RunVersion("dynamic"));
  }
  static void TearDownTestSuite() {
    delete static_;
    delete dynamic_;
  }
  static std::vector<const VersionRun*> Both() { return {static_, dynamic_}; }
  static inline VersionRun* static_ = nullptr;
  static inline VersionRun* dynamic_ = nullptr;
};

// The launcher prints the mpirun command it runs, and mpirun and every rank
// exit normally.
TEST_F(MpiMapLessonTest, LauncherRunsMpirunWithFourRanks) {
  for (const VersionRun* v : Both()) {
    EXPECT_EQ(v->run.exit_code, 0) << v->Describe();
    ASSERT_FALSE(v->run.lines.empty()) << v->Describe();
    EXPECT_TRUE(v->run.lines[0].starts_with("$ ")) << v->run.lines[0];
    EXPECT_NE(v->run.lines[0].find(" -np 4 "), std::string::npos)
        << v->run.lines[0];
  }
}

// Rank 0 ends with the separator and the article's three sums, in input
// order.
TEST_F(MpiMapLessonTest, RankZeroPrintsTheThreeSums) {
  for (const VersionRun* v : Both()) {
    ASSERT_TRUE(v->rank_lines.contains(0)) << v->Describe();
    const std::vector<std::string>& lines = v->rank_lines.at(0);
    ASSERT_GE(lines.size(), 4u) << v->Describe();
    const std::vector<std::string> tail(lines.end() - 4, lines.end());
    EXPECT_EQ(tail, (std::vector<std::string>{"--------------", "1225", "4950",
                                              "11175"}))
        << v->Describe();
  }
}

// 50 + 100 + 150 = 300 step lines in all: step i three times for i < 50,
// twice for i < 100, once for i < 150. Each rank's lines carry its own rank,
// and within a rank every item's steps run 0, 1, 2, ... in order.
TEST_F(MpiMapLessonTest, ThreeHundredStepLines) {
  for (const VersionRun* v : Both()) {
    std::map<int, int> count;
    int total = 0;
    for (const auto& [rank, lines] : v->rank_lines) {
      int expected = 0;
      for (const std::string& line : lines) {
        const std::optional<Step> step = ParseStep(line);
        if (!step) continue;
        ++total;
        EXPECT_EQ(step->rank, rank) << line;
        const int i = step->i;
        if (i == 0) expected = 0;
        EXPECT_EQ(i, expected) << "rank " << rank << ": " << line;
        expected = i + 1;
        ++count[i];
      }
    }
    EXPECT_EQ(total, 300) << v->Describe();
    for (int i = 0; i < 150; ++i) {
      EXPECT_EQ(count[i], i < 50 ? 3 : i < 100 ? 2 : 1) << "step " << i;
    }
  }
}

// All four ranks took part: each printed its "done" line, saying how many
// items it computed, and that count matches the step-0 lines it printed.
// Together they computed the 3 items, once each.
TEST_F(MpiMapLessonTest, AllFourRanksTookPart) {
  for (const VersionRun* v : Both()) {
    int computed_total = 0;
    for (int rank = 0; rank < kRanks; ++rank) {
      ASSERT_TRUE(v->rank_lines.contains(rank))
          << "no output from rank " << rank << "\n"
          << v->Describe();
      int done_lines = 0, computed = -1, starts = 0;
      for (const std::string& line : v->rank_lines.at(rank)) {
        const std::optional<Step> step = ParseStep(line);
        if (step && step->i == 0) ++starts;
        const std::optional<Done> done = ParseDone(line);
        if (!done) continue;
        ++done_lines;
        EXPECT_EQ(done->rank, rank) << line;
        EXPECT_EQ(done->of, 3) << line;
        computed = done->computed;
      }
      EXPECT_EQ(done_lines, 1) << "rank " << rank << "\n" << v->Describe();
      EXPECT_EQ(computed, starts) << "rank " << rank;
      computed_total += computed;
    }
    EXPECT_EQ(computed_total, 3) << v->Describe();
    EXPECT_EQ(v->rank_lines.size(), static_cast<std::size_t>(kRanks));
  }
}

// Static: the split is fixed before anything runs. Ranks 0, 1 and 2 get one
// item each, in input order; rank 3 gets none.
TEST_F(MpiMapLessonTest, StaticSplitsOneItemPerRank) {
  const std::map<int, int> expected_steps = {{0, 50}, {1, 100}, {2, 150}};
  for (int rank = 0; rank < kRanks; ++rank) {
    int steps = 0;
    for (const std::string& line : static_->rank_lines[rank]) {
      if (ParseStep(line)) ++steps;
    }
    EXPECT_EQ(steps,
              expected_steps.contains(rank) ? expected_steps.at(rank) : 0)
        << "rank " << rank;
  }
}

// Dynamic: rank 0 only hands out and collects. It reports each sum as it
// arrives, from the worker whose own output shows it computed that item;
// together the three reports cover the three items.
TEST_F(MpiMapLessonTest, DynamicMasterCollectsFromTheWorkers) {
  const std::map<int, long> sum_of = {{50, 1225}, {100, 4950}, {150, 11175}};
  std::map<int, int> inputs_seen;
  for (const std::string& line : dynamic_->rank_lines[0]) {
    EXPECT_FALSE(ParseStep(line)) << "the master computed: " << line;
    const std::optional<Got> got = ParseGot(line);
    if (!got) continue;
    const int input = got->input;
    const int worker = got->worker;
    ASSERT_TRUE(sum_of.contains(input)) << line;
    EXPECT_EQ(got->sum, sum_of.at(input)) << line;
    ++inputs_seen[input];
    ASSERT_GE(worker, 1) << line;
    ASSERT_LT(worker, kRanks) << line;
    // The worker printed a run of exactly `input` steps: 0 .. input-1.
    const std::string last_step = ")进程正在执行: " + std::to_string(input - 1);
    const std::vector<std::string>& lines = dynamic_->rank_lines[worker];
    EXPECT_TRUE(std::any_of(
        lines.begin(), lines.end(),
        [&](const std::string& l) { return l.ends_with(last_step); }))
        << "rank " << worker << " did not compute " << input;
  }
  EXPECT_EQ(inputs_seen, (std::map<int, int>{{50, 1}, {100, 1}, {150, 1}}))
      << dynamic_->Describe();
}

// mpirun's own stdout carries every line the ranks wrote (lines may be cut
// and interleaved there, but none is lost): the same number of newlines as
// the per-rank files, plus the launcher's command line.
TEST_F(MpiMapLessonTest, MpirunForwardsEveryLine) {
  for (const VersionRun* v : Both()) {
    std::size_t rank_total = 0;
    for (const auto& [rank, lines] : v->rank_lines) rank_total += lines.size();
    EXPECT_EQ(std::count(v->run.out.begin(), v->run.out.end(), '\n'),
              static_cast<long>(rank_total) + 1)
        << v->Describe();
  }
}

}  // namespace
