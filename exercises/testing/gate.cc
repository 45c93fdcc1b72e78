#include "exercises/testing/gate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

#include "exercises/testing/explain.h"

namespace exercises::testing {
namespace {

namespace fs = std::filesystem;

// The current gate's directory. Workers forked after the Gate was made see
// the same value in their copy of memory.
std::string& CurrentDir() {
  static std::string dir;
  return dir;
}

// Creates an empty file; ignores errors (a failed mark makes a test fail,
// which is the right outcome anyway).
void Touch(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT, 0644);
  if (fd >= 0) ::close(fd);
}

int CountArrivals(const fs::path& dir) {
  int n = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().starts_with("arrived.")) ++n;
  }
  return n;
}

// Polls `done` every few milliseconds until it holds or kGuard passes, or
// until another task has given up at this gate (then the wrong solution is
// already known, and waiting longer only delays the test's failure). The
// first task to give up says on stderr what it waited for (`what()`), so
// that if the test then hangs, its log still says why.
template <class Done, class What>
bool WaitUntil(Done done, What what) {
  const fs::path gave_up = fs::path(CurrentDir()) / "gave_up";
  const auto deadline = std::chrono::steady_clock::now() + kGuard;
  while (!done()) {
    if (fs::exists(gave_up)) return false;
    if (std::chrono::steady_clock::now() > deadline) {
      Touch(gave_up);
      const std::string line =
          Explain("gate: a task waited ", "gate：一个任务等待了 ") +
          std::to_string(kGuard.count()) + Explain(" s ", " 秒，") + what() +
          Explain(" and gave up\n", "，然后放弃了\n");
      // One write, so that lines from several processes do not mix.
      (void)!::write(STDERR_FILENO, line.data(), line.size());
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace

Gate::Gate() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr ? tmp : "/tmp") + "/gate.XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp");
  }
  dir_ = pattern;
  CurrentDir() = dir_;
}

void UseGateDir(const std::string& dir) { CurrentDir() = dir; }

const std::string& GateDir() { return CurrentDir(); }

void Gate::Open() { Touch(fs::path(dir_) / "open"); }

void OpenGateFromTask() { Touch(fs::path(CurrentDir()) / "open"); }

bool Gate::gave_up() const { return fs::exists(fs::path(dir_) / "gave_up"); }

int Gate::arrived() const { return CountArrivals(dir_); }

bool WaitAtGate() {
  const fs::path open = fs::path(CurrentDir()) / "open";
  return WaitUntil([&] { return fs::exists(open); },
                   [] {
                     return std::string(Explain("for the test to open its gate",
                                                "等测试打开它的闸门"));
                   });
}

void Arrive() {
  // mkstemp gives every arrival its own file, even two from one process.
  std::string name = CurrentDir() + "/arrived.XXXXXX";
  const int fd = ::mkstemp(name.data());
  if (fd >= 0) ::close(fd);
}

bool ArriveAndWait(int n) {
  Arrive();
  const fs::path dir = CurrentDir();
  return WaitUntil([&] { return CountArrivals(dir) >= n; },
                   [&] {
                     return Explain("for ", "等 ") + std::to_string(n) +
                            Explain(" tasks to run at the same time (",
                                    " 个任务同时执行（已到达 ") +
                            std::to_string(CountArrivals(dir)) +
                            Explain(" arrived)", " 个）");
                   });
}

}  // namespace exercises::testing
