// Lesson 03: map, the article's second program.
//
// `with Pool(4) as pool:` becomes a C++ scope that owns a pool::Pool.
// map() runs Action(50), Action(100) and Action(150) in the workers, each
// printing every step, and returns the three sums in input order.

#include <unistd.h>

#include <vector>

#include "lessons/common/print.h"
#include "pool/pool.h"

namespace {

// def action(max):   (定义一个准备作为进程任务的函数)
long Action(int max) {
  long my_sum = 0;
  for (int i = 0; i < max; ++i) {
    // print('(%s)进程正在执行: %d' % (os.getpid(), i))
    lessons::PrintLine("(", ::getpid(), ")进程正在执行: ", i);
    my_sum += i;
  }
  return my_sum;
}

}  // namespace

int main() {
  {
    // Step 1. with multiprocessing.Pool(processes=4) as pool:
    // The pool lives until the closing brace of this scope.
    pool::Pool pool(4);

    // Step 2. results = pool.map(action, (50, 100, 150))
    // The article's comment says the 3-element tuple makes the program
    // start 3 processes. It does not: the pool started 4 workers above,
    // and map() splits the input into chunks (here 3 chunks of one item)
    // that go to whichever workers are free. See the README.
    std::vector<long> results = pool.map(Action, {50, 100, 150});

    // Step 3. Print the separator and the sums, in input order.
    lessons::PrintLine("--------------");
    for (long r : results) lessons::PrintLine(r);
  }  // Step 4. Leaving the scope destroys the pool, like leaving `with`.
  return 0;
}
