// Lesson 11: threads or processes? The article's closing claim, measured.
//
// The article ends: 使用线程会有更好的性能,因此一般推荐使用多线程来实现并发 —
// threads perform better, so they are generally recommended. This program
// runs the same workloads on a pool::ThreadPool and a pool::Pool of the same
// size, checks that both give the same results, and prints how long each
// took on this machine.
//
//   bazel-bin/lessons/11_threads_vs_processes/11_threads_vs_processes
//       [--quick=1]        small sizes, one repetition (what the test runs)
//       [--repetitions=N]  report the best of N runs (default 5)

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <numeric>
#include <string>
#include <vector>

#include "lessons/common/print.h"
#include "pool/pool.h"

namespace {

// --- The tasks ------------------------------------------------------------

// Tiny: almost no work, so the cost of moving a task and its result is
// all there is to measure.
long Square(int x) { return static_cast<long>(x) * x; }

// CPU-bound: counts the primes below n by trial division.
long CountPrimes(int n) {
  long count = 0;
  for (int i = 2; i < n; ++i) {
    bool prime = true;
    for (int d = 2; d * d <= i; ++d) {
      if (i % d == 0) {
        prime = false;
        break;
      }
    }
    count += prime ? 1 : 0;
  }
  return count;
}

// CPU-bound, but only one thread of a process may run it at a time, as if
// it called a library that is not thread-safe. This is what Python's GIL
// does to every Python-level computation in a thread. Each worker process
// has its own copy of the mutex, so processes do not wait for each other.
std::mutex global_lock;
long CountPrimesUnderGlobalLock(int n) {
  std::lock_guard lock(global_lock);
  return CountPrimes(n);
}

// --- Measuring --------------------------------------------------------------

// The 1-minute load average (Linux), or "unknown". Timings taken while other
// programs keep the CPUs busy say little about parallel speed-up, so the
// program prints it next to them.
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one_minute;
  return in >> one_minute ? one_minute : "unknown";
}

int repetitions = 5;

// Runs `run` once and returns how long it took, in milliseconds; its
// result goes to `result`.
template <class Run, class Result>
double TimeMs(Run run, Result& result) {
  const auto start = std::chrono::steady_clock::now();
  result = run();
  const std::chrono::duration<double, std::milli> took =
      std::chrono::steady_clock::now() - start;
  return took.count();
}

std::string Ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%10.1f ms", ms);
  return buf;
}

std::string Ratio(double a, double b) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%8.2fx", a / b);
  return buf;
}

// Runs one workload serially, on the thread pool and on the process pool;
// prints the three times and whether the results agree.
template <class Workload>
void Compare(const std::string& name, pool::ThreadPool& threads,
             pool::Pool& processes, Workload workload) {
  std::vector<long> serial, by_threads, by_processes;
  // The best of `repetitions` rounds. Each round runs all three, so that a
  // burst of load from other programs slows all three rather than one.
  double s = 1e300, t = 1e300, p = 1e300;
  for (int i = 0; i < repetitions; ++i) {
    s = std::min(s, TimeMs([&] { return workload.serial(); }, serial));
    t = std::min(t, TimeMs([&] { return workload.on(threads); }, by_threads));
    p = std::min(p,
                 TimeMs([&] { return workload.on(processes); }, by_processes));
  }
  char line[160];
  std::snprintf(line, sizeof line, "%-36s%s%s%s%s", name.c_str(), Ms(s).c_str(),
                Ms(t).c_str(), Ms(p).c_str(), Ratio(p, t).c_str());
  lessons::PrintLine(line);
  const bool equal = by_threads == by_processes && by_threads == serial;
  lessons::PrintLine("    results equal: ", equal ? "yes" : "NO");
}

// map(fn, inputs) with a given chunksize, or serially.
template <long (*Fn)(int)>
struct MapWorkload {
  std::vector<int> inputs;
  std::optional<int> chunksize;
  std::vector<long> serial() const {
    std::vector<long> out;
    for (int x : inputs) out.push_back(Fn(x));
    return out;
  }
  template <class P>
  std::vector<long> on(P& p) const {
    return p.map(Fn, inputs, {.chunksize = chunksize});
  }
};

// One apply() per input: a full round trip each.
struct ApplyWorkload {
  std::vector<int> inputs;
  std::vector<long> serial() const {
    std::vector<long> out;
    for (int x : inputs) out.push_back(Square(x));
    return out;
  }
  template <class P>
  std::vector<long> on(P& p) const {
    std::vector<long> out;
    for (int x : inputs) out.push_back(p.apply(Square, x));
    return out;
  }
};

}  // namespace

int main(int argc, char** argv) {
  const bool quick = lessons::IntFlag(argc, argv, "quick", 0) != 0;
  repetitions = static_cast<int>(
      lessons::IntFlag(argc, argv, "repetitions", quick ? 1 : repetitions));
  const int tiny_items = quick ? 2000 : 100000;
  const int apply_items = quick ? 200 : 5000;
  const int cpu_items = quick ? 4 : 8;
  const int cpu_n = quick ? 20000 : 300000;

  // Step 1. Two pools of the same size: one worker per CPU.
  const int n = pool::CpuCount();
  pool::ThreadPool threads(n);
  pool::Pool processes(n);

  std::vector<int> tiny(tiny_items);
  std::iota(tiny.begin(), tiny.end(), 0);
  std::vector<int> few(apply_items);
  std::iota(few.begin(), few.end(), 0);
  std::vector<int> heavy(cpu_items);
  for (int i = 0; i < cpu_items; ++i) heavy[i] = cpu_n + i;

  lessons::PrintLine("machine: ", n, " CPUs, load average ", LoadAverage(),
                     "; best of ", repetitions, " runs each");
  char header[160];
  std::snprintf(header, sizeof header, "%-36s%13s%13s%13s%9s", "workload",
                "serial", "ThreadPool", "Pool", "Pool/TP");
  lessons::PrintLine(header);

  // Step 2. Tiny tasks: the cost of moving work between processes.
  Compare("map square, " + std::to_string(tiny_items) + " items", threads,
          processes, MapWorkload<Square>{tiny, std::nullopt});
  Compare(
      "map square, " + std::to_string(tiny_items / 5) + " items, chunksize=1",
      threads, processes,
      MapWorkload<Square>{{tiny.begin(), tiny.begin() + tiny_items / 5}, 1});
  Compare(std::to_string(apply_items) + " x apply(square)", threads, processes,
          ApplyWorkload{few});

  // Step 3. CPU-bound tasks: real work, which both pools run in parallel.
  Compare("map count_primes, " + std::to_string(cpu_items) + " items", threads,
          processes, MapWorkload<CountPrimes>{heavy, 1});

  // Step 4. CPU-bound under one lock per process: Python threads' case.
  Compare("  same, under a global lock (GIL)", threads, processes,
          MapWorkload<CountPrimesUnderGlobalLock>{heavy, 1});

  processes.close();
  processes.join();
  threads.close();
  threads.join();
  return 0;
}
