// exercises/b10_deadline/bench.cc: what a deadline costs the pool: when it
// passes (noticing it, killing the worker, failing its task, starting a
// replacement) and when it does not (tasks with a timeout they never reach).
//
// Built twice from this one source: //exercises/b10_deadline:bench on your
// deadline.cc, //solutions/b10_deadline:bench on the reference. The
// performance index compares the two, benchmark by benchmark (rows named
// BM_Pool_* are pool::Pool with `.timeout` on the same workload, shown for
// comparison and not scored). Run optimised:
//   ./bazelw run -c opt //exercises/b10_deadline:bench

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <tuple>
#include <vector>

#include "exercises/b06_apply_async/pool.h"
#include "pool/pool.h"

namespace {

using std::chrono::milliseconds;

constexpr int kWorkers = 2;

std::int64_t Identity(std::int64_t x) { return x; }
// Stuck until killed (it gives up after 10 s, long after any deadline here).
std::int64_t Stuck(std::int64_t) {
  ::sleep(10);
  return -1;
}

// `timeouts` tasks that each get stuck past a 1 ms deadline, then one that
// must succeed: each deadline is noticed, its worker killed and replaced,
// its task failed.
void BM_TimeoutRecovery(benchmark::State& state) {
  bpool::Pool pool(kWorkers);
  benchmark::DoNotOptimize(pool.apply_async(Identity, 1).get());
  std::vector<bpool::AsyncResult> stuck;
  for (auto _ : state) {
    stuck.clear();
    for (std::int64_t i = 0; i < state.range(0); ++i) {
      stuck.push_back(pool.apply_async(Stuck, i, milliseconds{1}));
    }
    for (const bpool::AsyncResult& r : stuck) r.wait();
    benchmark::DoNotOptimize(pool.apply_async(Identity, 2).get());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_TimeoutRecovery)
    ->ArgName("timeouts")
    ->Arg(20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// `tasks` quick tasks, each with a 10 s timeout it never reaches, all in
// flight at once: what keeping the deadlines costs the engine's loop.
void BM_TimeoutNeverHit(benchmark::State& state) {
  bpool::Pool pool(kWorkers);
  std::vector<bpool::AsyncResult> results;
  for (auto _ : state) {
    results.clear();
    for (std::int64_t i = 0; i < state.range(0); ++i) {
      results.push_back(pool.apply_async(Identity, i, milliseconds{10000}));
    }
    for (const bpool::AsyncResult& r : results) {
      benchmark::DoNotOptimize(r.get());
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_TimeoutNeverHit)
    ->ArgName("tasks")
    ->Arg(1000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_Pool_TimeoutRecovery(benchmark::State& state) {
  pool::Pool pool(kWorkers);
  benchmark::DoNotOptimize(pool.apply(Identity, std::int64_t{1}));
  std::vector<pool::AsyncResult<std::int64_t>> stuck;
  for (auto _ : state) {
    stuck.clear();
    for (std::int64_t i = 0; i < state.range(0); ++i) {
      stuck.push_back(
          pool.apply_async(Stuck, std::tuple{i}, {.timeout = milliseconds{1}}));
    }
    for (auto& r : stuck) r.wait();
    benchmark::DoNotOptimize(pool.apply(Identity, std::int64_t{2}));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Pool_TimeoutRecovery)
    ->ArgName("timeouts")
    ->Arg(20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_Pool_TimeoutNeverHit(benchmark::State& state) {
  pool::Pool pool(kWorkers);
  std::vector<pool::AsyncResult<std::int64_t>> results;
  for (auto _ : state) {
    results.clear();
    for (std::int64_t i = 0; i < state.range(0); ++i) {
      results.push_back(pool.apply_async(Identity, std::tuple{i},
                                         {.timeout = milliseconds{10000}}));
    }
    for (auto& r : results) benchmark::DoNotOptimize(r.get());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Pool_TimeoutNeverHit)
    ->ArgName("tasks")
    ->Arg(1000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
