# Lesson 09 in Python: what happens to pending results after terminate().
# Run: python3 terminate.py   (each get() needs a timeout, or it blocks forever)
import multiprocessing, os, time

def square(x):
    return x * x

def long_task(i):
    print('(%s)进程正在执行: task %d' % (os.getpid(), i), flush=True)
    time.sleep(5)
    print('(%s)进程正在执行: task %d done' % (os.getpid(), i), flush=True)
    return i

if __name__ == '__main__':
    pool = multiprocessing.Pool(processes=2)
    quick = pool.apply_async(square, (7,))
    print('quick result:', quick.get())
    results = [pool.apply_async(long_task, (i,)) for i in range(1, 7)]
    time.sleep(0.5)
    pool.terminate()
    print('terminate() returned')
    for r in results:
        print('ready():', r.ready(), end=' ')
        try:
            r.get(timeout=1)
        except multiprocessing.TimeoutError:
            print('get(timeout=1): TimeoutError, still pending')
    print('quick result is still:', quick.get())
    pool.join()
