# Lesson 11 in Python: the article's claim where it was made. The same
# workloads as main.cc on multiprocessing.pool.ThreadPool and
# multiprocessing.Pool; count_primes runs on inputs ten times smaller (pure
# Python is much slower than C++). Run: python3 threads_vs_processes.py
import multiprocessing
import os
import time
from multiprocessing.pool import ThreadPool


def square(x):
    return x * x


def count_primes(n):
    count = 0
    for i in range(2, n):
        d = 2
        while d * d <= i:
            if i % d == 0:
                break
            d += 1
        else:
            count += 1
    return count


def time_ms(run):
    start = time.perf_counter()
    result = run()
    return (time.perf_counter() - start) * 1000, result


def compare(name, threads, processes, serial, on, repetitions=5):
    # The best of `repetitions` rounds; each round runs all three, so that a
    # burst of load from other programs slows all three rather than one.
    s = t = p = float('inf')
    for _ in range(repetitions):
        ms, rs = time_ms(serial)
        s = min(s, ms)
        ms, rt = time_ms(lambda: on(threads))
        t = min(t, ms)
        ms, rp = time_ms(lambda: on(processes))
        p = min(p, ms)
    print('%-36s%10.1f ms%10.1f ms%10.1f ms%8.2fx' % (name, s, t, p, p / t))
    print('    results equal:', 'yes' if rs == rt == rp else 'NO')


if __name__ == '__main__':
    n = os.cpu_count()
    tiny = list(range(100000))
    few = list(range(5000))
    heavy = [30000 + i for i in range(8)]
    with ThreadPool(n) as threads, multiprocessing.Pool(n) as processes:
        with open('/proc/loadavg') as f:
            load = f.read().split()[0]
        print('machine: %d CPUs, load average %s; best of 5 runs each'
              % (n, load))
        print('%-36s%13s%13s%13s%9s' % ('workload', 'serial', 'ThreadPool',
                                        'Pool', 'Pool/TP'))
        compare('map square, 100000 items', threads, processes,
                lambda: list(map(square, tiny)),
                lambda p: p.map(square, tiny))
        compare('map square, 20000 items, chunksize=1', threads, processes,
                lambda: list(map(square, tiny[:20000])),
                lambda p: p.map(square, tiny[:20000], chunksize=1))
        compare('5000 x apply(square)', threads, processes,
                lambda: [square(x) for x in few],
                lambda p: [p.apply(square, (x,)) for x in few])
        compare('map count_primes, 8 items', threads, processes,
                lambda: list(map(count_primes, heavy)),
                lambda p: p.map(count_primes, heavy, chunksize=1))
