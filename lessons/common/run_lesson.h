// lessons/common/run_lesson.h: runs a lesson's real binary from its test.
//
// Each lesson's test lists the lesson binary as a data dependency, runs it
// with RunLesson(), and checks the lines it printed. Pids differ on every
// run, so the helpers below pull them out of lines such as
// "(12345)进程正在执行: 7" and let a test compare the rest.
//
// Testing only: the hang guard kills the whole process group of the lesson
// (its pool's workers included) and reports the run as timed out, so a
// lesson that hangs fails its test instead of blocking until Bazel's
// timeout.

#ifndef LESSONS_COMMON_RUN_LESSON_H_
#define LESSONS_COMMON_RUN_LESSON_H_

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lessons::testing {

struct LessonRun {
  pid_t pid = -1;          // The lesson's main process.
  int exit_code = -1;      // Its exit status, or -1 if it did not exit.
  int term_signal = 0;     // The signal that killed it, or 0.
  bool timed_out = false;  // The hang guard fired.
  std::chrono::duration<double> elapsed{};
  std::string out;                 // Everything written to stdout.
  std::string err;                 // Everything written to stderr.
  std::vector<std::string> lines;  // `out` split at newlines.

  // A one-line summary for failure messages, with stdout and stderr.
  std::string Describe() const;
};

// Runs the lesson binary at `path`, a path relative to the workspace root
// such as "lessons/03_map/03_map" (or an absolute path), with `args`, and waits
// for it to exit. If it runs longer than `hang_guard`, its process group is
// killed.
LessonRun RunLesson(const std::string& path,
                    const std::vector<std::string>& args = {},
                    std::chrono::seconds hang_guard = std::chrono::seconds(60));

// The pid in parentheses at the start of a line: "(123)..." -> 123.
std::optional<pid_t> LeadingPid(std::string_view line);

// The line with its leading "(pid)" replaced by "(PID)".
std::string NormalizePid(std::string_view line);

// The lines that start with `prefix`, after NormalizePid().
std::vector<std::string> LinesStartingWith(const LessonRun& run,
                                           std::string_view prefix);

// The index of the first line equal to `line` (after NormalizePid()), or -1.
int IndexOf(const LessonRun& run, std::string_view line);

// A fixture that runs the lesson at kBinary (with kArg, if not empty) once
// for the whole test suite; every test reads the same run_. Use it as
//   constexpr char kBinary[] = "lessons/03_map/03_map";
//   class MapLessonTest : public LessonTest<kBinary> {};
template <const char* kBinary, const char* kArg = nullptr>
class LessonTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::vector<std::string> args;
    if (kArg != nullptr) args.emplace_back(kArg);
    run_ = new LessonRun(RunLesson(kBinary, args));
  }
  static void TearDownTestSuite() {
    delete run_;
    run_ = nullptr;
  }
  static inline LessonRun* run_ = nullptr;
};

}  // namespace lessons::testing

#endif  // LESSONS_COMMON_RUN_LESSON_H_
