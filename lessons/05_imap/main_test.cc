// Runs lesson 05 and checks what it prints.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lessons/common/run_lesson.h"

namespace {

using lessons::testing::IndexOf;
using lessons::testing::LessonRun;
using lessons::testing::LinesStartingWith;

constexpr char kBinary[] = "lessons/05_imap/05_imap";
const std::string kGot = "(PID)主进程: got ";

class IMapLessonTest : public lessons::testing::LessonTest<kBinary> {};

// The "got" lines printed between two headers.
std::vector<std::string> GotBetween(const LessonRun& run,
                                    const std::string& from,
                                    const std::string& to) {
  std::vector<std::string> got;
  const int begin = IndexOf(run, from);
  const int end = IndexOf(run, to);
  if (begin < 0 || end < begin) return got;
  for (int i = begin + 1; i < end; ++i) {
    std::string line = lessons::testing::NormalizePid(run.lines[i]);
    if (line.starts_with(kGot)) got.push_back(line.substr(kGot.size()));
  }
  return got;
}

// The lesson exits normally.
TEST_F(IMapLessonTest, ExitsWithZero) {
  EXPECT_EQ(run_->exit_code, 0) << run_->Describe();
}

// Results come out in input order, whatever order the tasks finished in.
TEST_F(IMapLessonTest, ResultsInInputOrder) {
  const std::string step1 = "(PID)主进程: imap(slow_square, [1, 2, 3, 4])";
  const std::string step2 = "(PID)主进程: imap(slow_square, [4, 1, 3, 2])";
  const std::string step3 = "(PID)主进程: imap(square, itertools.count(1))";
  EXPECT_EQ(GotBetween(*run_, step1, step2),
            (std::vector<std::string>{"1", "4", "9", "16"}))
      << run_->Describe();
  EXPECT_EQ(GotBetween(*run_, step2, step3),
            (std::vector<std::string>{"16", "1", "9", "4"}))
      << run_->Describe();
  // Every item ran once in a worker.
  EXPECT_EQ(LinesStartingWith(*run_, "(PID)进程正在执行: ").size(), 8u)
      << run_->Describe();
}

// The first five results of an endless input, and the input read only a
// bounded distance ahead (buffersize=8 items, plus the five consumed).
TEST_F(IMapLessonTest, EndlessInputIsReadLazily) {
  std::vector<std::string> got;
  for (const std::string& line : LinesStartingWith(*run_, kGot)) {
    got.push_back(line.substr(kGot.size()));
  }
  ASSERT_EQ(got.size(), 13u) << run_->Describe();
  EXPECT_EQ(std::vector<std::string>(got.begin() + 8, got.end()),
            (std::vector<std::string>{"1", "4", "9", "16", "25"}));
  // The lesson passes buffersize=8: at most 8 items ahead of the consumer.
  // Nothing more is read once the consumer stops.
  const std::string kRead = "(PID)主进程: input items read: ";
  const std::string kLater = "(PID)主进程: input items read a second later: ";
  std::vector<std::string> read = LinesStartingWith(*run_, kRead);
  std::vector<std::string> later = LinesStartingWith(*run_, kLater);
  ASSERT_EQ(read.size(), 1u) << run_->Describe();
  ASSERT_EQ(later.size(), 1u) << run_->Describe();
  const int n = std::stoi(read[0].substr(kRead.size()));
  EXPECT_GE(n, 5);
  EXPECT_LE(n, 5 + 8);
  EXPECT_EQ(std::stoi(later[0].substr(kLater.size())), n);
}

}  // namespace
