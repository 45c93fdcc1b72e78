// exercises/b05_many_workers/bench.cc: how fast MapEach() runs items on
// the workers, one job per item.
//
// Built twice from this one source: //exercises/b05_many_workers:bench on
// your engine.cc, //solutions/b05_many_workers:bench on the reference. The
// performance index compares the two, benchmark by benchmark (rows named
// BM_Pool_* are pool::Pool on the same workload, shown for comparison and
// not scored). Run optimised:
//   ./bazelw run -c opt //exercises/b05_many_workers:bench

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "exercises/b05_many_workers/engine.h"
#include "exercises/testing/bench_util.h"
#include "pool/pool.h"

namespace {

using ::exercises::testing::Iota;
using ::exercises::testing::Spin;

constexpr int kWorkers = 2;

std::int64_t Identity(std::int64_t x) { return x; }
// Tiny items: the cost is the round trip per item.
void BM_MapEach_Tiny(benchmark::State& state) {
  bpool::Engine engine(kWorkers);
  const std::vector<std::int64_t> items = Iota<std::int64_t>(state.range(0));
  benchmark::DoNotOptimize(bpool::MapEach(engine, Identity, items));
  for (auto _ : state) {
    benchmark::DoNotOptimize(bpool::MapEach(engine, Identity, items));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_MapEach_Tiny)
    ->ArgName("items")
    ->Arg(1000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Items of about 20 us: the workers' time counts as well.
void BM_MapEach_Spin(benchmark::State& state) {
  bpool::Engine engine(kWorkers);
  const std::vector<std::int64_t> items = Iota<std::int64_t>(state.range(0));
  benchmark::DoNotOptimize(bpool::MapEach(engine, Spin, items));
  for (auto _ : state) {
    benchmark::DoNotOptimize(bpool::MapEach(engine, Spin, items));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_MapEach_Spin)
    ->ArgName("items")
    ->Arg(200)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// pool::Pool, one item per task (chunksize 1), for comparison.
void BM_Pool_MapEach_Tiny(benchmark::State& state) {
  pool::Pool pool(kWorkers);
  const std::vector<std::int64_t> items = Iota<std::int64_t>(state.range(0));
  benchmark::DoNotOptimize(pool.map(Identity, items, {.chunksize = 1}));
  for (auto _ : state)
    benchmark::DoNotOptimize(pool.map(Identity, items, {.chunksize = 1}));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Pool_MapEach_Tiny)
    ->ArgName("items")
    ->Arg(1000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
