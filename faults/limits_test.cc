// Too few file descriptors for the pool. Each test runs in a forked child of
// the test process, so the test process itself keeps its limits; the child
// reports what it saw through a pipe.

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <string>

#include "faults/fault_fixture.h"
#include "pool/pool.h"

namespace faults {
namespace {

// The sanitizer runtimes need descriptors of their own: UBSan's vptr check
// (on in --config=asan) opens a pipe to test whether memory is readable, and
// with no fd free it reports every exception the pool builds at that
// moment as "an object with an invalid vptr", then exits. That is the
// sanitizer failing, not the pool, so these tests skip themselves there.
class ResourceLimitTest : public FaultTest {
 protected:
  void SetUp() override {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "RLIMIT_NOFILE at its minimum starves the sanitizer "
                    "runtime of fds (UBSan's vptr check needs a pipe)";
#endif
    FaultTest::SetUp();
  }
};

// RLIMIT_NOFILE leaves room for the pool's own pipes but not for 8
// workers' pipes: the constructor throws pool::SystemError naming the
// limit, and no fd or process is left.
TEST_F(ResourceLimitTest, TooFewFdsForTheWorkersFailsConstruction) {
  EXPECT_TRUE(ChildSucceeded(RunInChild([]() -> std::string {
    const int fds = OpenFdCount();
    rlimit lim{};
    ::getrlimit(RLIMIT_NOFILE, &lim);
    lim.rlim_cur = static_cast<rlim_t>(HighestOpenFd() + 1 + 6);
    if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) return "setrlimit failed";
    try {
      pool::Pool p(8);
      return "the pool started 8 workers with " + std::to_string(lim.rlim_cur) +
             " fds";
    } catch (const pool::SystemError& e) {
      if (std::string(e.what()).find("RLIMIT_NOFILE") == std::string::npos) {
        return std::string("the error does not name the limit: ") + e.what();
      }
    }
    return NothingLeftInChild(fds);
  })));
}

// RLIMIT_NOFILE leaves no fd free at all: the very first pipe fails, the
// error names the limit and its value, and nothing is left.
TEST_F(ResourceLimitTest, NoFreeFdFailsConstruction) {
  EXPECT_TRUE(ChildSucceeded(RunInChild([]() -> std::string {
    const int fds = OpenFdCount();
    rlimit lim{};
    ::getrlimit(RLIMIT_NOFILE, &lim);
    lim.rlim_cur = static_cast<rlim_t>(HighestOpenFd() + 1);
    if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) return "setrlimit failed";
    try {
      pool::Pool p(2);
      return "the pool started without a free fd";
    } catch (const pool::SystemError& e) {
      const std::string what = e.what();
      if (e.code() != std::errc::too_many_files_open) {
        return "the error code is not EMFILE: " + e.code().message();
      }
      if (what.find("RLIMIT_NOFILE = " + std::to_string(lim.rlim_cur)) ==
          std::string::npos) {
        return "the error does not name the limit: " + what;
      }
    }
    return NothingLeftInChild(fds);
  })));
}

}  // namespace
}  // namespace faults
