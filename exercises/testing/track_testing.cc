#include "exercises/testing/track_testing.h"

#include <dirent.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <system_error>

namespace exercises::testing {
namespace {

std::atomic<long>* g_current = nullptr;
SharedCounters* g_current_owner = nullptr;

void IgnoreSignal(int) {}

}  // namespace

bool FinishesWithin(std::chrono::seconds limit, std::function<void()> fn) {
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    std::exception_ptr error;
  };
  auto shared = std::make_shared<Shared>();
  std::thread([shared, fn = std::move(fn)]() mutable {
    std::exception_ptr error;
    try {
      fn();
    } catch (...) {
      error = std::current_exception();
    }
    // Destroy what `fn` owns before saying it is done: the caller may check
    // right away that it is gone (a Worker's process reaped, say).
    fn = nullptr;
    std::lock_guard lock(shared->mu);
    shared->done = true;
    // Moved, not copied: this thread keeps no reference to the exception,
    // so it is freed where the last reader drops it.
    shared->error = std::move(error);
    shared->cv.notify_all();
  }).detach();
  std::unique_lock lock(shared->mu);
  if (!shared->cv.wait_for(lock, limit, [&] { return shared->done; })) {
    return false;
  }
  // Taken out of the shared state, so that the exception is freed on this
  // thread, whichever thread drops the shared state last.
  std::exception_ptr error = std::move(shared->error);
  lock.unlock();
  if (error) std::rethrow_exception(error);
  return true;
}

std::vector<int> OpenFds() { return pool::testing::OpenFds(); }

std::vector<int> FdsOf(pid_t pid) { return pool::testing::OpenFds(pid); }

std::string FdTarget(pid_t pid, int fd) {
  const std::string path =
      "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
  char buffer[256];
  const ssize_t n = ::readlink(path.c_str(), buffer, sizeof buffer);
  return n < 0 ? std::string() : std::string(buffer, static_cast<size_t>(n));
}

std::vector<pid_t> Children() {
  std::vector<pid_t> children;
  const std::string me = std::to_string(::getpid());
  DIR* dir = ::opendir("/proc");
  if (dir == nullptr) return children;
  while (const dirent* entry = ::readdir(dir)) {
    const pid_t pid = std::atoi(entry->d_name);
    if (pid <= 0) continue;
    if (pool::testing::StatField(pid, 4) == me) children.push_back(pid);
  }
  ::closedir(dir);
  std::sort(children.begin(), children.end());
  return children;
}

bool IsZombie(pid_t pid) { return pool::testing::StatField(pid, 3) == "Z"; }

std::string Show(const std::vector<int>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(values[i]);
  }
  return out + "]";
}

SharedCounters::SharedCounters() {
  void* memory =
      ::mmap(nullptr, sizeof(std::atomic<long>) * kCount,
             PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) {
    throw std::system_error(errno, std::generic_category(), "mmap");
  }
  values_ = static_cast<std::atomic<long>*>(memory);
  for (int i = 0; i < kCount; ++i) new (&values_[i]) std::atomic<long>(0);
  g_current = values_;
  g_current_owner = this;
}

SharedCounters::~SharedCounters() {
  if (g_current_owner == this) {
    g_current = nullptr;
    g_current_owner = nullptr;
  }
  ::munmap(values_, sizeof(std::atomic<long>) * kCount);
}

SharedCounters& SharedCounters::Current() { return *g_current_owner; }

bool WaitForCounter(int i, long n) {
  std::atomic<long>* values = g_current;
  if (values == nullptr) return false;
  const auto deadline = std::chrono::steady_clock::now() + kTaskGuard;
  while (values[i].load() < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

Interrupter::Interrupter(pthread_t target) : target_(target) {
  struct sigaction action = {};
  action.sa_handler = IgnoreSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // No SA_RESTART: interrupted calls return EINTR.
  ::sigaction(SIGUSR2, &action, nullptr);
  thread_ = std::thread([this] {
    while (!stop_.load()) {
      ::pthread_kill(target_, SIGUSR2);
      sent_.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  });
  // Return only once the signals are flowing, so that the call the test
  // makes next is interrupted even on a machine slow to start the thread.
  while (sent_.load() == 0) std::this_thread::yield();
}

Interrupter::~Interrupter() {
  stop_.store(true);
  thread_.join();
}

}  // namespace exercises::testing
