// Runs lesson 04 and checks what it prints.

#include <gtest/gtest.h>

#include <string>

#include "lessons/common/run_lesson.h"

namespace {

using lessons::testing::IndexOf;
using lessons::testing::LeadingPid;

constexpr char kBinary[] = "lessons/04_map_async/04_map_async";
constexpr char kSquares[] = "[0, 1, 4, 9, 16, 25, 36, 49]";

class MapAsyncLessonTest : public lessons::testing::LessonTest<kBinary> {};

// The lesson exits normally.
TEST_F(MapAsyncLessonTest, ExitsWithZero) {
  EXPECT_EQ(run_->exit_code, 0) << run_->Describe();
}

// The callback gets the whole list, runs in the main process, and runs
// before get() returns.
TEST_F(MapAsyncLessonTest, CallbackRunsInParentBeforeGetReturns) {
  const int callback = IndexOf(*run_, std::string("(PID)callback: ") +
                                          kSquares + "  [in the main process]");
  const int get =
      IndexOf(*run_, std::string("(PID)主进程: get() = ") + kSquares);
  ASSERT_GE(callback, 0) << run_->Describe();
  ASSERT_GE(get, 0) << run_->Describe();
  EXPECT_LT(callback, get) << run_->Describe();
  EXPECT_EQ(LeadingPid(run_->lines[callback]), run_->pid);
}

// The failing map reports item 3's exception, with its C++ type, to the
// error_callback and from get().
TEST_F(MapAsyncLessonTest, ErrorCallbackGetsTheTaskError) {
  EXPECT_GE(IndexOf(*run_,
                    "(PID)error_callback: task threw std::invalid_argument: "
                    "3 is unlucky"),
            0)
      << run_->Describe();
  EXPECT_GE(IndexOf(*run_, "(PID)主进程: successful() = false"), 0)
      << run_->Describe();
  EXPECT_GE(
      IndexOf(*run_,
              "(PID)主进程: get() threw std::invalid_argument: 3 is unlucky"),
      0)
      << run_->Describe();
}

}  // namespace
