// Every spelling of the API the compile-error snippets get wrong, right:
// compiles without a warning under -Wall -Wextra.
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
  pool.map(Log, {"a", "b"});
  pool.map_async(Log, {"c"}, {.callback = [] {}}).get();
  total += a.get() + m.get()[0] + s.get()[0] + squares[0] + sums[0];
  pool.close();
  pool.join();
  return total == 0;
}
