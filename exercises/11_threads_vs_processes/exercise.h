// exercises/11_threads_vs_processes/exercise.h: Exercise 11, threads vs
// processes.
//
// Python has two pools with one API: multiprocessing.Pool runs tasks in
// worker processes, multiprocessing.pool.ThreadPool in threads of the
// calling process. Here they are pool::Pool and pool::ThreadPool. Threads
// share the caller's memory; processes each have their own copy. Write the
// functions below in exercise.cc; README.md has the details.

#ifndef EXERCISES_11_THREADS_VS_PROCESSES_EXERCISE_H_
#define EXERCISES_11_THREADS_VS_PROCESSES_EXERCISE_H_

#include <vector>

#include "pool/pool.h"

namespace exercises {

// Maps fn over `items` with a pool of `workers` threads and returns the
// results. Python: with ThreadPool(workers) as p: return p.map(fn, items)
std::vector<long long> MapWithThreads(int workers, long long (*fn)(long long),
                                      const std::vector<long long>& items);

// The same with a pool of `workers` processes.
// Python: with Pool(workers) as p: return p.map(fn, items)
std::vector<long long> MapWithProcesses(int workers, long long (*fn)(long long),
                                        const std::vector<long long>& items);

}  // namespace exercises

#endif  // EXERCISES_11_THREADS_VS_PROCESSES_EXERCISE_H_
