#include <benchmark/benchmark.h>

#include "exercises/zz_speed/exercise.h"

namespace {

void BM_SumTo(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(zz::SumTo(state.range(0)));
}
BENCHMARK(BM_SumTo)->Arg(1 << 16)->MinTime(0.05);

}  // namespace
