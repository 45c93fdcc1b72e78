// exercises/b07_map_chunks/bench.cc: how fast map() runs many items, in
// chunks.
//
// Built twice from this one source: //exercises/b07_map_chunks:bench on
// your map.cc, //solutions/b07_map_chunks:bench on the reference. The
// performance index compares the two, benchmark by benchmark (rows named
// BM_Pool_* are pool::Pool on the same workload, shown for comparison and
// not scored). Run optimised:
//   ./bazelw run -c opt //exercises/b07_map_chunks:bench

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "exercises/b07_map_chunks/map.h"
#include "exercises/testing/bench_util.h"
#include "pool/pool.h"

namespace {

using ::exercises::testing::Iota;
using ::exercises::testing::Spin;

constexpr int kWorkers = 2;

std::int64_t Identity(std::int64_t x) { return x; }
// Many tiny items, default chunk size: the cost is per chunk, not per item.
void BM_Map_Tiny(benchmark::State& state) {
  bpool::Pool pool(kWorkers);
  const std::vector<std::int64_t> items = Iota<std::int64_t>(state.range(0));
  benchmark::DoNotOptimize(bpool::map(pool, Identity, items));
  for (auto _ : state) {
    benchmark::DoNotOptimize(bpool::map(pool, Identity, items));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Map_Tiny)
    ->ArgName("items")
    ->Arg(100000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Items of about 20 us, default chunk size.
void BM_Map_Spin(benchmark::State& state) {
  bpool::Pool pool(kWorkers);
  const std::vector<std::int64_t> items = Iota<std::int64_t>(state.range(0));
  benchmark::DoNotOptimize(bpool::map(pool, Spin, items));
  for (auto _ : state) {
    benchmark::DoNotOptimize(bpool::map(pool, Spin, items));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Map_Spin)
    ->ArgName("items")
    ->Arg(1000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// pool::Pool's map on the same workloads, for comparison.
void BM_Pool_Map_Tiny(benchmark::State& state) {
  pool::Pool pool(kWorkers);
  const std::vector<std::int64_t> items = Iota<std::int64_t>(state.range(0));
  benchmark::DoNotOptimize(pool.map(Identity, items));
  for (auto _ : state) benchmark::DoNotOptimize(pool.map(Identity, items));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Pool_Map_Tiny)
    ->ArgName("items")
    ->Arg(100000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_Pool_Map_Spin(benchmark::State& state) {
  pool::Pool pool(kWorkers);
  const std::vector<std::int64_t> items = Iota<std::int64_t>(state.range(0));
  benchmark::DoNotOptimize(pool.map(Spin, items));
  for (auto _ : state) benchmark::DoNotOptimize(pool.map(Spin, items));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Pool_Map_Spin)
    ->ArgName("items")
    ->Arg(1000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
