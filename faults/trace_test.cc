// Tracing (Options::trace, POOL_TRACE) of known workloads and of faults: the
// file a pool writes holds exactly the tasks it ran, on the lanes of the
// workers that ran them, inside the pool's lifetime, with every death, and
// is valid JSON with no overlapping slices on a track.

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "faults/fault_fixture.h"
#include "pool/pool.h"
#include "pool/trace_reader.h"

namespace faults {
namespace {

using pool::testing::OverlapOnATrack;
using pool::testing::ReadTrace;
using pool::testing::TraceEvent;
using pool::testing::TraceFile;

// CLOCK_MONOTONIC in microseconds, the trace's unit and clock.
double NowUs() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 +
         static_cast<double>(ts.tv_nsec) / 1e3;
}

long Sum(int max) {
  long sum = 0;
  for (int i = 0; i < max; ++i) sum += i;
  return sum;
}

// Writes its pid to `path`, then waits to be killed.
int ReportPidAndHang(std::string path) {
  {
    std::ofstream out(path + ".tmp");
    out << ::getpid();
  }
  ::rename((path + ".tmp").c_str(), path.c_str());
  for (;;) ::pause();
}

int SlowIdentity(int x) {
  ::usleep(20000);
  return x;
}

int Identity(int x) { return x; }

int BriefIdentity(int x) {
  ::usleep(300);
  return x;
}

// What every trace must be: valid JSON (ReadTrace parses strictly), no
// overlapping slices on a track, every task slice on the lane of a worker
// named in the metadata, with start <= end inside [begin_us, end_us].
void ExpectWellFormed(const TraceFile& trace, double begin_us, double end_us) {
  EXPECT_EQ(OverlapOnATrack(trace), "");
  for (const TraceEvent& e : trace.TaskSlices()) {
    ASSERT_TRUE(trace.process_names.count(e.pid))
        << e.name << " is on pid " << e.pid << ", which is not a worker lane";
    EXPECT_EQ(trace.process_names.at(e.pid).find("worker "), 0u)
        << trace.process_names.at(e.pid);
    EXPECT_NE(trace.process_names.at(e.pid).find("(pid " +
                                                 std::to_string(e.pid) + ")"),
              std::string::npos)
        << trace.process_names.at(e.pid);
    EXPECT_GE(e.dur, 0) << e.name;
    EXPECT_GE(e.ts, begin_us - 0.001) << e.name << " starts before the pool";
    EXPECT_LE(e.ts + e.dur, end_us + 0.001) << e.name << " ends after it";
  }
}

std::set<pid_t> Pids(const std::vector<pid_t>& pids) {
  return std::set<pid_t>(pids.begin(), pids.end());
}

using TraceTest = FaultTest;

// map of 3 items, chunksize 1, on Pool(4): exactly three task slices,
// "map [0]" to "map [2]" with their inputs, each on one of the pool's
// workers; a fourth worker that ran nothing still has its lane.
TEST_F(TraceTest, MapOfThreeOnPoolOfFour) {
  const std::string path = UniqueTempPath("map3") + ".json";
  std::set<pid_t> workers;
  const double begin = NowUs();
  {
    pool::Pool p({.processes = 4, .trace = path});
    workers = Pids(p.worker_pids());
    EXPECT_EQ(p.map(Sum, {50, 100, 150}, {.chunksize = 1}),
              (std::vector<long>{1225, 4950, 11175}));
  }
  const double end = NowUs();
  const TraceFile trace = ReadTrace(path);
  ExpectWellFormed(trace, begin, end);
  std::vector<TraceEvent> tasks = trace.TaskSlices();
  ASSERT_EQ(tasks.size(), 3u);
  std::sort(tasks.begin(), tasks.end(),
            [](auto& a, auto& b) { return a.name < b.name; });
  const double inputs[] = {50, 100, 150};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(tasks[i].name, "map [" + std::to_string(i) + "]");
    EXPECT_EQ(tasks[i].args["input"].number, inputs[i]);
    EXPECT_EQ(tasks[i].args["outcome"].string, "ok");
    EXPECT_TRUE(workers.count(tasks[i].pid)) << tasks[i].pid;
  }
  int worker_lanes = 0;
  for (const auto& [pid, name] : trace.process_names) {
    if (workers.count(pid)) ++worker_lanes;
  }
  EXPECT_EQ(worker_lanes, 4);
}

// apply_async whose worker is SIGKILLed mid-task: its slice is on that
// worker's lane and ends at the death; the death names the signal and the
// task; the replacement says which worker it replaces; the next task runs.
TEST_F(TraceTest, ApplyAsyncWithItsWorkerKilledMidTask) {
  const std::string path = UniqueTempPath("killed") + ".json";
  const std::string pid_file = UniqueTempPath("killed-pid");
  pid_t victim = 0;
  std::set<pid_t> workers;
  const double begin = NowUs();
  {
    pool::Pool p({.processes = 2, .trace = path});
    workers = Pids(p.worker_pids());
    auto r = p.apply_async(ReportPidAndHang, std::tuple{pid_file});
    WaitUntil([&] { return !ReadFile(pid_file).empty(); });
    victim = std::atoi(ReadFile(pid_file).c_str());
    ASSERT_TRUE(workers.count(victim));
    ASSERT_EQ(::kill(victim, SIGKILL), 0);
    EXPECT_THROW(r.get(), pool::WorkerDiedError);
    EXPECT_EQ(p.apply(Identity, 5), 5);
    // The replacement has arrived once two workers serve again.
    WaitUntil([&] {
      const std::vector<pid_t> now = p.worker_pids();
      return now.size() == 2 &&
             std::find(now.begin(), now.end(), victim) == now.end();
    });
    for (pid_t pid : p.worker_pids()) workers.insert(pid);
  }
  const double end = NowUs();
  const TraceFile trace = ReadTrace(path);
  ExpectWellFormed(trace, begin, end);

  const std::vector<TraceEvent> tasks = trace.TaskSlices();
  ASSERT_EQ(tasks.size(), 2u);
  const TraceEvent& killed = tasks[0].pid == victim ? tasks[0] : tasks[1];
  EXPECT_EQ(killed.pid, victim);
  EXPECT_EQ(
      killed.name,
      "apply #" + std::to_string(static_cast<int>(killed.args["task"].number)));
  EXPECT_NE(killed.args["outcome"].string.find("SIGKILL"), std::string::npos)
      << killed.args["outcome"].string;
  bool death = false, replacement = false;
  for (const TraceEvent& e : trace.Phase("i")) {
    if (e.pid == victim && e.name.find("worker died") == 0) {
      death = true;
      EXPECT_NE(e.name.find("killed by signal 9 (SIGKILL)"), std::string::npos)
          << e.name;
      EXPECT_EQ(e.args["signal"].number, SIGKILL);
      EXPECT_EQ(e.args["task"].number, killed.args["task"].number);
      EXPECT_EQ(e.args["running"].string, killed.name);
      EXPECT_NEAR(e.ts, killed.ts + killed.dur, 0.002);
    }
    if (e.args["replaces"].number == victim) {
      replacement = true;
      EXPECT_TRUE(workers.count(e.pid)) << e.pid;
    }
  }
  EXPECT_TRUE(death) << "no death event on the lane of pid " << victim;
  EXPECT_TRUE(replacement) << "no worker says it replaces pid " << victim;
}

// A task past its timeout, with tasks queued behind it and cancelled: its
// slice is on its worker's lane, ends at the kill, lasts at least the
// timeout and has the outcome "timeout: ..."; the kill is the worker's
// death; the cancelled tasks never ran, so they have no slice, only their
// outcome (EveryTaskHasExactlyOneOutcome).
TEST_F(TraceTest, TimedOutTaskAndCancelledTasks) {
  using namespace std::chrono_literals;
  const std::string path = UniqueTempPath("timeout") + ".json";
  const std::string pid_file = UniqueTempPath("timeout-pid");
  pid_t victim = 0;
  const double begin = NowUs();
  {
    pool::Pool p({.processes = 1, .trace = path});
    auto hung = p.apply_async(ReportPidAndHang, std::tuple{pid_file},
                              {.timeout = 300ms});
    WaitUntil([&] { return !ReadFile(pid_file).empty(); });
    victim = std::atoi(ReadFile(pid_file).c_str());
    // A new pool sends one task at a time to its worker: these wait.
    std::vector<pool::AsyncResult<int>> queued;
    for (int i = 0; i < 5; ++i) {
      queued.push_back(p.apply_async(Identity, std::tuple{i}));
    }
    for (auto& r : queued) EXPECT_TRUE(r.cancel()) << "a queued task";
    EXPECT_THROW(hung.get(), pool::TaskTimeoutError);
    for (auto& r : queued) EXPECT_THROW(r.get(), pool::CancelledError);
    EXPECT_EQ(p.apply(Identity, 9), 9);
  }
  const double end = NowUs();
  const TraceFile trace = ReadTrace(path);
  ExpectWellFormed(trace, begin, end);

  const std::vector<TraceEvent> tasks = trace.TaskSlices();
  ASSERT_EQ(tasks.size(), 2u) << "the timed-out task and apply(Identity, 9); "
                                 "a cancelled task has no slice";
  const TraceEvent& timed_out = tasks[0].pid == victim ? tasks[0] : tasks[1];
  const TraceEvent& after = tasks[0].pid == victim ? tasks[1] : tasks[0];
  EXPECT_EQ(timed_out.pid, victim);
  EXPECT_EQ(timed_out.args["outcome"].string.rfind("timeout: ", 0), 0u)
      << timed_out.args["outcome"].string;
  EXPECT_GE(timed_out.dur, 300000) << "the slice ends before the deadline";
  EXPECT_EQ(after.args["outcome"].string, "ok");
  EXPECT_NE(after.pid, victim);
  bool death = false;
  for (const TraceEvent& e : trace.Phase("i")) {
    if (e.pid == victim && e.name.find("worker died") == 0) {
      death = true;
      EXPECT_EQ(e.args["signal"].number, SIGKILL);
      EXPECT_EQ(e.args["task"].number, timed_out.args["task"].number);
      EXPECT_NEAR(e.ts, timed_out.ts + timed_out.dur, 0.002);
    }
  }
  EXPECT_TRUE(death) << "no death event on the lane of pid " << victim;
}

// imap, then terminate() after the first result: the file is written by
// terminate() (before the pool is destroyed), holds the terminate() mark,
// and each task either ran on a worker's lane or is marked as failed; none
// is lost.
TEST_F(TraceTest, ImapWithTerminate) {
  const std::string path = UniqueTempPath("terminate") + ".json";
  std::set<pid_t> workers;
  const double begin = NowUs();
  pool::Pool p({.processes = 2, .trace = path});
  workers = Pids(p.worker_pids());
  const std::vector<int> items = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  auto it = p.imap(SlowIdentity, items);
  EXPECT_EQ(it.next(), 0);
  p.terminate();
  const double end = NowUs();
  const TraceFile trace = ReadTrace(path);  // Before ~Pool.
  ExpectWellFormed(trace, begin, end);
  std::set<double> ran_or_failed;
  for (const TraceEvent& e : trace.TaskSlices()) {
    EXPECT_TRUE(workers.count(e.pid)) << e.pid;
    EXPECT_EQ(e.args["method"].string, "imap");
    ran_or_failed.insert(e.args["task"].number);
  }
  bool terminated = false;
  for (const TraceEvent& e : trace.Phase("i")) {
    if (e.name == "terminate()") terminated = true;
    if (e.cat == "task") ran_or_failed.insert(e.args["task"].number);
  }
  EXPECT_TRUE(terminated);
  int submitted = 0;
  for (const TraceEvent& e : trace.Phase("X")) {
    if (e.cat == "submit")
      submitted += static_cast<int>(e.args["tasks"].number);
  }
  EXPECT_GE(submitted, 1);
  EXPECT_EQ(static_cast<int>(ran_or_failed.size()), submitted)
      << "a submitted task neither ran nor failed in the trace";
}

// The number of tasks the trace says were submitted (its submit slices'
// "tasks"), and each task's outcomes by id: a task slice (it ran, whatever
// its end), or a "failed ..." or "cancelled ..." mark (it never ran).
struct Outcomes {
  int submitted = 0;
  std::map<int, std::vector<std::string>> by_task;  // Event names.
};
Outcomes OutcomesOf(const TraceFile& trace) {
  Outcomes o;
  for (const TraceEvent& e : trace.Phase("X")) {
    if (e.cat == "submit")
      o.submitted += static_cast<int>(e.args["tasks"].number);
  }
  for (const TraceEvent& e : trace.TaskSlices()) {
    o.by_task[static_cast<int>(e.args["task"].number)].push_back(e.name);
  }
  for (const TraceEvent& e : trace.Phase("i")) {
    if (e.cat == "task") {
      o.by_task[static_cast<int>(e.args["task"].number)].push_back(e.name);
    }
  }
  return o;
}

// Each way a task can end, in one pool: ran (map), hung and killed by
// terminate(), queued and cancelled (apply_async, map_async's chunks,
// imap's), queued and failed by terminate(). Every submitted task has
// exactly one outcome in the trace; a cancelled one is a "cancelled ..."
// mark with cancel()'s message, made between the cancel() and the end.
TEST_F(TraceTest, EveryTaskHasExactlyOneOutcome) {
  using namespace std::chrono_literals;
  const std::string path = UniqueTempPath("outcomes") + ".json";
  const std::string pid_file = UniqueTempPath("outcomes-pid");
  int cancelled = 0;
  double cancel_begin = 0;
  const double begin = NowUs();
  {
    pool::Pool p({.processes = 1, .trace = path});
    EXPECT_EQ(p.map(Identity, {1, 2, 3}, {.chunksize = 1}),
              (std::vector<int>{1, 2, 3}));
    auto hung = p.apply_async(ReportPidAndHang, std::tuple{pid_file});
    WaitUntil([&] { return !ReadFile(pid_file).empty(); });
    // A pool of one sends one task at a time to its worker: these wait.
    std::vector<pool::AsyncResult<int>> queued;
    for (int i = 0; i < 6; ++i) {
      queued.push_back(p.apply_async(Identity, std::tuple{i}));
    }
    auto mapped =
        p.map_async(Identity, {0, 1, 2, 3, 4, 5, 6, 7}, {.chunksize = 2});
    const std::vector<int> ten = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    auto it = p.imap(Identity, ten, {.chunksize = 1, .buffersize = 4});
    // Submits the first four chunks, then finds no result ready.
    EXPECT_THROW((void)it.next(0ms), pool::TimeoutError);
    cancel_begin = NowUs();
    for (int i = 0; i < 6; i += 2) {
      EXPECT_TRUE(queued[i].cancel()) << "queued task " << i;
      ++cancelled;
    }
    EXPECT_TRUE(mapped.cancel()) << "a map whose chunks are all queued";
    cancelled += 4;
    EXPECT_TRUE(it.cancel()) << "an imap none of whose chunks started";
    cancelled += 4;
    p.terminate();
    EXPECT_THROW(hung.get(), pool::CancelledError);
    for (auto& r : queued) EXPECT_THROW(r.get(), pool::CancelledError);
  }
  const double end = NowUs();
  const TraceFile trace = ReadTrace(path);
  ExpectWellFormed(trace, begin, end);

  const Outcomes o = OutcomesOf(trace);
  EXPECT_EQ(o.submitted, 3 + 1 + 6 + 4 + 4);
  for (int id = 1; id <= o.submitted; ++id) {
    const auto found = o.by_task.find(id);
    if (found == o.by_task.end()) {
      ADD_FAILURE() << "task " << id << " has no outcome in the trace";
      continue;
    }
    EXPECT_EQ(found->second.size(), 1u)
        << "task " << id << " has " << found->second.size()
        << " outcomes, the first " << found->second.front();
  }
  EXPECT_EQ(static_cast<int>(o.by_task.size()), o.submitted)
      << "outcomes for tasks that were never submitted";
  int marked = 0, failed = 0;
  for (const TraceEvent& e : trace.Phase("i")) {
    if (e.cat != "task") continue;
    if (e.name.rfind("cancelled ", 0) == 0) {
      ++marked;
      EXPECT_EQ(e.args["outcome"].string,
                "cancelled: cancel() was called before this task started");
      EXPECT_GE(e.ts, cancel_begin - 0.001) << e.name << " before cancel()";
      EXPECT_LE(e.ts, end + 0.001) << e.name;
    } else if (e.name.rfind("failed ", 0) == 0) {
      ++failed;
      EXPECT_NE(e.args["outcome"].string.find("terminate()"), std::string::npos)
          << e.name << ": " << e.args["outcome"].string;
    } else {
      ADD_FAILURE() << "a task mark that is neither: " << e.name;
    }
  }
  EXPECT_EQ(marked, cancelled);
  EXPECT_EQ(failed, 3) << "the queued apply_async tasks not cancelled";
}

// POOL_TRACE traces a pool made without the option; the option wins over
// it.
TEST_F(TraceTest, EnvironmentVariableAndOption) {
  const std::string env_path = UniqueTempPath("env") + ".json";
  const std::string option_path = UniqueTempPath("option") + ".json";
  ::setenv("POOL_TRACE", env_path.c_str(), 1);
  {
    pool::Pool p(1);
    EXPECT_EQ(p.apply(Identity, 1), 1);
  }
  {
    pool::Pool p({.processes = 1, .trace = option_path});
    EXPECT_EQ(p.apply(Identity, 2), 2);
  }
  ::unsetenv("POOL_TRACE");
  EXPECT_EQ(ReadTrace(env_path).TaskSlices().size(), 1u);
  const auto option_tasks = ReadTrace(option_path).TaskSlices();
  ASSERT_EQ(option_tasks.size(), 1u);
  EXPECT_EQ(option_tasks[0].args["input"].number, 2);
}

// A ThreadPool has a lane per thread, in the parent process.
TEST_F(TraceTest, ThreadPoolHasALanePerThread) {
  const std::string path = UniqueTempPath("threads") + ".json";
  {
    pool::ThreadPool p({.processes = 3, .trace = path});
    EXPECT_EQ(p.map(SlowIdentity, {1, 2, 3, 4, 5, 6}, {.chunksize = 1}).size(),
              6u);
  }
  const TraceFile trace = ReadTrace(path);
  EXPECT_EQ(OverlapOnATrack(trace), "");
  int lanes = 0;
  for (const auto& [key, name] : trace.thread_names) {
    if (name.find("thread ") == 0 && name.find("(tid ") != std::string::npos) {
      ++lanes;
      EXPECT_EQ(key.first, ::getpid());
    }
  }
  EXPECT_EQ(lanes, 3);
  const auto tasks = trace.TaskSlices();
  ASSERT_EQ(tasks.size(), 6u);
  for (const TraceEvent& e : tasks) {
    EXPECT_EQ(e.pid, ::getpid());
    EXPECT_TRUE(trace.thread_names.count({e.pid, e.tid})) << e.tid;
  }
}

// Chaos with tracing on: workers SIGKILLed at random while tasks run. Every
// task that delivered a value has a slice marked ok, and every task that
// died with its worker has a slice ending in a death; none is missing.
TEST_F(TraceTest, ChaosRunRecordsEveryTaskItRan) {
  // Tasks of 300 µs, so that most kills hit a running task.
  constexpr int kTasks = kSanitized ? 1000 : 4000;
  const std::string path = UniqueTempPath("chaos") + ".json";
  long values = 0, died = 0;
  std::atomic<long> kills{0};
  const double begin = NowUs();
  {
    pool::Pool p({.processes = 4, .trace = path});
    const std::string self = std::to_string(::getpid());
    std::atomic<bool> stop{false};
    std::thread killer([&] {
      std::mt19937 rng(20261207);
      while (!stop.load()) {
        const std::vector<pid_t> pids = p.worker_pids();
        if (!pids.empty()) {
          const pid_t victim = pids[rng() % pids.size()];
          // Only a grandchild of this process: never a reused pid.
          const std::string server = StatField(victim, 4);
          if (!server.empty() &&
              StatField(std::atoi(server.c_str()), 4) == self &&
              ::kill(victim, SIGKILL) == 0) {
            kills.fetch_add(1);
          }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(3));
      }
    });
    std::vector<int> items(kTasks);
    for (int i = 0; i < kTasks; ++i) items[static_cast<std::size_t>(i)] = i;
    auto it = p.imap_unordered(BriefIdentity, items, {.chunksize = 1});
    for (;;) {
      try {
        if (!it.next()) break;
        ++values;
      } catch (const pool::WorkerDiedError&) {
        ++died;
      }
    }
    stop = true;
    killer.join();
  }
  const double end = NowUs();
  EXPECT_EQ(values + died, kTasks);
  EXPECT_GT(died, 0) << "no kill hit a running task: nothing was tested";
  const TraceFile trace = ReadTrace(path);
  ExpectWellFormed(trace, begin, end);
  long ok = 0, killed = 0;
  std::set<double> ids;
  for (const TraceEvent& e : trace.TaskSlices()) {
    const std::string& outcome = e.args["outcome"].string;
    if (outcome == "ok") {
      ++ok;
      EXPECT_TRUE(ids.insert(e.args["task"].number).second)
          << "task " << e.args["task"].number << " has two ok slices";
    } else if (outcome.find("SIGKILL") != std::string::npos) {
      ++killed;
    }
  }
  EXPECT_EQ(ok, values) << "tasks that delivered a value vs ok slices";
  EXPECT_EQ(killed, died) << "tasks failed by a death vs slices ending in one";
  long deaths = 0;
  for (const TraceEvent& e : trace.Phase("i")) {
    if (e.name.find("worker died") == 0) ++deaths;
  }
  EXPECT_GE(deaths, died);
  EXPECT_LE(deaths, kills.load());
  std::printf("traced chaos: %d tasks, %ld kills, %ld died, %ld deaths\n",
              kTasks, kills.load(), died, deaths);
}

}  // namespace
}  // namespace faults
