"""Running exercise tests in the learner's checkout.

The tests run through ./bazelw with Bazel's output kept in .course/ and out
of sight; each exercise's result becomes a Run: which cases passed, what
each failure said, or the compiler's first error."""

import dataclasses
import os
import subprocess
import sys

from . import bazel, lang
from . import errors
from . import results
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


def interpret_test_run(exercise, test_run, listed_cases):
    """A Run from one unsharded test run (bazel.TestRun).

    Verdicts come from the test's XML. When the process ended before
    writing it (exit, abort, crash, hang), every listed case without a
    record fails with the reason, and the log only says which case was
    running at the time."""
    xml = bazel.read_text(test_run.xml)
    log = bazel.read_text(test_run.log)
    recorded = results.parse_junit_xml(xml) if xml else {}
    expected = list(listed_cases) or list(recorded)
    problem = ""
    if any(name not in recorded for name in expected):
        ending = results.describe_ending(test_run.status,
                                         results.exit_code_from_xml(xml),
                                         exercise.timeout)
        running = results.running_case(log)
        problem = ending + (" (while %s was running)" % running
                            if running else "")

    def reason(name):
        if name == results.running_case(log):
            return "no result: " + problem
        return ("never ran: the test process had ended before it (%s)" %
                problem)

    cases = results.match_cases(expected, recorded, reason)
    if not cases:
        problem = problem or results.describe_ending(
            test_run.status, results.exit_code_from_xml(xml), exercise.timeout)
    return Run(exercise, True, "", cases, problem)


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

    def __init__(self, root, bazelw=None, out=sys.stderr):
        self.root = root
        self.bazelw = bazelw or os.path.join(root, "bazelw")
        self.state_dir = os.path.join(root, STATE_DIR)
        self.out = out

    def run(self, exercises, fresh=False):
        """{exercise dir: Run} for every exercise, in one Bazel call.

        Results are cached by Bazel on the inputs (--cache_test_results=yes,
        failures too), so unchanged exercises are not rerun; `fresh` reruns
        them all."""
        os.makedirs(self.state_dir, exist_ok=True)
        log = os.path.join(self.state_dir, "bazel.log")
        bep = os.path.join(self.state_dir, "events.json")
        if os.path.exists(bep):
            os.remove(bep)
        else:
            # The first run in this checkout builds the library and every
            # test (and ./bazelw may install Bazel first): say so, since
            # nothing else is shown meanwhile.
            print("course: building and running the tests of %d "
                  "exercise%s; the first time this takes a few minutes "
                  "(Bazel's output: %s)" % (
                      len(exercises), "" if len(exercises) == 1 else "s",
                      os.path.relpath(log)), file=self.out, flush=True)
        args = bazel.QUIET + [
            "--keep_going",
            "--build_event_json_file=" + bep,
            "--cache_test_results=" + ("no" if fresh else "yes"),
        ] + (["--test_env=COURSE_LANG=zh"] if lang.chinese_wanted() else []) + [
            ex.test_label for ex in exercises]
        code = bazel.run(self.bazelw, self.root, "test", args, log)
        events = bazel.parse_events(bep)
        if code not in (0, 1, 3, 4) or (not events.tests and
                                        not events.built):
            raise errors.ToolError(
                "Bazel failed (exit status %d) before running the "
                "tests; the last lines of %s:\n%s" % (
                    code, os.path.relpath(log),
                    "\n".join(bazel.read_text(log).splitlines()[-15:])))
        runs = {}
        for ex in exercises:
            runs[ex.dir] = self._interpret(ex, events, log)
        return runs

    def _interpret(self, ex, events, log):
        label = ex.test_label
        test_runs = events.tests.get(label)
        if not test_runs:
            output = bazel.failed_build_output(events, log, {ex.path})
            error = results.first_compiler_error(
                output, prefer=[ex.path + "/" + f for f in ex.files])
            if not error:
                reason = events.aborted.get(label) or ""
                error = (reason or "it did not build; see %s" %
                         os.path.relpath(log))
            return Run(ex, built=False, compile_error=error)
        listed = []
        xml = bazel.read_text(test_runs[0].xml)
        if not results.parse_junit_xml(xml):
            listed = list_cases(events.files.get(ex.path + "/test"))
        return interpret_test_run(ex, test_runs[0], listed)

