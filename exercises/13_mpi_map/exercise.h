// exercises/13_mpi_map/exercise.h: Exercise 13, map on MPI, master/worker.
//
// Lesson 13's dynamic version, as a function: rank 0 (the master) hands
// items one at a time to whichever worker rank is free, and collects the
// results as they arrive; the shape of pool.imap_unordered, on ranks
// instead of forked workers. Write it in exercise.cc; README.md has the
// details.

#ifndef EXERCISES_13_MPI_MAP_EXERCISE_H_
#define EXERCISES_13_MPI_MAP_EXERCISE_H_

#include <cstddef>
#include <functional>
#include <vector>

namespace exercises {

// Called on rank 0 as each result arrives: the item's index in the input,
// fn(items[index]), and the rank of the worker that computed it.
using OnResult =
    std::function<void(std::size_t index, long long result, int worker)>;

// A map over MPI_COMM_WORLD, master/worker style. Every rank calls it at
// the same point of the program (after MPI_Init, before MPI_Finalize), with
// the same fn.
//
// Rank 0, the master, owns `items`; the other ranks pass an empty vector and
// get their items only by message. The master:
//   - sends each worker (ranks 1 .. size-1) one item to start with, while
//     there are items;
//   - then receives results from ANY worker (MPI_ANY_SOURCE), calls
//     on_result(index, result, worker) as soon as each one arrives, and
//     answers that worker with the next item, or with a message that tells
//     it to stop when none are left;
//   - computes nothing itself, and returns fn(items[i]) for every i, in
//     input order, once every worker has been told to stop.
// A worker receives an item, computes fn on it, sends the result back, and
// repeats until it is told to stop; then it returns an empty vector. Every
// worker must be stopped, also one that never got an item (fewer items than
// workers, or none), and no message may be left over: the function can be
// called again in the same job.
//
// Needs at least 2 ranks (a master and a worker).
std::vector<long long> MasterWorkerMap(long long (*fn)(long long),
                                       const std::vector<long long>& items,
                                       const OnResult& on_result);

}  // namespace exercises

#endif  // EXERCISES_13_MPI_MAP_EXERCISE_H_
