"""`./course watch`: rerun an exercise's tests on every save."""

import os
import select
import time

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
          max_cycles=None):
    """Reruns the current exercise on every save and moves on when it
    passes. run_one(exercise) -> Run. Returns 0 when every exercise
    passes, or when the learner quits."""
    solved_ids = set()

    def current():
        for ex in exercises:
            if ex.id not in solved_ids:
                return ex
        return None

    def check(ex):
        print(style.dim("%s checking %s %s ..." % (
            time.strftime("%H:%M:%S"), ex.id, ex.title)), file=out,
            flush=True)
        run = run_one(ex)
        if run.solved:
            solved_ids.add(ex.id)
            print("%s %s passes (%d/%d)." % (style.ok, style.bold(
                "%s %s" % (ex.id, ex.title)), run.passed, run.total),
                file=out, flush=True)
            return True
        print(describe_failure(run, style), file=out)
        print(style.dim("  %d of %d checks pass. Edit %s and save; "
                        "h: hint, r: rerun, q: quit" % (
                            run.passed, run.total,
                            ", ".join(watched_files(ex)))),
              file=out, flush=True)
        return False

    ex = current()
    cycles = 0
    while ex is not None:
        stamp = snapshot(root, watched_files(ex))
        if check(ex):
            ex = current()
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
            now = snapshot(root, watched_files(ex))
            if now != stamp or key == "r":
                break
        # A save: rerun (after a short pause, so an editor's write of
        # several files lands as one change).
        time.sleep(min(poll, 0.2))
    print(style.green("Every exercise passes. Well done!"), file=out)
    return 0
