# The article's map program on MPI, in Python: mpi4py's MPIPoolExecutor is
# Python's pool in the same shape as multiprocessing.Pool, but its workers
# are MPI ranks, possibly on other machines. Rank 0 runs this script's main
# block; ranks 1..N-1 serve as workers.
#
# Not part of the build or the tests. It needs Debian's python3-mpi4py (not
# installed by ./bazelw) and Debian's own Python:
#   mpirun -np 4 --oversubscribe /usr/bin/python3 -m mpi4py.futures \
#     lessons/13_mpi_map/article_mpi.py
# (as root, add --allow-run-as-root).
import socket

from mpi4py import MPI
from mpi4py.futures import MPIPoolExecutor


def action(max):
    my_sum = 0
    rank = MPI.COMM_WORLD.Get_rank()
    for i in range(max):
        print('(rank %d@%s)进程正在执行: %d' % (rank, socket.gethostname(), i),
              flush=True)
        my_sum += i
    return my_sum


if __name__ == '__main__':
    with MPIPoolExecutor() as pool:
        results = pool.map(action, (50, 100, 150))
        print('--------------')
        for r in results:
            print(r)
