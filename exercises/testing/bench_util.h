// exercises/testing/bench_util.h: workloads shared by the exercises'
// benchmarks (the bench.cc files graded on speed).

#ifndef EXERCISES_TESTING_BENCH_UTIL_H_
#define EXERCISES_TESTING_BENCH_UTIL_H_

#include <cstdint>
#include <numeric>
#include <vector>

namespace exercises::testing {

// The items 0, 1, ..., n - 1.
template <class T>
std::vector<T> Iota(std::int64_t n) {
  std::vector<T> items(static_cast<std::size_t>(n));
  std::iota(items.begin(), items.end(), T{0});
  return items;
}

// About 20 us of arithmetic (-O2, on a 2-core VM) whose result depends on
// every step, so it cannot be optimised away: a task that does some work.
inline std::int64_t Spin(std::int64_t x) {
  std::uint64_t v = static_cast<std::uint64_t>(x) + 1;
  for (int i = 0; i < 20000; ++i) v = v * 6364136223846793005ULL + 1;
  return static_cast<std::int64_t>(v >> 1);
}

}  // namespace exercises::testing

#endif  // EXERCISES_TESTING_BENCH_UTIL_H_
