# The article's map program on MPI, in Python: mpi4py's MPIPoolExecutor is
# Python's pool in the same shape as multiprocessing.Pool, but its workers
# are MPI ranks, possibly on other machines. Rank 0 runs this script's main
# block, as the master; ranks 1..N-1 serve as workers. It prints the lines
# that main.cc's dynamic version prints: every rank's steps and a "done"
# line, and rank 0's "got" line for each sum as it arrives.
#
# Not part of the build or the tests. It needs Debian's python3-mpi4py (not
# installed by ./bazelw) and Debian's own Python:
#   mpirun -np 4 --oversubscribe /usr/bin/python3 -m mpi4py.futures \
#     lessons/13_mpi_map/article_mpi.py
# (as root, add --allow-run-as-root).
import atexit
import socket
from concurrent.futures import as_completed

from mpi4py import MPI
from mpi4py.futures import MPIPoolExecutor

INPUTS = (50, 100, 150)
computed = 0  # How many items this rank has computed.


def label():
    # "rank 2@myhost": who prints a line, where the article prints the pid.
    return 'rank %d@%s' % (MPI.COMM_WORLD.Get_rank(), socket.gethostname())


def action(max):
    my_sum = 0
    me = label()
    for i in range(max):
        print('(%s)进程正在执行: %d' % (me, i), flush=True)
        my_sum += i
    return my_sum


def task(max):
    # action() on a worker; the worker's rank comes back with the sum, so
    # that the master can say who computed it.
    global computed
    computed += 1
    return action(max), MPI.COMM_WORLD.Get_rank()


def report_done():
    print('(%s) done: computed %d of %d items'
          % (label(), computed, len(INPUTS)), flush=True)


if __name__ == '__worker__':
    # mpi4py loads this file as __worker__ on ranks 1..N-1 before they serve
    # tasks; each reports its count as it exits, once the pool has shut down.
    atexit.register(report_done)

if __name__ == '__main__':
    with MPIPoolExecutor() as pool:
        futures = {pool.submit(task, m): i for i, m in enumerate(INPUTS)}
        results = [None] * len(INPUTS)
        # Each sum as it arrives, from whichever worker finished first
        # (imap_unordered); stored by index, so printed below in input
        # order (map).
        for future in as_completed(futures):
            i = futures[future]
            results[i], worker = future.result()
            print('(%s) got %d for %d from rank %d'
                  % (label(), results[i], INPUTS[i], worker))
        report_done()
        print('--------------')
        for r in results:
            print(r)
