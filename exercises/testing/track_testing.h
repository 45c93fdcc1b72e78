// exercises/testing/track_testing.h: checks and guards for the tests of the
// build-your-own-pool track (exercises b01..b10).
//
// The track's tests run real processes and pipes, and a wrong answer must
// make them fail, within seconds, with a message that says what to look at:
// never hang the suite. So:
// - FinishesWithin() runs a call that a wrong answer could block forever
//   (a read that never sees end of file, a destructor that waits for a
//   child that never ends) on its own thread, and gives up on it after a
//   limit. The limit is generous, for a loaded machine; no test asserts how
//   fast anything is.
// - Tasks that must still be running when the test checks something wait
//   on a SharedFlag, which the test raises; they give up after kTaskGuard.
// - The inspection functions read /proc: which descriptors a process holds,
//   which children this process has (zombies included, without reaping).

#ifndef EXERCISES_TESTING_TRACK_TESTING_H_
#define EXERCISES_TESTING_TRACK_TESTING_H_

#include <pthread.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "pool/test_util.h"

namespace exercises::testing {

// How long a call under FinishesWithin() may take in the track's tests
// before it counts as hung.
inline constexpr std::chrono::seconds kCallGuard{15};
// How long a waiting task waits before it gives up.
inline constexpr std::chrono::seconds kTaskGuard{10};

// Runs `fn` on a new thread and waits for it at most `limit`. Returns true
// if it finished (rethrowing here whatever it threw). If it did not, the
// thread is left running, detached, and false is returned: `fn` must own
// everything it uses (capture values and shared_ptrs, not references to the
// test's locals).
bool FinishesWithin(std::chrono::seconds limit, std::function<void()> fn);

// The descriptors this process has open, ascending (without the one used
// to list them).
std::vector<int> OpenFds();
// The descriptors process `pid` has open, ascending; empty if it is gone.
std::vector<int> FdsOf(pid_t pid);
// What descriptor `fd` of process `pid` is, e.g. "pipe:[123]"; empty if
// there is no such descriptor.
std::string FdTarget(pid_t pid, int fd);
// The pids of this process's children, live or zombie, ascending. Reaps
// nothing.
std::vector<pid_t> Children();
// Whether `pid` has ended but not been reaped.
bool IsZombie(pid_t pid);
// "[3, 4, 7]", for failure messages.
std::string Show(const std::vector<int>& values);

// Waits until `done()` holds, checking every millisecond, for at most
// `limit` (pool::testing::WaitUntil, with the track's guard as the default);
// returns whether it held.
inline bool WaitUntil(const std::function<bool()>& done,
                      std::chrono::seconds limit = kCallGuard) {
  return pool::testing::WaitUntil(done, limit);
}

// A few counters in memory shared with every process forked after it was
// made (workers included, replacements too): tasks count arrivals and wait
// for flags the test raises. Make it before the workers.
class SharedCounters {
 public:
  static constexpr int kCount = 8;
  SharedCounters();
  ~SharedCounters();
  SharedCounters(const SharedCounters&) = delete;
  SharedCounters& operator=(const SharedCounters&) = delete;

  std::atomic<long>& operator[](int i) { return values_[i]; }

  // The counters of the most recently made SharedCounters: what tasks use.
  static SharedCounters& Current();

 private:
  std::atomic<long>* values_;
};

// In a task: waits until Current()[i] >= n, for at most kTaskGuard.
// Returns whether it got there.
bool WaitForCounter(int i, long n);

// While alive, interrupts thread `target` with SIGUSR2 every 100 us or so
// (the first signal is sent before the constructor returns).
// The handler does nothing and is installed without SA_RESTART, so a
// blocking read(), write(), poll() or waitpid() in that thread returns
// early: with EINTR, or having moved fewer bytes than asked.
class Interrupter {
 public:
  explicit Interrupter(pthread_t target);
  ~Interrupter();
  Interrupter(const Interrupter&) = delete;
  Interrupter& operator=(const Interrupter&) = delete;

  // How many signals were sent so far.
  long sent() const { return sent_.load(); }

 private:
  pthread_t target_;
  std::atomic<bool> stop_{false};
  std::atomic<long> sent_{0};
  std::thread thread_;
};

}  // namespace exercises::testing

#endif  // EXERCISES_TESTING_TRACK_TESTING_H_
