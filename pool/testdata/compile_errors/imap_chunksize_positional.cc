// imap's chunksize and buffersize as bare numbers.
// expect: pool: imap and imap_unordered take (fn, items, options)
#include <vector>

#include "pool/pool.h"

int Square(int x) { return x * x; }

int main() {
  pool::Pool pool(2);
  for (int r : pool.imap_unordered(Square, std::vector<int>{1, 2}, 1, 4)) {
    return r;
  }
}
