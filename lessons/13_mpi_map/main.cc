// Lesson 13: the article's map on Open MPI, two ways.
//
// One program, started as 4 processes (ranks) by mpirun; every rank runs
// main() and learns its number from MPI. The launcher,
//   ./bazelw run //lessons/13_mpi_map
// runs both versions with the right mpirun flags (see the README):
//
//   mpi_map static    rank 0 scatters the inputs, every rank computes its
//                     share, rank 0 gathers the sums: the shape of
//                     pool.map(action, (50, 100, 150)).
//   mpi_map dynamic   rank 0 is the master: it hands one item at a time to
//                     whichever worker is free (MPI_ANY_SOURCE) and collects
//                     the sums as they come, then stops the workers: the
//                     shape of pool.imap_unordered.
//
// Each rank prints the article's step lines with "rank R@host" where the
// article prints the pid, then one "done" line; rank 0 prints the separator
// and the three sums.

#include <mpi.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "lessons/common/print.h"

namespace {

// The article's inputs: map(action, (50, 100, 150)).
const std::vector<long> kInputs = {50, 100, 150};

// Message tags of the dynamic version: what a message from rank 0 means.
constexpr int kTagWork = 1;    // {index, input}: compute this one.
constexpr int kTagStop = 2;    // nothing left: return.
constexpr int kTagResult = 3;  // {index, sum}: a worker's answer.

// "rank 2@myhost": who prints a line, where the article prints the pid.
std::string Label(int rank) {
  char host[MPI_MAX_PROCESSOR_NAME];
  int length = 0;
  MPI_Get_processor_name(host, &length);
  return "rank " + std::to_string(rank) + "@" + std::string(host, length);
}

// def action(max): the article's task, unchanged but for the label.
long Action(long max, const std::string& label) {
  long my_sum = 0;
  for (long i = 0; i < max; ++i) {
    // print('(%s)进程正在执行: %d' % (os.getpid(), i))
    lessons::PrintLine("(", label, ")进程正在执行: ", i);
    my_sum += i;
  }
  return my_sum;
}

void PrintSums(const std::vector<long>& sums) {
  lessons::PrintLine("--------------");
  for (long sum : sums) lessons::PrintLine(sum);
}

// Version 1: scatter, compute, gather. Every rank runs this.
void StaticMap(int rank, int size) {
  const std::string label = Label(rank);

  // Step 1. Only rank 0 has the inputs. Tell every rank how many there are,
  // so that each can work out the same split: rank r gets counts[r] items
  // starting at displs[r]. 3 items on 4 ranks: 1, 1, 1 and 0 (the same
  // split as Python's map with chunksize 1; the fourth rank has nothing).
  long n = rank == 0 ? static_cast<long>(kInputs.size()) : 0;
  MPI_Bcast(&n, 1, MPI_LONG, 0, MPI_COMM_WORLD);
  std::vector<int> counts(size), displs(size);
  for (int r = 0, offset = 0; r < size; ++r) {
    counts[r] = static_cast<int>(n / size + (r < n % size ? 1 : 0));
    displs[r] = offset;
    offset += counts[r];
  }

  // Step 2. MPI_Scatterv: rank 0 sends each rank its share (itself
  // included); every other rank receives into `mine`.
  std::vector<long> mine(counts[rank]);
  MPI_Scatterv(rank == 0 ? kInputs.data() : nullptr, counts.data(),
               displs.data(), MPI_LONG, mine.data(), counts[rank], MPI_LONG, 0,
               MPI_COMM_WORLD);

  // Step 3. Every rank computes its share; nobody talks meanwhile.
  std::vector<long> sums;
  for (long max : mine) sums.push_back(Action(max, label));
  lessons::PrintLine("(", label, ") done: computed ", sums.size(), " of ", n,
                     " items");

  // Step 4. MPI_Gatherv: the sums come back to rank 0 in input order, each
  // at its rank's offset, whichever rank finished first.
  std::vector<long> all(rank == 0 ? n : 0);
  MPI_Gatherv(sums.data(), counts[rank], MPI_LONG, all.data(), counts.data(),
              displs.data(), MPI_LONG, 0, MPI_COMM_WORLD);
  if (rank == 0) PrintSums(all);
}

// Version 2, rank 0: the master hands out work and collects the sums.
void Master(int size) {
  const std::string label = Label(0);
  const long n = static_cast<long>(kInputs.size());
  std::vector<long> sums(n);
  long next = 0;  // The next item to hand out.
  int busy = 0;   // Workers holding an item.

  // Step 1. One item to every worker, while there are items; a worker
  // with none is told to stop at once.
  for (int worker = 1; worker < size; ++worker) {
    if (next < n) {
      const long work[2] = {next, kInputs[next]};
      MPI_Send(work, 2, MPI_LONG, worker, kTagWork, MPI_COMM_WORLD);
      ++next;
      ++busy;
    } else {
      MPI_Send(nullptr, 0, MPI_LONG, worker, kTagStop, MPI_COMM_WORLD);
    }
  }

  // Step 2. Wait for a result from ANY worker: whichever finishes first is
  // heard first. Its result is also its request for more: it gets the next
  // item, or the stop tag when none are left.
  while (busy > 0) {
    long result[2];
    MPI_Status status;
    MPI_Recv(result, 2, MPI_LONG, MPI_ANY_SOURCE, kTagResult, MPI_COMM_WORLD,
             &status);
    const int worker = status.MPI_SOURCE;
    sums[result[0]] = result[1];
    lessons::PrintLine("(", label, ") got ", result[1], " for ",
                       kInputs[result[0]], " from rank ", worker);
    if (next < n) {
      const long work[2] = {next, kInputs[next]};
      MPI_Send(work, 2, MPI_LONG, worker, kTagWork, MPI_COMM_WORLD);
      ++next;
    } else {
      MPI_Send(nullptr, 0, MPI_LONG, worker, kTagStop, MPI_COMM_WORLD);
      --busy;
    }
  }
  lessons::PrintLine("(", label, ") done: computed 0 of ", n, " items");

  // Step 3. Every slot is filled: print them in input order, like map. (Use
  // them in arrival order, as above, and this is imap_unordered.)
  PrintSums(sums);
}

// Version 2, ranks 1..: a worker computes what it is given until told to
// stop.
void Worker(int rank) {
  const std::string label = Label(rank);
  long computed = 0;
  for (;;) {
    long work[2];
    MPI_Status status;
    MPI_Recv(work, 2, MPI_LONG, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
    if (status.MPI_TAG == kTagStop) break;
    const long result[2] = {work[0], Action(work[1], label)};
    MPI_Send(result, 2, MPI_LONG, 0, kTagResult, MPI_COMM_WORLD);
    ++computed;
  }
  lessons::PrintLine("(", label, ") done: computed ", computed, " of ",
                     kInputs.size(), " items");
}

}  // namespace

int main(int argc, char** argv) {
  // Every rank starts here. MPI_Init connects it to the others.
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);

  const std::string_view mode = argc == 2 ? argv[1] : "";
  int status = 0;
  if (mode == "static") {
    StaticMap(rank, size);
  } else if (mode == "dynamic" && size >= 2) {
    rank == 0 ? Master(size) : Worker(rank);
  } else {
    // Every rank gets here alike, so each returns without waiting for the
    // others; only rank 0 explains.
    if (rank == 0) {
      std::fprintf(stderr,
                   "usage: mpirun -np 4 %s static|dynamic\n"
                   "(dynamic needs at least 2 ranks: a master and a worker; "
                   "this job has %d)\n",
                   argv[0], size);
    }
    status = 2;
  }
  MPI_Finalize();
  return status;
}
