// exercises/b06_apply_async/bench.cc: how fast apply_async() turns jobs
// around, one at a time and many in flight.
//
// Built twice from this one source: //exercises/b06_apply_async:bench on
// your pool.cc, //solutions/b06_apply_async:bench on the reference. The
// performance index compares the two, benchmark by benchmark (rows named
// BM_Pool_* are pool::Pool on the same workload, shown for comparison and
// not scored). Run optimised:
//   ./bazelw run -c opt //exercises/b06_apply_async:bench

#include <benchmark/benchmark.h>

#include <cstdint>
#include <tuple>
#include <vector>

#include "exercises/b06_apply_async/pool.h"
#include "pool/pool.h"

namespace {

constexpr int kWorkers = 2;

std::int64_t Identity(std::int64_t x) { return x; }

// One job at a time: apply_async(...).get(), the latency of one job.
void BM_Apply_RoundTrip(benchmark::State& state) {
  bpool::Pool pool(kWorkers);
  benchmark::DoNotOptimize(pool.apply_async(Identity, 1).get());
  std::int64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(pool.apply_async(Identity, ++i).get());
  }
}
BENCHMARK(BM_Apply_RoundTrip)->UseRealTime()->Unit(benchmark::kMicrosecond);

// Many jobs in flight: submit them all, then get() them all.
void BM_ApplyAsync_Throughput(benchmark::State& state) {
  bpool::Pool pool(kWorkers);
  benchmark::DoNotOptimize(pool.apply_async(Identity, 1).get());
  std::vector<bpool::AsyncResult> results;
  for (auto _ : state) {
    results.clear();
    for (std::int64_t i = 0; i < state.range(0); ++i) {
      results.push_back(pool.apply_async(Identity, i));
    }
    for (const bpool::AsyncResult& r : results) {
      benchmark::DoNotOptimize(r.get());
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ApplyAsync_Throughput)
    ->ArgName("in_flight")
    ->Arg(1000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// pool::Pool on the same two workloads, for comparison.
void BM_Pool_Apply_RoundTrip(benchmark::State& state) {
  pool::Pool pool(kWorkers);
  benchmark::DoNotOptimize(pool.apply(Identity, std::int64_t{1}));
  std::int64_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(pool.apply(Identity, ++i));
}
BENCHMARK(BM_Pool_Apply_RoundTrip)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

void BM_Pool_ApplyAsync_Throughput(benchmark::State& state) {
  pool::Pool pool(kWorkers);
  benchmark::DoNotOptimize(pool.apply(Identity, std::int64_t{1}));
  std::vector<pool::AsyncResult<std::int64_t>> results;
  for (auto _ : state) {
    results.clear();
    for (std::int64_t i = 0; i < state.range(0); ++i) {
      results.push_back(pool.apply_async(Identity, std::tuple{i}));
    }
    for (auto& r : results) benchmark::DoNotOptimize(r.get());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Pool_ApplyAsync_Throughput)
    ->ArgName("in_flight")
    ->Arg(1000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
