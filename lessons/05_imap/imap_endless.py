# Step 3 of lesson 05 in Python: how far ahead of the consumer does
# CPython's Pool.imap read an endless input? Run: python3 imap_endless.py
import itertools, multiprocessing, time
read = 0
def sq(x):
    return x * x
def numbers():
    global read
    for i in itertools.count(1):
        read += 1
        yield i
if __name__ == '__main__':
    with multiprocessing.Pool(4) as pool:
        it = pool.imap(sq, numbers())
        for n in range(5):
            print(next(it))
        print('input items read:', read)
        time.sleep(1)
        print('input items read a second later:', read)
    print('left the with block')
