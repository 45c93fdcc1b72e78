// Exercise 13, reference solution: map on MPI, master/worker.

#include "exercises/13_mpi_map/exercise.h"

#include <mpi.h>

#include <stdexcept>

namespace exercises {
namespace {

// What a message from the master means; a worker's answer has its own tag.
constexpr int kTagWork = 1;    // {index, item}: compute fn(item).
constexpr int kTagStop = 2;    // empty: no more items, return.
constexpr int kTagResult = 3;  // {index, fn(item)}: a worker's answer.

std::vector<long long> Master(int size, long long (*)(long long),
                              const std::vector<long long>& items,
                              const OnResult& on_result) {
  const long long n = static_cast<long long>(items.size());
  std::vector<long long> results(items.size());
  long long next = 0;  // The next item to hand out.
  int busy = 0;        // Workers holding an item.

  // Sends `worker` the next item, or tells it to stop if none is left.
  auto feed = [&](int worker) {
    if (next < n) {
      const long long work[2] = {next, items[next]};
      MPI_Send(work, 2, MPI_LONG_LONG, worker, kTagWork, MPI_COMM_WORLD);
      ++next;
      ++busy;
    } else {
      MPI_Send(nullptr, 0, MPI_LONG_LONG, worker, kTagStop, MPI_COMM_WORLD);
    }
  };

  // Step 1. One item to every worker; those left over are stopped at once.
  for (int worker = 1; worker < size; ++worker) feed(worker);

  // Step 2. Whoever answers first is heard first. Its answer is also its
  // request for more.
  while (busy > 0) {
    long long answer[2];
    MPI_Status status;
    MPI_Recv(answer, 2, MPI_LONG_LONG, MPI_ANY_SOURCE, kTagResult,
             MPI_COMM_WORLD, &status);
    --busy;
    results[answer[0]] = answer[1];
    on_result(static_cast<std::size_t>(answer[0]), answer[1],
              status.MPI_SOURCE);
    feed(status.MPI_SOURCE);
  }
  return results;
}

void Worker(long long (*fn)(long long)) {
  for (;;) {
    long long work[2];
    MPI_Status status;
    MPI_Recv(work, 2, MPI_LONG_LONG, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
    if (status.MPI_TAG == kTagStop) return;
    const long long answer[2] = {work[0], fn(work[1])};
    MPI_Send(answer, 2, MPI_LONG_LONG, 0, kTagResult, MPI_COMM_WORLD);
  }
}

}  // namespace

std::vector<long long> MasterWorkerMap(long long (*fn)(long long),
                                       const std::vector<long long>& items,
                                       const OnResult& on_result) {
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size < 2) {
    throw std::invalid_argument(
        "MasterWorkerMap needs at least 2 ranks (a master and a worker)");
  }
  if (rank == 0) return Master(size, fn, items, on_result);
  Worker(fn);
  return {};
}

}  // namespace exercises
