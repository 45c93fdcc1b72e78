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
    me = os.getpid()
    quick = pool.apply_async(square, (7,))
    print('(%s)主进程: quick result: %d' % (me, quick.get()))
    results = [pool.apply_async(long_task, (i,)) for i in range(1, 7)]
    time.sleep(0.5)
    pool.terminate()
    print('(%s)主进程: terminate() returned, %d workers left'
          % (me, len(multiprocessing.active_children())))
    for i, r in enumerate(results, 1):
        try:
            r.get(timeout=1)
            print('(%s)主进程: task %d finished?!' % (me, i))
        except multiprocessing.TimeoutError:
            print('(%s)主进程: task %d: ready() = %s, get(timeout=1) threw '
                  'TimeoutError: still pending' % (me, i, r.ready()))
    print('(%s)主进程: quick result is still: %d' % (me, quick.get()))
    try:
        pool.apply_async(square, (8,))
    except ValueError as e:
        print('(%s)主进程: apply_async after terminate(): ValueError: %s'
              % (me, e))
    pool.join()
    print('(%s)主进程: join() returned' % me)
