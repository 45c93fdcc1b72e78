// Every spelling of the API the compile-error snippets get wrong, right:
// compiles without a warning under -Wall -Wextra.
#include <chrono>
#include <string>
#include <tuple>
#include <vector>

#include "pool/pool.h"

int Square(int x) { return x * x; }
int Add(int a, int b) { return a + b; }
void Log(const std::string&) {}

int main() {
  pool::Pool pool(pool::Options{.processes = 2, .maxtasksperchild = 100});
  pool::ThreadPool threads;
  std::vector<int> xs{1, 2, 3};
  int total = pool.apply(Square, 7) + pool.apply(Add, std::tuple{1, 2});
  auto a = pool.apply_async(Square, std::tuple{7},
                            {.callback = [](const int&) {},
                             .error_callback = [](const pool::Error&) {}});
  std::vector<int> squares = pool.map(Square, xs, {.chunksize = 8});
  auto m = pool.map_async(Square, xs,
                          {.chunksize = 8,
                           .callback = [](const std::vector<int>&) {},
                           .error_callback = [](const pool::Error&) {}});
  std::vector<int> sums = threads.starmap(Add, {{1, 2}, {3, 4}});
  auto s = pool.starmap_async(Add, std::vector<std::tuple<int, int>>{{1, 2}},
                              {.callback = [](const std::vector<int>&) {}});
  for (int r : pool.imap(Square, xs, {.chunksize = 4, .buffersize = 2})) {
    total += r;
  }
  auto it = pool.imap_unordered(Square, xs);
  while (auto r = it.next()) total += *r;
  using namespace std::chrono_literals;
  pool::Pool limited(pool::Options{.processes = 1,
                                   .memory_limit = std::size_t{1} << 40,
                                   .cpu_time_limit = 10s});
  total += pool.apply(Square, std::tuple{7}, {.timeout = 2s});
  auto t = pool.apply_async(
      Square, std::tuple{7},
      {.error_callback = [](const pool::Error&) {}, .timeout = 1.5s});
  total += pool.map(Square, xs, {.chunksize = 1, .timeout = 200ms})[0];
  auto tm = pool.starmap_async(Add, std::vector<std::tuple<int, int>>{{1, 2}},
                               {.timeout = std::chrono::minutes(1)});
  auto ti = pool.imap(Square, xs, {.chunksize = 2, .timeout = 500ms});
  total += static_cast<int>(t.cancel()) + static_cast<int>(tm.cancel()) +
           static_cast<int>(ti.cancel());
  pool.map(Log, {"a", "b"});
  pool.map_async(Log, {"c"}, {.callback = [] {}}).get();
  total += a.get() + m.get()[0] + s.get()[0] + squares[0] + sums[0];
  pool.close();
  pool.join();
  return total == 0;
}
