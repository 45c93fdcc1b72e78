"""Running exercise tests in the learner's checkout.

The tests run through ./bazelw with Bazel's output kept in .course/ and out
of sight; each exercise's result becomes a Run: which cases passed, what
each failure said, or the compiler's first error."""

import dataclasses
import os
import signal
import subprocess
import sys
import time

from . import bazel
from . import errors
from . import lang
from . import results
from . import screens
from .progress import STATE_DIR


@dataclasses.dataclass
class Run:
    """One exercise's test run, as the learner sees it."""
    exercise: object
    built: bool = True
    compile_error: str = ""
    cases: list = dataclasses.field(default_factory=list)
    problem: str = ""  # why some cases have no result (crash, hang, ...)

    @property
    def passed(self):
        return sum(1 for c in self.cases if c.passed)

    @property
    def total(self):
        return len(self.cases)

    @property
    def solved(self):
        return self.built and self.total > 0 and self.passed == self.total

    def first_failure(self):
        for c in self.cases:
            if not c.passed:
                return c
        return None


def interpret_test_run(exercise, test_run, listed_cases, hang=None,
                       log=None):
    """A Run from one unsharded test run (bazel.TestRun, or None when
    ./course stopped the run itself; then `log` is the test's output).

    Verdicts come from the test's XML. When the process ended before
    writing it (exit, abort, crash, hang, or `hang`: stopped by CaseClock),
    its printed log says which cases had ended, and how; the case running
    at the end is the one to blame, and the cases after it never ran."""
    xml = bazel.read_text(test_run.xml) if test_run else ""
    if log is None:
        log = bazel.read_text(test_run.log) if test_run else ""
    recorded = results.parse_junit_xml(xml) if xml else {}
    by_log = results.log_verdicts(log)
    expected = list(listed_cases) or list(recorded) or list(by_log)
    problem, ending, running = "", "", None
    if any(name not in recorded for name in expected):
        if hang:
            ending, running = results.describe_hang(hang.limit), hang.case
        else:
            ending = results.describe_ending(
                test_run.status if test_run else "",
                results.exit_code_from_xml(xml), exercise.timeout)
            running = results.running_case(log)
        problem = ending + (" (while %s was running)" % running
                            if running else "")
    cases = []
    for name in expected:
        if name in recorded:
            status, message = recorded[name]
        elif name == running:
            status, message = results.NO_RESULT, results.blame(
                ending, by_log.get(name, ("", ""))[1])
        elif name in by_log and by_log[name][0] != results.NO_RESULT:
            status, message = by_log[name]
            message = results.tidy_failure(message)
        else:
            status, message = results.NO_RESULT, results.never_ran(
                running, ending, stopped=hang is not None)
        cases.append(results.CaseResult(name, status, message))
    if not cases:
        problem = problem or results.describe_ending(
            test_run.status if test_run else "",
            results.exit_code_from_xml(xml), exercise.timeout)
    return Run(exercise, True, "", cases, problem)


@dataclasses.dataclass
class Hang:
    case: str  # "Suite.Case"
    limit: int  # seconds it ran before ./course stopped it


class CaseClock:
    """Follows a test's output while Bazel runs it (--test_output=streamed
    into `log_path`): which case is running and for how long. show(case,
    seconds, limit) is called while a case has run SHOW_AFTER seconds or
    more, and show(None, 0, limit) once none is; poll() returns True when
    a case has run past `limit` seconds (then `hang` says which)."""

    SHOW_AFTER = 2.0

    def __init__(self, log_path, limit, show, now=time.monotonic):
        self.log_path = log_path
        self.limit = limit
        self.show = show
        self.now = now
        self.offset = 0
        self.partial = ""
        self.lines = []  # the test's own lines so far
        self.case = None
        self.since = None
        self.shown = False
        self.hang = None

    def poll(self):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except OSError:
            data = b""
        self.offset += len(data)
        text = self.partial + data.decode("utf-8", errors="replace")
        *complete, self.partial = text.split("\n")
        for line in complete:
            if bazel.is_bazel_line(line):
                continue
            self.lines.append(line)
            started = results.started_case(line)
            if started:
                self.case, self.since = started, self.now()
            elif results.ended_case(line) == self.case:
                self.case = None
        elapsed = self.now() - self.since if self.case else 0
        if self.case and elapsed >= self.SHOW_AFTER:
            self.show(self.case, elapsed, self.limit)
            self.shown = True
        elif self.shown:
            self.show(None, 0, self.limit)
            self.shown = False
        if self.case and elapsed > self.limit:
            self.hang = Hang(self.case, self.limit)
            return True
        return False

    def output(self):
        return "\n".join(self.lines + [self.partial])


class TestLogClocks:
    """Follows the tests of several exercises while Bazel runs them side by
    side, each through the test.log Bazel writes as it runs (under
    bazel-testlogs/): a CaseClock per test. show(case, seconds, limit) is
    given the case that has run longest, as CaseClock gives its own. A
    case that runs past its exercise's loop_timeout is stopped by killing
    the processes writing that test.log (the test and its workers), so
    only that test fails, and `hangs` says which case, by exercise dir;
    the other tests run on. poll() never stops Bazel."""

    def __init__(self, root, exercises, show, now=time.monotonic):
        self.root = root
        self.exercises = exercises
        self.show = show
        self.now = now
        self.start = time.time()
        self.clocks = {}  # exercise dir -> CaseClock
        self.running = {}  # exercise dir -> (case, seconds, limit)
        self.done = set()
        self.hangs = {}  # exercise dir -> Hang
        self.shown = False

    def _log(self, ex, name):
        return os.path.join(self.root, "bazel-testlogs", ex.path, "test",
                            name)

    def _fresh(self, path):
        try:
            return os.stat(path).st_mtime >= self.start - 1
        except OSError:
            return False

    def poll(self):
        for ex in self.exercises:
            if ex.dir in self.done:
                continue
            path = self._log(ex, "test.log")
            if ex.dir not in self.clocks:
                if not self._fresh(path):
                    continue
                self.clocks[ex.dir] = CaseClock(
                    path, ex.loop_timeout,
                    lambda case, secs, limit, d=ex.dir: self._seen(
                        d, case, secs, limit), self.now)
            if self.clocks[ex.dir].poll():
                self.hangs[ex.dir] = self.clocks[ex.dir].hang
                kill_writers(path)
                self._finish(ex.dir)
            elif self._fresh(self._log(ex, "test.xml")):
                self._finish(ex.dir)
        if self.running:
            case, secs, limit = max(self.running.values(),
                                    key=lambda r: r[1])
            self.show(case, secs, limit)
            self.shown = True
        elif self.shown:
            self.show(None, 0, 0)
            self.shown = False
        return False

    def _seen(self, d, case, secs, limit):
        if case is None:
            self.running.pop(d, None)
        else:
            self.running[d] = (case, secs, limit)

    def _finish(self, d):
        self.done.add(d)
        self.running.pop(d, None)


def kill_writers(path):
    """Kills (SIGKILL) every process whose stdout or stderr is the file at
    `path`: a test Bazel runs and the processes it started."""
    target = os.path.realpath(path)
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        for fd in ("1", "2"):
            try:
                if os.readlink("/proc/%s/fd/%s" % (pid, fd)) == target:
                    os.kill(int(pid), signal.SIGKILL)
                    break
            except OSError:
                pass


def list_cases(binary):
    """The learner's own binary's test list (their code, their machine)."""
    if not binary or not os.path.exists(binary):
        return []
    try:
        out = subprocess.run([binary, "--gtest_list_tests"],
                             capture_output=True, text=True, timeout=30,
                             stdin=subprocess.DEVNULL)
        return results.parse_test_list(out.stdout)
    except (subprocess.TimeoutExpired, ValueError, OSError):
        return []


class Runner:
    """Runs exercise tests with ./bazelw in the checkout at `root`."""

    def __init__(self, root, bazelw=None, out=sys.stderr, follow=None):
        self.root = root
        # show(case, seconds, limit) for runs of several exercises.
        self.follow = follow
        self.bazelw = bazelw or os.path.join(root, "bazelw")
        self.state_dir = os.path.join(root, STATE_DIR)
        self.out = out

    def run(self, exercises, fresh=False, show=None):
        """{exercise dir: Run} for every exercise, in one Bazel call.

        Results are cached by Bazel on the inputs (--cache_test_results=yes,
        failures too), so unchanged exercises are not rerun; `fresh` reruns
        them all. With `show` and one exercise, the test's output is
        followed while it runs (CaseClock: show(case, seconds, limit)),
        and a case that runs past the exercise's loop_timeout is stopped
        and blamed. With several exercises, `self.follow` follows them
        (TestLogClocks: a hanging case stops only its own test)."""
        os.makedirs(self.state_dir, exist_ok=True)
        log = os.path.join(self.state_dir, "bazel.log")
        bep = os.path.join(self.state_dir, "events.json")
        if os.path.exists(bep):
            os.remove(bep)
        else:
            # The first run in this checkout builds the library and every
            # test (and ./bazelw may install Bazel first): say so, since
            # nothing else is shown meanwhile.
            print(screens.first_build(len(exercises), os.path.relpath(log)),
                  file=self.out, flush=True)
        clock = None
        flags = bazel.QUIET
        if show is not None and len(exercises) == 1:
            clock = CaseClock(log, exercises[0].loop_timeout, show)
            flags = bazel.STREAMED
        elif self.follow is not None and len(exercises) > 1:
            clock = TestLogClocks(self.root, exercises, self.follow)
        args = flags + [
            "--keep_going",
            "--build_event_json_file=" + bep,
            "--cache_test_results=" + ("no" if fresh else "yes"),
        ] + (["--test_env=COURSE_LANG=zh"] if lang.chinese_wanted() else []) + [
            ex.test_label for ex in exercises]
        code = bazel.run(self.bazelw, self.root, "test", args, log,
                         watch=clock.poll if clock else None)
        events = bazel.parse_events(bep)
        hangs = getattr(clock, "hangs", {})
        if isinstance(clock, TestLogClocks) and clock.shown:
            self.follow(None, 0, 0)
        if getattr(clock, "hang", None):
            ex = exercises[0]
            binary = (events.files.get(ex.path + "/test") or
                      os.path.join(self.root, "bazel-bin", ex.path, "test"))
            return {ex.dir: interpret_test_run(
                ex, None, list_cases(binary), hang=clock.hang,
                log=clock.output())}
        if code not in (0, 1, 3, 4) or (not events.tests and
                                        not events.built):
            raise errors.ToolError(
                "Bazel failed (exit status %d) before running the "
                "tests; the last lines of %s:\n%s" % (
                    code, os.path.relpath(log),
                    "\n".join(bazel.read_text(log).splitlines()[-15:])))
        runs = {}
        for ex in exercises:
            runs[ex.dir] = self._interpret(ex, events, log,
                                           hangs.get(ex.dir))
        return runs

    def _read(self, path):
        """A file of the checkout, or None."""
        full = os.path.join(self.root, path)
        return bazel.read_text(full) if os.path.isfile(full) else None

    def _interpret(self, ex, events, log, hang=None):
        label = ex.test_label
        test_runs = events.tests.get(label)
        if not test_runs:
            output = bazel.failed_build_output(events, log, {ex.path})
            error = results.first_compiler_error(
                output, prefer=[ex.path + "/" + f for f in ex.files],
                read_line=results.line_reader(self._read))
            if not error:
                reason = events.aborted.get(label) or ""
                error = (reason or "it did not build; see %s" %
                         os.path.relpath(log))
            return Run(ex, built=False, compile_error=error)
        listed = []
        xml = bazel.read_text(test_runs[0].xml)
        if not results.parse_junit_xml(xml):
            listed = list_cases(events.files.get(ex.path + "/test"))
        return interpret_test_run(ex, test_runs[0], listed, hang=hang)
