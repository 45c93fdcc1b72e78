# Lesson 10 in Python: what leaving a `with Pool(...)` block does to work
# that is still running. Run: python3 with_block.py
import multiprocessing, os, time

def slow_square(x):
    print('(%s)进程正在执行: %d' % (os.getpid(), x), flush=True)
    time.sleep(1)
    print('(%s)进程正在执行: %d done' % (os.getpid(), x), flush=True)
    return x * x

if __name__ == '__main__':
    me = os.getpid()
    # Step 1. map() inside the block: safe.
    with multiprocessing.Pool(processes=2) as pool:
        results = pool.map(slow_square, [1, 2])
        print('(%s)主进程: step 1: map() returned %d, %d' % (me, *results))
    # Step 2. apply_async() and leave: __exit__ calls terminate().
    with multiprocessing.Pool(processes=2) as pool:
        r = pool.apply_async(slow_square, (3,))
        time.sleep(0.2)
        print('(%s)主进程: step 2: leaving the with block' % me)
    try:
        print('(%s)主进程: step 2: get() = %d' % (me, r.get(timeout=3)))
    except multiprocessing.TimeoutError:
        print('(%s)主进程: step 2: get(timeout=3): TimeoutError; '
              'without a timeout it would wait forever' % me)
    # Step 3. close() and join() inside the block.
    with multiprocessing.Pool(processes=2) as pool:
        r = pool.apply_async(slow_square, (4,))
        pool.close()
        pool.join()
        print('(%s)主进程: step 3: leaving the with block' % me)
    print('(%s)主进程: step 3: get() = %d' % (me, r.get()))
