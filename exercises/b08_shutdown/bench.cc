// exercises/b08_shutdown/bench.cc: what starting and ending a pool costs,
// each way. Shown, not graded on speed.
//
// Built twice from this one source: //exercises/b08_shutdown:bench on your
// shutdown.cc, //solutions/b08_shutdown:bench on the reference; rows named
// BM_Pool_* are pool::Pool. Run optimised:
//   ./bazelw run -c opt //exercises/b08_shutdown:bench

#include <benchmark/benchmark.h>

#include <cstdint>

#include "exercises/b06_apply_async/pool.h"
#include "pool/pool.h"

namespace {

constexpr int kWorkers = 2;

std::int64_t Identity(std::int64_t x) { return x; }

// Start a pool, run one task, close() and join().
void BM_StartCloseJoin(benchmark::State& state) {
  for (auto _ : state) {
    bpool::Pool pool(kWorkers);
    benchmark::DoNotOptimize(pool.apply_async(Identity, 1).get());
    pool.close();
    pool.join();
  }
}
BENCHMARK(BM_StartCloseJoin)->UseRealTime()->Unit(benchmark::kMillisecond);

// Start a pool, run one task, terminate().
void BM_StartTerminate(benchmark::State& state) {
  for (auto _ : state) {
    bpool::Pool pool(kWorkers);
    benchmark::DoNotOptimize(pool.apply_async(Identity, 1).get());
    pool.terminate();
  }
}
BENCHMARK(BM_StartTerminate)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_Pool_StartCloseJoin(benchmark::State& state) {
  for (auto _ : state) {
    pool::Pool pool(kWorkers);
    benchmark::DoNotOptimize(pool.apply(Identity, std::int64_t{1}));
    pool.close();
    pool.join();
  }
}
BENCHMARK(BM_Pool_StartCloseJoin)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
