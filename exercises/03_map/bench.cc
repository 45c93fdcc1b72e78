// exercises/03_map/bench.cc: how fast your MapInWorkers and MapInChunks
// run many small items.
//
// The exercise's speed claim: map sends the items in chunks, a round trip
// per chunk, to every worker at once. A loop of apply() calls gives the
// same numbers and passes the tests, but pays a round trip per item, one
// after the other.
//
// Built twice from this one source: //exercises/03_map:bench on your
// exercise.cc, //solutions/03_map:bench on the reference. The performance
// index compares the two, benchmark by benchmark (BM_Pool_* rows call
// pool.map directly, for comparison, and are not scored). Run optimised:
//   ./bazelw run -c opt //exercises/03_map:bench

#include <benchmark/benchmark.h>

#include <vector>

#include "exercises/03_map/exercise.h"
#include "exercises/testing/bench_util.h"
#include "pool/pool.h"

namespace {

using ::exercises::testing::Iota;

constexpr int kWorkers = 2;
constexpr int kItems = 5000;

long long Identity(long long x) { return x; }

void BM_MapInWorkers(benchmark::State& state) {
  pool::Pool pool(kWorkers);
  const std::vector<long long> items = Iota<long long>(kItems);
  benchmark::DoNotOptimize(exercises::MapInWorkers(pool, Identity, items));
  for (auto _ : state) {
    benchmark::DoNotOptimize(exercises::MapInWorkers(pool, Identity, items));
  }
  state.SetItemsProcessed(state.iterations() * kItems);
}
BENCHMARK(BM_MapInWorkers)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_MapInChunks(benchmark::State& state) {
  pool::Pool pool(kWorkers);
  const std::vector<long long> items = Iota<long long>(kItems);
  const int chunksize = static_cast<int>(state.range(0));
  benchmark::DoNotOptimize(
      exercises::MapInChunks(pool, Identity, items, chunksize));
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        exercises::MapInChunks(pool, Identity, items, chunksize));
  }
  state.SetItemsProcessed(state.iterations() * kItems);
}
BENCHMARK(BM_MapInChunks)
    ->ArgName("chunksize")
    ->Arg(250)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_Pool_Map(benchmark::State& state) {
  pool::Pool pool(kWorkers);
  const std::vector<long long> items = Iota<long long>(kItems);
  benchmark::DoNotOptimize(pool.map(Identity, items));
  for (auto _ : state) benchmark::DoNotOptimize(pool.map(Identity, items));
  state.SetItemsProcessed(state.iterations() * kItems);
}
BENCHMARK(BM_Pool_Map)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
