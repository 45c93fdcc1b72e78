// exercises/testing/gate.h: waiting tasks for the exercise tests.
//
// Some behaviour can only be pinned down by a task that is still running:
// "apply_async returns before the task finishes", "terminate() cancels what
// is pending", "imap_unordered yields the fast item first". These helpers
// make such a task wait for an event the test controls, so no test depends
// on how fast the machine is.
//
// A Gate is a fresh directory under $TEST_TMPDIR. Tasks call WaitAtGate(),
// which returns once the test calls Open(). Tasks are plain functions in
// worker processes, so they find the directory through a global that the
// workers copied when the pool was forked: construct the Gate BEFORE the
// pool (declare it first in a fixture).
//
// A wrong solution could make a task wait forever (for example by waiting
// for a result before opening the gate). So a wait gives up after kGuard,
// leaves a mark (Gate::gave_up()) and returns false; the test then fails
// instead of hanging, and says what the task was waiting for. Once one task
// has given up, every later wait at the same gate gives up at once, so a
// wrong solution fails within one guard period, not one per task. A
// correct solution never waits more than a few milliseconds: every gate it
// meets is opened by something that happens right away.

#ifndef EXERCISES_TESTING_GATE_H_
#define EXERCISES_TESTING_GATE_H_

#include <chrono>
#include <string>

namespace exercises::testing {

// How long a waiting task waits before it gives up. Sanitizer builds run
// several times slower, so they wait longer.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr std::chrono::seconds kGuard{20};
#else
inline constexpr std::chrono::seconds kGuard{5};
#endif

class Gate {
 public:
  // Creates a closed gate and makes it the one the helpers below use.
  Gate();
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  // Opens the gate: waiting tasks return, later ones do not wait.
  void Open();
  // Whether any task waited for kGuard and gave up.
  bool gave_up() const;
  // How many tasks have called Arrive() so far.
  int arrived() const;

 private:
  std::string dir_;
};

// In a process that did not construct the Gate and was not forked from one
// that did (a rank of an MPI job): use the gate kept in directory `dir`.
void UseGateDir(const std::string& dir);

// The current gate's directory.
const std::string& GateDir();

// In a task: waits until the current gate is open. Returns false if it gave
// up after kGuard.
bool WaitAtGate();

// In a task: records that this task has started, then waits until `n` tasks
// have (a barrier). Returns false if it gave up after kGuard. Only tasks
// that run at the same time can all get through, so a task that passes
// proves that `n` tasks were in the pool at once.
bool ArriveAndWait(int n);

// In a task: records that this task has started, and returns.
void Arrive();

// In a task: opens the current gate (what Gate::Open() does in the test).
void OpenGateFromTask();

}  // namespace exercises::testing

#endif  // EXERCISES_TESTING_GATE_H_
