#!/usr/bin/env python3
"""The workloads of bench/pool_benchmark.cc on Python's multiprocessing.Pool.

Same tasks, same sizes, same pool size (Pool(4) unless a workload sweeps the
number of processes), so bench/compare.py can put the two side by side.

Every figure is the median of --repetitions runs; each run repeats the
workload until it has taken at least --min-time seconds.

  python3 bench/python_pool_bench.py            # a readable list
  python3 bench/python_pool_bench.py --json     # for bench/compare.py
"""

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time

PROCESSES = 4  # As kProcesses in pool_benchmark.cc.
ASYNC_BATCH = 1000
PAYLOADS = [8 << (3 * i) for i in range(8)]  # 8 B ... 16 MiB, x8 each step.
CPU_ITEMS = 64
CPU_STEPS = 20000


# --- Tasks (module level: they are pickled by name) ---------------------------

def identity(x):
    return x


def square(x):
    return x * x


def add(a, b):
    return a + b


def echo(s):
    return s


def spin(seed):
    """A fixed amount of pure CPU work, like Spin() in the C++ suite."""
    x = seed * 0x9E3779B97F4A7C15 + 1
    mask = (1 << 64) - 1
    for _ in range(CPU_STEPS):
        x ^= (x << 13) & mask
        x ^= x >> 7
        x ^= (x << 17) & mask
    return x


def map_items(chunksize):
    """As MapItems() in the C++ suite; chunksize 0 means Python's default."""
    if chunksize <= 0:
        return 1 << 20
    return min(1 << 20, chunksize * 4096)


# --- Timing -------------------------------------------------------------------

class Timer:
    def __init__(self, min_time, repetitions):
        self.min_time = min_time
        self.repetitions = repetitions

    def seconds_per_call(self, fn):
        """Median over repetitions of the wall time of one fn() call."""
        fn()  # Warm up (imports, first fork of a pool, page faults).
        runs = []
        for _ in range(self.repetitions):
            count = 0
            start = time.perf_counter()
            while True:
                fn()
                count += 1
                elapsed = time.perf_counter() - start
                if elapsed >= self.min_time:
                    break
            runs.append(elapsed / count)
        return statistics.median(runs)


# --- Floors -------------------------------------------------------------------

class PipeChild:
    """A forked child answering 8-byte requests over two pipes."""

    def __init__(self):
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self.to_w)
            os.close(self.from_r)
            while True:
                data = os.read(to_r, 8)
                if not data:
                    os._exit(0)
                os.write(from_w, data)
        os.close(to_r)
        os.close(from_w)

    def call(self):
        os.write(self.to_w, b"12345678")
        os.read(self.from_r, 8)

    def close(self):
        os.close(self.to_w)
        os.close(self.from_r)
        os.waitpid(self.pid, 0)


def fork_waitpid(n):
    pids = []
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        pids.append(pid)
    for pid in pids:
        os.waitpid(pid, 0)


# --- Workloads ----------------------------------------------------------------

def run(timer, log):
    results = {}

    def record(key, value, unit):
        results[key] = {"value": value, "unit": unit}
        log(f"{key:<32} {value:14.6g} {unit}")

    child = PipeChild()
    record("raw_pipe_roundtrip", timer.seconds_per_call(child.call) * 1e6,
           "us")
    child.close()

    cpus = os.cpu_count() or 1
    counts = sorted({1, 2, 4, 8})
    for n in counts:
        if n <= 4:
            record(f"fork_waitpid/{n}",
                   timer.seconds_per_call(lambda n=n: fork_waitpid(n)) * 1e6,
                   "us")

    def start_close_join(n):
        p = multiprocessing.Pool(n)
        p.close()
        p.join()

    for n in counts:
        record(f"start_close_join/{n}",
               timer.seconds_per_call(lambda n=n: start_close_join(n)) * 1e6,
               "us")

    with multiprocessing.Pool(PROCESSES) as pool:
        i = [0]

        def apply_once():
            i[0] += 1
            pool.apply(identity, (i[0],))

        record("apply_roundtrip", timer.seconds_per_call(apply_once) * 1e6,
               "us")

        def apply_async_batch():
            rs = [pool.apply_async(square, (k,)) for k in range(ASYNC_BATCH)]
            for r in rs:
                r.get()

        record("apply_async",
               ASYNC_BATCH / timer.seconds_per_call(apply_async_batch),
               "items/s")

        for chunksize in (1, 16, 0, 1024):
            items = list(range(map_items(chunksize)))
            cs = chunksize or None
            t = timer.seconds_per_call(
                lambda items=items, cs=cs: pool.map(square, items, cs))
            record(f"map/{chunksize}", len(items) / t, "items/s")

        for chunksize in (1, 0):
            pairs = [(k, 1) for k in range(map_items(chunksize))]
            cs = chunksize or None
            t = timer.seconds_per_call(
                lambda pairs=pairs, cs=cs: pool.starmap(add, pairs, cs))
            record(f"starmap/{chunksize}", len(pairs) / t, "items/s")

        for name, method in (("imap", pool.imap),
                             ("imap_unordered", pool.imap_unordered)):
            for chunksize in (1, 64):
                items = list(range(map_items(chunksize)))

                def consume(items=items, chunksize=chunksize, method=method):
                    total = 0
                    for r in method(square, items, chunksize):
                        total += r
                    return total

                record(f"{name}/{chunksize}",
                       len(items) / timer.seconds_per_call(consume), "items/s")

    with multiprocessing.Pool(1) as pool:
        for size in PAYLOADS:
            payload = b"x" * size
            t = timer.seconds_per_call(
                lambda payload=payload: pool.apply(echo, (payload,)))
            record(f"payload/{size}", t * 1e6, "us")

    items = list(range(CPU_ITEMS))
    serial = timer.seconds_per_call(lambda: [spin(k) for k in items])
    record("cpu_serial", serial * 1e6, "us")
    n = 1
    while n <= max(cpus, PROCESSES):
        with multiprocessing.Pool(n) as pool:
            t = timer.seconds_per_call(lambda: pool.map(spin, items))
        record(f"cpu_speedup/{n}", serial / t, "x")
        n *= 2
    if cpus & (cpus - 1):
        with multiprocessing.Pool(cpus) as pool:
            t = timer.seconds_per_call(lambda: pool.map(spin, items))
        record(f"cpu_speedup/{cpus}", serial / t, "x")
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object instead of a list")
    parser.add_argument("--min-time", type=float, default=0.2,
                        help="seconds each repetition runs at least")
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()

    multiprocessing.set_start_method("fork")
    log = (lambda line: print(line, file=sys.stderr)) if args.json else print
    timer = Timer(args.min_time, args.repetitions)
    results = run(timer, log)
    if args.json:
        json.dump({"python": sys.version.split()[0],
                   "cpus": os.cpu_count(),
                   "processes": PROCESSES,
                   "results": results}, sys.stdout, indent=1)
        print()


if __name__ == "__main__":
    main()
