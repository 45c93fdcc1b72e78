// What a task prints: a worker flushes the standard streams after every
// task, so what a task wrote to stdout (printf or std::cout) has reached its
// destination by the time its result comes back, even when stdout is a file
// (fully buffered) and the worker lives on.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <tuple>
#include <vector>

#include "faults/fault_fixture.h"
#include "pool/pool.h"

namespace faults {
namespace {

int PrintWithPrintf(int i) {
  std::printf("printf %d\n", i);
  return i;
}

int PrintWithCout(int i) {
  std::cout << "cout " << i << '\n';
  return i;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class OutputTest : public FaultTest {
 protected:
  // Points this process's stdout (fd 1) at a new file; the pool's workers,
  // forked afterwards, write there too.
  void RedirectStdout() {
    path_ = UniqueTempPath("stdout");
    const int file =
        ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ASSERT_GE(file, 0) << "cannot create " << path_;
    std::cout.flush();
    std::fflush(stdout);
    saved_ = ::dup(1);
    ASSERT_GE(saved_, 0);
    ASSERT_EQ(::dup2(file, 1), 1);
    ::close(file);
  }
  void TearDown() override {
    if (saved_ >= 0) {
      std::cout.flush();
      std::fflush(stdout);
      ::dup2(saved_, 1);
      ::close(saved_);
    }
    if (!path_.empty()) ::unlink(path_.c_str());
    FaultTest::TearDown();
  }

  std::string path_;
  int saved_ = -1;
};

TEST_F(OutputTest, WhatATaskPrintsIsWrittenBeforeItsResultArrives) {
  RedirectStdout();
  pool::Pool p(2);
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(p.apply(PrintWithPrintf, i), i);
    EXPECT_TRUE(Contains(ReadFile(path_), "printf " + std::to_string(i) + "\n"))
        << "after apply(PrintWithPrintf, " << i
        << ") returned, its line was not in the file yet: the worker did "
           "not flush stdout after the task";
    ASSERT_EQ(p.apply(PrintWithCout, i), i);
    EXPECT_TRUE(Contains(ReadFile(path_), "cout " + std::to_string(i) + "\n"))
        << "after apply(PrintWithCout, " << i
        << ") returned, its line was not in the file yet: the worker did "
           "not flush std::cout after the task";
  }
  // Many at once, on the handler's path: each line is there once its
  // result is.
  std::vector<pool::AsyncResult<int>> results;
  for (int i = 100; i < 300; ++i) {
    results.push_back(p.apply_async(PrintWithPrintf, std::tuple{i}));
  }
  for (int i = 100; i < 300; ++i) {
    ASSERT_EQ(results[static_cast<std::size_t>(i - 100)].get(), i);
  }
  const std::string all = ReadFile(path_);
  for (int i = 100; i < 300; ++i) {
    EXPECT_TRUE(Contains(all, "printf " + std::to_string(i) + "\n"))
        << "line " << i << " missing after every result arrived";
  }
  p.close();
  p.join();
}

}  // namespace
}  // namespace faults
