// exercises/b07_map_chunks/map.h: Step b07 of the build-your-own-pool
// track. map, in chunks.
//
// One job per item costs a round trip through the pipes per item; for small
// tasks that round trip is the whole cost. map() instead cuts the items into
// chunks and sends each chunk as one job (Pool::submit), so the cost is paid
// once per chunk. Python's pool.map picks the chunk size so that each
// worker gets about four chunks: enough to balance uneven tasks, few enough
// to be cheap.
//
// Contract:
// - DefaultChunksize() is Python's formula, from multiprocessing/pool.py:
//       chunksize, extra = divmod(len(iterable), len(self._pool) * 4)
//       if extra: chunksize += 1
//   and 0 for no items.
// - map() submits ceil(items / chunksize) jobs, each of at most chunksize
//   consecutive items, all before waiting for any; it returns the results in
//   input order.
// - If a chunk fails, map() throws TaskFailed with the first failure in
//   input order (the chunks after it may still be running; the pool does not
//   wait for them).

#ifndef EXERCISES_B07_MAP_CHUNKS_MAP_H_
#define EXERCISES_B07_MAP_CHUNKS_MAP_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "exercises/b04_worker_loop/protocol.h"
#include "exercises/b06_apply_async/pool.h"

namespace bpool {

// The chunk size Python's pool.map uses for `items` items and `workers`
// workers (see above).
std::size_t DefaultChunksize(std::size_t items, int workers);

// Returns {fn(items[0]), fn(items[1]), ...}, computed by `pool`'s workers
// in chunks of `chunksize` items (DefaultChunksize() when empty). Throws
// std::invalid_argument if chunksize < 1, and as Pool::submit() does.
// Python: pool.map(fn, items, chunksize)
std::vector<std::int64_t> map(Pool& pool, Task fn,
                              const std::vector<std::int64_t>& items,
                              std::optional<int> chunksize = std::nullopt);

}  // namespace bpool

#endif  // EXERCISES_B07_MAP_CHUNKS_MAP_H_
