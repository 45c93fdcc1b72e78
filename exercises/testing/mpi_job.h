// exercises/testing/mpi_job.h: exercise tests for code that runs on MPI ranks.
//
// An MPI exercise's function runs inside an MPI job: 4 processes started by
// mpirun, each of them calling it. A test case cannot be an MPI job itself,
// so the test binary plays two parts:
//
//  - As Bazel (or the grader) runs it, it is an ordinary GoogleTest binary.
//    Each test case calls RunScenario("Name"), which starts
//      mpirun -np 4 <this binary> --mpi_scenario=Name --mpi_dir=DIR
//    waits for it, and hands back what every rank reported.
//  - Started that way, main() (in this library) runs no tests: it calls
//    MPI_Init, runs the function defined with MPI_SCENARIO(Name) on every
//    rank, and MPI_Finalize. Ranks record what they saw with Report(); the
//    records land in DIR/rank.<R>.
//
// One job per test case: learner code that crashes, throws or hangs fails
// that case alone, and the JUnit report holds one honest result per case.
// A scenario that throws on any rank records the error and ends the whole
// job with MPI_Abort (the other ranks could otherwise wait for it forever);
// a job that outlives kJobGuard is killed.
//
// DIR is also the current gate (gate.h) on every rank, so scenarios can use
// WaitAtGate(), ArriveAndWait() and OpenGateFromTask() across ranks.

#ifndef EXERCISES_TESTING_MPI_JOB_H_
#define EXERCISES_TESTING_MPI_JOB_H_

#include <chrono>
#include <map>
#include <string>
#include <string_view>

namespace exercises::testing {

// Every scenario runs on this many ranks.
inline constexpr int kRanks = 4;
// How long a job may run before it is killed. A correct solution needs a
// second or two even on a busy 2-core machine.
inline constexpr std::chrono::seconds kJobGuard{90};

// In a scenario: this rank's number, 0 .. kRanks-1.
int Rank();

// In a scenario: records `value` under `key` for this rank. A key reported
// twice keeps the last value. Newlines in `value` become spaces.
void Report(std::string_view key, std::string_view value);

using Scenario = void (*)();

// Registers a scenario; MPI_SCENARIO does it for you.
bool RegisterScenario(const char* name, Scenario scenario);

// Defines a scenario: MPI_SCENARIO(Name) { ...code run on every rank... }
#define MPI_SCENARIO(name)                                                \
  void MpiScenario_##name();                                              \
  [[maybe_unused]] const bool kMpiScenarioRegistered_##name =             \
      ::exercises::testing::RegisterScenario(#name, &MpiScenario_##name); \
  void MpiScenario_##name()

// What one job did.
struct ScenarioRun {
  int exit_code = -1;      // mpirun's exit status, -1 if it did not exit.
  int term_signal = 0;     // The signal that ended mpirun, or 0.
  bool timed_out = false;  // The job outlived kJobGuard and was killed.
  bool gave_up = false;    // A task waited at the gate for kGuard in vain.
  std::string out, err;    // mpirun's stdout and stderr.
  std::map<int, std::map<std::string, std::string>> reports;  // By rank.

  // The value rank `rank` reported under `key`, or "" if it did not.
  std::string Get(int rank, const std::string& key) const;
  // Whether rank `rank` reported anything under `key`.
  bool Has(int rank, const std::string& key) const;
  // Whether mpirun exited with 0, no rank reported an error, and every
  // rank ran its scenario to the end.
  bool ok() const;
  // For failure messages: exit status, each rank's error, mpirun's stderr.
  std::string Describe() const;
};

// Runs scenario `name` on kRanks ranks (see the top of this file).
ScenarioRun RunScenario(const std::string& name);

}  // namespace exercises::testing

#endif  // EXERCISES_TESTING_MPI_JOB_H_
