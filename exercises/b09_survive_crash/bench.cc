// exercises/b09_survive_crash/bench.cc: what a worker's death costs the
// pool: noticing it, failing its task, starting a replacement.
//
// Built twice from this one source: //exercises/b09_survive_crash:bench on
// your crash.cc, //solutions/b09_survive_crash:bench on the reference. The
// performance index compares the two, benchmark by benchmark (rows named
// BM_Pool_* are pool::Pool on the same workload, shown for comparison and
// not scored). Run optimised:
//   ./bazelw run -c opt //exercises/b09_survive_crash:bench

#include <benchmark/benchmark.h>
#include <signal.h>

#include <cstdint>
#include <tuple>
#include <vector>

#include "exercises/b06_apply_async/pool.h"
#include "pool/pool.h"

namespace {

constexpr int kWorkers = 2;

std::int64_t Identity(std::int64_t x) { return x; }
std::int64_t KillSelf(std::int64_t) {
  ::raise(SIGKILL);
  return 0;
}

// `crashes` tasks that each kill their worker, then one that must succeed:
// each death is noticed, its task failed and a new worker started.
void BM_CrashRecovery(benchmark::State& state) {
  bpool::Pool pool(kWorkers);
  benchmark::DoNotOptimize(pool.apply_async(Identity, 1).get());
  std::vector<bpool::AsyncResult> deaths;
  for (auto _ : state) {
    deaths.clear();
    for (std::int64_t i = 0; i < state.range(0); ++i) {
      deaths.push_back(pool.apply_async(KillSelf, i));
    }
    for (const bpool::AsyncResult& r : deaths) r.wait();
    benchmark::DoNotOptimize(pool.apply_async(Identity, 2).get());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_CrashRecovery)
    ->ArgName("crashes")
    ->Arg(20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_Pool_CrashRecovery(benchmark::State& state) {
  pool::Pool pool(kWorkers);
  benchmark::DoNotOptimize(pool.apply(Identity, std::int64_t{1}));
  std::vector<pool::AsyncResult<std::int64_t>> deaths;
  for (auto _ : state) {
    deaths.clear();
    for (std::int64_t i = 0; i < state.range(0); ++i) {
      deaths.push_back(pool.apply_async(KillSelf, std::tuple{i}));
    }
    for (auto& r : deaths) r.wait();
    benchmark::DoNotOptimize(pool.apply(Identity, std::int64_t{2}));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Pool_CrashRecovery)
    ->ArgName("crashes")
    ->Arg(20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
