// Runs lesson 06 and checks what it prints.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "lessons/common/run_lesson.h"

namespace {

using lessons::testing::IndexOf;
using lessons::testing::NormalizePid;

constexpr char kBinary[] = "lessons/06_imap_unordered/06_imap_unordered";
const std::string kStep1 =
    "(PID)主进程: imap_unordered(slow_square, [4, 1, 3, 2])";
const std::string kStep2 =
    "(PID)主进程: imap_unordered(tagged_square, [4, 1, 3, 2])";
const std::string kGot = "(PID)主进程: got ";

class IMapUnorderedLessonTest : public lessons::testing::LessonTest<kBinary> {
 protected:
  // The text after "got " of the lines in [first, last), and where each is.
  static std::vector<std::pair<std::string, int>> Got(int first, int last) {
    std::vector<std::pair<std::string, int>> got;
    for (int i = first; i < last; ++i) {
      std::string line = NormalizePid(run_->lines[i]);
      if (line.starts_with(kGot)) got.emplace_back(line.substr(kGot.size()), i);
    }
    return got;
  }
  // Where "进程正在执行: x done" is printed in [first, last), or -1.
  static int DoneLine(int x, int first, int last) {
    const std::string done =
        "(PID)进程正在执行: " + std::to_string(x) + " done";
    for (int i = first; i < last; ++i) {
      if (NormalizePid(run_->lines[i]) == done) return i;
    }
    return -1;
  }
};

// The lesson exits normally.
TEST_F(IMapUnorderedLessonTest, ExitsWithZero) {
  EXPECT_EQ(run_->exit_code, 0) << run_->Describe();
}

// Step 1: the set of results is the four squares, and each result is handed
// out only after its task printed "done": completion order, in whatever
// order that was.
TEST_F(IMapUnorderedLessonTest, EveryResultOnceAfterItsTaskFinished) {
  const int step1 = IndexOf(*run_, kStep1);
  const int step2 = IndexOf(*run_, kStep2);
  ASSERT_GE(step1, 0) << run_->Describe();
  ASSERT_GT(step2, step1) << run_->Describe();
  std::multiset<std::string> values;
  for (const auto& [value, at] : Got(step1, step2)) {
    values.insert(value);
    const int x = value == "16" ? 4 : value == "9" ? 3 : value == "4" ? 2 : 1;
    const int done = DoneLine(x, step1, step2);
    EXPECT_GE(done, 0) << "no done line for " << x << "\n" << run_->Describe();
    EXPECT_LT(done, at) << run_->Describe();
  }
  EXPECT_EQ(values, (std::multiset<std::string>{"1", "4", "9", "16"}))
      << run_->Describe();
}

// Step 2: tagged results pair each input with its square.
TEST_F(IMapUnorderedLessonTest, TaggedResultsPairInputWithSquare) {
  const int step2 = IndexOf(*run_, kStep2);
  ASSERT_GE(step2, 0) << run_->Describe();
  std::multiset<std::string> values;
  const int step3 = IndexOf(*run_,
                            "(PID)主进程: imap: next(1 s) threw "
                            "TimeoutError: imap: no result within the "
                            "timeout");
  ASSERT_GT(step3, step2) << run_->Describe();
  for (const auto& [value, at] : Got(step2, step3)) {
    values.insert(value);
  }
  EXPECT_EQ(values, (std::multiset<std::string>{"1 -> 1", "2 -> 4", "3 -> 9",
                                                "4 -> 16"}))
      << run_->Describe();
}

// Step 3: with a 20 s item first, imap's next(1 s) times out, while
// imap_unordered's next hands out the 10 ms item (a 10 s hang guard).
TEST_F(IMapUnorderedLessonTest, UnorderedDoesNotWaitForTheSlowItem) {
  EXPECT_GE(IndexOf(*run_,
                    "(PID)主进程: imap: next(1 s) threw TimeoutError: imap: "
                    "no result within the timeout"),
            0)
      << run_->Describe();
  EXPECT_GE(IndexOf(*run_, "(PID)主进程: imap_unordered: next(10 s) = 10"), 0)
      << run_->Describe();
}

}  // namespace
