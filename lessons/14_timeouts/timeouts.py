# Lesson 14 in Python: multiprocessing's Pool beside pebble's ProcessPool
# (Debian: python3-pebble). Run it with Debian's Python, which has pebble:
#   /usr/bin/python3 lessons/14_timeouts/timeouts.py
import multiprocessing, os, resource, time
import concurrent.futures
import pebble


def hang(x):
    print('(%s)进程正在执行: hang' % os.getpid(), flush=True)
    while True:
        time.sleep(3600)


def square(x):
    return x * x


def nap(ms):
    time.sleep(ms / 1000)
    return ms


def eat(mib):
    block = bytearray(mib << 20)
    return len(block) >> 20


def limit_memory():
    # What pool::Options::memory_limit does in each worker: 256 MiB more
    # than the worker maps when it starts.
    with open('/proc/self/statm') as f:
        mapped = int(f.read().split()[0]) * os.sysconf('SC_PAGESIZE')
    resource.setrlimit(resource.RLIMIT_AS, (mapped + (256 << 20),) * 2)


if __name__ == '__main__':
    # Step 1. get(timeout) gives up waiting, not the task.
    with multiprocessing.Pool(processes=1) as pool:
        stuck = pool.apply_async(hang, (0,))
        try:
            stuck.get(timeout=0.1)
        except multiprocessing.TimeoutError:
            print('step 1: get(timeout=0.1): TimeoutError; ready() =',
                  stuck.ready())
        try:
            pool.apply_async(square, (6,)).get(timeout=0.5)
        except multiprocessing.TimeoutError:
            print('step 1: apply_async(square, (6,)).get(timeout=0.5): '
                  'TimeoutError: it is queued behind the stuck task')
        # Leaving the with block terminates the pool; `stuck` stays pending.
    print('step 1: after terminate(): ready() =', stuck.ready())

    # Step 2. pebble: schedule(timeout=) kills the worker at the deadline.
    with pebble.ProcessPool(max_workers=1) as pool:
        stuck = pool.schedule(hang, args=(0,), timeout=0.2)
        try:
            stuck.result()
        except concurrent.futures.TimeoutError as e:
            print('step 2: TimeoutError:', e)
        print('step 2: schedule(square, (6,)).result() =',
              pool.schedule(square, args=(6,)).result())
        naps = pool.map(nap, [10, 5000, 20], timeout=1)
        results = naps.result()
        for i in range(3):
            try:
                print('step 2: map(nap) item %d = %s' % (i, next(results)))
            except concurrent.futures.TimeoutError as e:
                print('step 2: map(nap) item %d: TimeoutError: %s' % (i, e))

    # Step 3. cancel(): pebble cancels a queued task, and a running one too
    # (it kills the worker, as for a timeout).
    with pebble.ProcessPool(max_workers=1) as pool:
        running = pool.schedule(nap, args=(300,))
        while not running.running():
            time.sleep(0.001)
        waiting = pool.schedule(square, args=(7,))
        print('step 3: cancel() on the queued task:', waiting.cancel())
        print('step 3: cancel() on the running task:', running.cancel())
        try:
            running.result()
        except concurrent.futures.CancelledError:
            print('step 3: its result(): CancelledError')

    # Step 4. A memory limit, set in each worker by its initializer.
    with multiprocessing.Pool(processes=1, initializer=limit_memory) as pool:
        before = [p.pid for p in pool._pool]
        try:
            pool.apply(eat, (1024,))
        except MemoryError:
            print('step 4: apply(eat, (1024,)): MemoryError')
        print('step 4: apply(eat, (16,)) =', pool.apply(eat, (16,)),
              '; same worker:', [p.pid for p in pool._pool] == before)
