// Lesson 07: starmap, each element unpacked into the call.
//
// map(f, items) calls f(item); starmap(f, items) calls f(*item): every
// element is itself a tuple, and its members become the arguments.

#include <unistd.h>

#include <string>
#include <tuple>
#include <vector>

#include "lessons/common/print.h"
#include "pool/pool.h"

namespace {

// def power(base, exp):
long Power(int base, int exp) {
  lessons::PrintLine("(", ::getpid(), ")进程正在执行: power(", base, ", ", exp,
                     ")");
  long r = 1;
  for (int i = 0; i < exp; ++i) r *= base;
  return r;
}

// def repeat(text, times):
std::string Repeat(std::string text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

// def first_of(pair): map passes the whole tuple as ONE argument.
int FirstOf(std::tuple<int, int> pair) { return std::get<0>(pair); }

}  // namespace

int main() {
  pool::Pool pool(4);
  const pid_t me = ::getpid();

  // Step 1. starmap(power, [(2, 5), (3, 2), (10, 3)]): each tuple becomes
  // the two arguments of one call, Power(2, 5) and so on.
  const std::vector<std::tuple<int, int>> pairs = {{2, 5}, {3, 2}, {10, 3}};
  for (long r : pool.starmap(Power, pairs)) {
    lessons::PrintLine("(", me, ")主进程: ", r);
  }

  // Step 2. The members may have different types.
  const std::vector<std::tuple<std::string, int>> words = {{"ab", 3},
                                                           {"进程", 2}};
  for (const std::string& s : pool.starmap(Repeat, words)) {
    lessons::PrintLine("(", me, ")主进程: ", s);
  }

  // Step 3. The same list through map: no unpacking, each call gets the
  // tuple itself.
  for (int r : pool.map(FirstOf, pairs)) {
    lessons::PrintLine("(", me, ")主进程: map(first_of): ", r);
  }

  pool.close();
  pool.join();
  return 0;
}
