// exercises/11_threads_vs_processes/bench.cc: what your MapWithThreads and
// MapWithProcesses cost, pool start-up included.
//
// The exercise's speed claim, the article's: threads are lighter than
// processes. Both functions should start one pool and map through it in
// chunks; a thread or an apply() per item gives the same results and passes
// the tests, but pays per item what a pool pays per chunk.
//
// Built twice from this one source: //exercises/11_threads_vs_processes:
// bench on your exercise.cc, //solutions/11_threads_vs_processes:bench on
// the reference. The performance index compares the two, benchmark by
// benchmark. Run optimised:
//   ./bazelw run -c opt //exercises/11_threads_vs_processes:bench

#include <benchmark/benchmark.h>

#include <vector>

#include "exercises/11_threads_vs_processes/exercise.h"
#include "exercises/testing/bench_util.h"

namespace {

using ::exercises::testing::Iota;

constexpr int kWorkers = 2;
constexpr int kItems = 5000;

long long Square(long long x) { return x * x; }

void BM_MapWithThreads(benchmark::State& state) {
  const std::vector<long long> items = Iota<long long>(kItems);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        exercises::MapWithThreads(kWorkers, Square, items));
  }
  state.SetItemsProcessed(state.iterations() * kItems);
}
BENCHMARK(BM_MapWithThreads)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_MapWithProcesses(benchmark::State& state) {
  const std::vector<long long> items = Iota<long long>(kItems);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        exercises::MapWithProcesses(kWorkers, Square, items));
  }
  state.SetItemsProcessed(state.iterations() * kItems);
}
BENCHMARK(BM_MapWithProcesses)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
