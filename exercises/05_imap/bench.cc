// exercises/05_imap/bench.cc: how fast your ImapAll reads many small
// results.
//
// The exercise's speed claim: imap hands out results as they come, and
// the chunksize sets how many items travel per round trip. An ImapAll that
// ignores its chunksize (imap's default is 1), or runs one apply() per
// item, gives the same results and passes the tests, but pays a round trip
// per item.
//
// Built twice from this one source: //exercises/05_imap:bench on your
// exercise.cc, //solutions/05_imap:bench on the reference. The performance
// index compares the two (BM_Pool_* rows call pool.imap directly and are
// not scored). Run optimised:
//   ./bazelw run -c opt //exercises/05_imap:bench

#include <benchmark/benchmark.h>

#include <vector>

#include "exercises/05_imap/exercise.h"
#include "exercises/testing/bench_util.h"
#include "pool/pool.h"

namespace {

using ::exercises::testing::Iota;

constexpr int kWorkers = 2;
constexpr int kItems = 10000;

long long Identity(long long x) { return x; }

void BM_ImapAll(benchmark::State& state) {
  pool::Pool pool(kWorkers);
  const std::vector<long long> items = Iota<long long>(kItems);
  const int chunksize = static_cast<int>(state.range(0));
  benchmark::DoNotOptimize(
      exercises::ImapAll(pool, Identity, items, chunksize));
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        exercises::ImapAll(pool, Identity, items, chunksize));
  }
  state.SetItemsProcessed(state.iterations() * kItems);
}
BENCHMARK(BM_ImapAll)
    ->ArgName("chunksize")
    ->Arg(100)
    ->Arg(1000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_Pool_Imap(benchmark::State& state) {
  pool::Pool pool(kWorkers);
  const std::vector<long long> items = Iota<long long>(kItems);
  for (auto _ : state) {
    long long sum = 0;
    for (long long r : pool.imap(Identity, items, {.chunksize = 100})) sum += r;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * kItems);
}
BENCHMARK(BM_Pool_Imap)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
