// exercises/06_imap_unordered/bench.cc: how fast your ImapUnorderedAll
// and ForEachAsCompleted deliver results.
//
// The exercise's speed claims: imap_unordered hands out each result as
// soon as it is done, without keeping finished results back until the ones
// before them are in; and the chunksize sets how many items travel per
// round trip. An ordered imap, a chunksize ignored, or one apply() per
// item gives the same results as a multiset and passes the tests, but is
// slower.
//
// Built twice from this one source: //exercises/06_imap_unordered:bench on
// your exercise.cc, //solutions/06_imap_unordered:bench on the reference.
// The performance index compares the two (BM_Pool_* rows call
// pool.imap_unordered directly and are not scored). Run optimised:
//   ./bazelw run -c opt //exercises/06_imap_unordered:bench

#include <benchmark/benchmark.h>

#include <vector>

#include "exercises/06_imap_unordered/exercise.h"
#include "exercises/testing/bench_util.h"
#include "pool/pool.h"

namespace {

using ::exercises::testing::Iota;

constexpr int kWorkers = 2;

long long Identity(long long x) { return x; }
// Many tiny items, chunks of 100.
void BM_ImapUnorderedAll(benchmark::State& state) {
  pool::Pool pool(kWorkers);
  const std::vector<long long> items = Iota<long long>(5000);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        exercises::ImapUnorderedAll(pool, Identity, items, 100));
  }
  state.SetItemsProcessed(state.iterations() * 5000);
}
BENCHMARK(BM_ImapUnorderedAll)->UseRealTime()->Unit(benchmark::kMillisecond);

// ForEachAsCompleted over many tiny items (its default chunksize is 1).
void BM_ForEachAsCompleted(benchmark::State& state) {
  pool::Pool pool(kWorkers);
  const std::vector<long long> items = Iota<long long>(2000);
  for (auto _ : state) {
    long long sum = 0;
    exercises::ForEachAsCompleted(pool, Identity, items,
                                  [&sum](long long r) { sum += r; });
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * 2000);
}
BENCHMARK(BM_ForEachAsCompleted)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_Pool_ImapUnordered(benchmark::State& state) {
  pool::Pool pool(kWorkers);
  const std::vector<long long> items = Iota<long long>(5000);
  for (auto _ : state) {
    long long sum = 0;
    for (long long r : pool.imap_unordered(Identity, items, {.chunksize = 100}))
      sum += r;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * 5000);
}
BENCHMARK(BM_Pool_ImapUnordered)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
