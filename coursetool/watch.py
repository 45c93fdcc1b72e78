"""`./course watch`: rerun an exercise's tests on every save."""

import os
import select
import time

from . import screens
from .learner import cmd_hint
from .screens import describe_failure


def snapshot(root, paths):
    """(mtime_ns, size) of each path; None for a missing file."""
    out = {}
    for p in paths:
        try:
            st = os.stat(os.path.join(root, p))
            out[p] = (st.st_mtime_ns, st.st_size)
        except OSError:
            out[p] = None
    return out


def watched_files(exercise):
    return [exercise.path + "/" + f for f in exercise.files]


class Keys:
    """Single key presses from a terminal (h, r, l, q), or nothing when
    stdin is not a terminal."""

    def __init__(self, stdin):
        self.stdin = stdin
        self.old = None
        if hasattr(stdin, "isatty") and stdin.isatty():
            import termios
            import tty
            self.termios = termios
            self.old = termios.tcgetattr(stdin.fileno())
            tty.setcbreak(stdin.fileno())

    def read(self, timeout):
        if self.old is None:
            time.sleep(timeout)
            return None
        ready, _, _ = select.select([self.stdin], [], [], timeout)
        if ready:
            return os.read(self.stdin.fileno(), 1).decode(errors="ignore")
        return None

    def close(self):
        if self.old is not None:
            self.termios.tcsetattr(self.stdin.fileno(),
                                   self.termios.TCSADRAIN, self.old)


def watch(root, exercises, run_one, state, style, out, keys, poll=0.5,
          max_cycles=None, start=None, solved=()):
    """Runs one exercise, then reruns whichever exercise has a file saved
    (it becomes the current one), and moves on to the next unsolved one
    when the current one passes. run_one(exercise) -> Run.

    exercises: all of them, in course order; start: the one to begin with
    (default: the first not in `solved`, the ids known to pass). Returns 0
    when every exercise passes, or when the learner quits."""
    solved_ids = set(solved)
    order = list(exercises)

    def next_after(ex):
        """The next exercise not known to pass, after `ex` in course
        order and then from the start; None when all pass."""
        k = order.index(ex) if ex in order else -1
        for other in order[k + 1:] + order[:k + 1]:
            if other.id not in solved_ids:
                return other
        return None

    def check(ex):
        print(style.dim(screens.checking(ex)), file=out, flush=True)
        run = run_one(ex)
        if run.solved:
            solved_ids.add(ex.id)
            print(screens.passes(run, style), file=out, flush=True)
            return True
        solved_ids.discard(ex.id)
        print(describe_failure(run, style), file=out)
        print(style.dim(screens.watch_footer(run, watched_files(ex))),
              file=out, flush=True)
        return False

    ex = start or next_after(order[-1])
    files = [f for e in order for f in watched_files(e)]
    owner = {f: e for e in order for f in watched_files(e)}
    cycles = 0
    while ex is not None:
        stamp = snapshot(root, files)
        if check(ex):
            ex = next_after(ex)
            continue
        while True:
            cycles += 1
            if max_cycles is not None and cycles > max_cycles:
                return 1
            key = keys.read(poll)
            if key in ("q", "\x04"):
                return 0
            if key == "h":
                cmd_hint(ex, state, style, out)
            now = snapshot(root, files)
            saved = [f for f in files if now[f] != stamp[f]]
            if saved:
                # The exercise whose file was saved, whichever it is.
                ex = owner[saved[0]]
                break
            if key == "r":
                break
        # A save: rerun (after a short pause, so an editor's write of
        # several files lands as one change).
        time.sleep(min(poll, 0.2))
    print(style.green(screens.all_pass()), file=out)
    return 0
