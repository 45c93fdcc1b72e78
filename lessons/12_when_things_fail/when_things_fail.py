# Lesson 12 in Python. Step 2 never finishes: the killed worker's task is
# lost and apply() waits forever (bpo-22393). Run it with a time limit:
#   timeout 20 python3 when_things_fail.py
import multiprocessing, os, signal, time


def lookup(i):
    return [1, 2, 3][i]


def die(x):
    print('(%s)进程正在执行: killing myself' % os.getpid(), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


def nap(ms):
    time.sleep(ms / 1000)
    return ms


if __name__ == '__main__':
    with multiprocessing.Pool(processes=2) as pool:
        # Step 1. A task that raises.
        try:
            pool.apply(lookup, (7,))
        except IndexError as e:
            print('step 1: apply() raised %s: %s' % (type(e).__name__, e))
        # Step 3. get(timeout) (run before Step 2, which never returns).
        r = pool.apply_async(nap, (2000,))
        try:
            r.get(timeout=0.1)
        except multiprocessing.TimeoutError:
            print('step 3: get(timeout=0.1) raised TimeoutError; ready() =',
                  r.ready())
        print('step 3: get() =', r.get())
        # Step 2. A worker killed mid-task.
        print('step 2: workers before:', sorted(p.pid for p in pool._pool))
        print('step 2: apply(die) ...', flush=True)
        pool.apply(die, (0,))
        print('step 2: never printed')
