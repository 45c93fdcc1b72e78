"""Tests of the learner's commands (learner.py): rendering, hints, reset
on a real git checkout, and the watch loop driven by real file edits (the
test runner is replaced; e2e_test.sh drives the real one)."""

import io
import os
import subprocess
import tempfile
import threading
import time
import unittest

from course import bazel
from course import catalog
from course import learner
from course import results
from course import ui
from course.testutil import GOOD_TOML, data

EX = [catalog.parse(GOOD_TOML.replace('"03"', '"%02d"' % n).replace(
    "30", str(n * 10)).replace('title = "map"', 'title = "ex %d"' % n),
    "%02d_ex" % n) for n in (1, 2, 3)]
STYLE = ui.Style(io.StringIO(), color=False)


def run_of(ex, passed, total, built=True, message="expected 1, got 2"):
    cases = [results.CaseResult("S.C%d" % i, results.PASS if i < passed
                                else results.FAIL, "" if i < passed else
                                message) for i in range(total)]
    return learner.Run(ex, built, "" if built else
                       "exercise.cc:3:1: error: boom", cases)


class InterpretTest(unittest.TestCase):

    def test_a_process_that_exited_fails_its_cases_with_the_reason(self):
        d = data("runs", "exit0", "shard_1")
        tr = bazel.TestRun("//x:test", 1, "PASSED", d + "/test.xml",
                           d + "/test.log", False)
        run = learner.interpret_test_run(
            EX[0], tr, ["ApplyTest.ApplyOneMatchesPlainCall", "ApplyTest.B"])
        self.assertFalse(run.solved)
        self.assertEqual(run.passed, 0)
        self.assertIn("status 0", run.problem)
        self.assertIn("ApplyOneMatchesPlainCall was running", run.problem)
        self.assertIn("never ran", run.cases[1].message)

    def test_a_recorded_run(self):
        d = data("runs")
        tr = bazel.TestRun("//x:test", 1, "FAILED",
                           d + "/starter_01_test.xml", "", False)
        run = learner.interpret_test_run(EX[0], tr, [])
        self.assertEqual((run.passed, run.total), (0, 6))
        self.assertEqual(run.problem, "")


class FirstBlockTest(unittest.TestCase):

    def test_shows_the_first_failed_check_of_a_case(self):
        msg = "(t.cc line 1)\nfirst\n\n(t.cc line 2)\nsecond\n\nthird"
        self.assertEqual(learner.first_block(msg),
                         "(t.cc line 1)\nfirst\n(and 2 more failed checks "
                         "in this case: ./course run shows them)")
        self.assertEqual(learner.first_block("only\n"), "only")


class StatusTest(unittest.TestCase):

    def test_one_screen_with_progress_and_the_next_exercise(self):
        runs = {EX[0].dir: run_of(EX[0], 3, 3),
                EX[1].dir: run_of(EX[1], 1, 4),
                EX[2].dir: run_of(EX[2], 0, 2, built=False)}
        with tempfile.TemporaryDirectory() as root:
            text = learner.render_status(EX, runs, learner.State(root),
                                         STYLE)
        self.assertIn("1/3 solved", text)
        self.assertIn("ok 01", text.replace("✓", "ok"))
        self.assertIn("Next: 02 ex 2", text)
        self.assertIn("expected 1, got 2", text)
        self.assertIn("does not compile", text)
        self.assertIn("./course hint 02", text)
        self.assertLess(len(text.splitlines()), 25)

    def test_all_done(self):
        runs = {e.dir: run_of(e, 2, 2) for e in EX}
        with tempfile.TemporaryDirectory() as root:
            text = learner.render_status(EX, runs, learner.State(root),
                                         STYLE)
        self.assertIn("Every exercise passes", text)


class HintTest(unittest.TestCase):

    def test_one_at_a_time_and_remembered(self):
        with tempfile.TemporaryDirectory() as root:
            shown = []
            for _ in range(4):
                out = io.StringIO()
                learner.cmd_hint(EX[0], learner.State(root), STYLE, out)
                shown.append(out.getvalue())
            self.assertIn("Hint 1 of 3", shown[0])
            self.assertIn("one", shown[0])
            self.assertIn("Hint 2 of 3", shown[1])
            self.assertIn("Hint 3 of 3", shown[2])
            self.assertIn("last hint", shown[2])
            self.assertIn("Hint 3 of 3", shown[3])  # stays at the last
            self.assertEqual(learner.State(root).hints_shown("01"), 3)
            self.assertEqual(learner.State(root).hints_shown("02"), 0)


def git(root, *args):
    return subprocess.run(["git", "-C", root, *args], check=True,
                          capture_output=True, text=True).stdout


class ResetTest(unittest.TestCase):

    def test_restores_the_starter_and_keeps_a_backup(self):
        with tempfile.TemporaryDirectory() as tmp:
            course = os.path.join(tmp, "course")
            os.makedirs(os.path.join(course, EX[0].path))
            git(course, "init", "-q")
            git(course, "config", "user.email", "t@example.com")
            git(course, "config", "user.name", "t")
            path = os.path.join(course, EX[0].path, "exercise.cc")
            with open(path, "w") as f:
                f.write("// starter\n")
            git(course, "add", "-A")
            git(course, "commit", "-qm", "course")
            clone = os.path.join(tmp, "clone")
            subprocess.run(["git", "clone", "-q", course, clone], check=True)
            git(clone, "config", "user.email", "t@example.com")
            git(clone, "config", "user.name", "t")
            mine = os.path.join(clone, EX[0].path, "exercise.cc")
            with open(mine, "w") as f:
                f.write("// my work\n")
            # The learner commits their work; reset still finds the starter.
            git(clone, "commit", "-qam", "mine")
            out = io.StringIO()
            code = learner.cmd_reset(clone, EX[0], STYLE, out, yes=True)
            self.assertEqual(code, 0)
            with open(mine) as f:
                self.assertEqual(f.read(), "// starter\n")
            backups = [os.path.join(d, n) for d, _, ns in os.walk(
                os.path.join(clone, ".course", "backup")) for n in ns]
            self.assertEqual(len(backups), 1)
            with open(backups[0]) as f:
                self.assertEqual(f.read(), "// my work\n")
            # Not in a terminal and no --yes: refuses, changes nothing.
            with open(mine, "w") as f:
                f.write("// again\n")
            self.assertEqual(learner.cmd_reset(
                clone, EX[0], STYLE, io.StringIO(), stdin=io.StringIO()), 2)
            with open(mine) as f:
                self.assertEqual(f.read(), "// again\n")


class NoKeys:
    def read(self, timeout):
        time.sleep(timeout)
        return None


class WatchTest(unittest.TestCase):

    def test_reruns_on_save_and_moves_on_when_passing(self):
        with tempfile.TemporaryDirectory() as root:
            for ex in EX[:2]:
                os.makedirs(os.path.join(root, ex.path))
                with open(os.path.join(root, ex.path, "exercise.cc"),
                          "w") as f:
                    f.write("// starter\n")
            checked = []

            def run_one(ex):
                # Passes once the file says "solved".
                checked.append(ex.id)
                with open(os.path.join(root, ex.path, "exercise.cc")) as f:
                    ok = "solved" in f.read()
                return run_of(ex, 2 if ok else 1, 2)

            def learner_edits():
                for ex, text in ((EX[0], "// still wrong\n"),
                                 (EX[0], "// solved\n"),
                                 (EX[1], "// solved\n")):
                    n = len(checked)
                    deadline = time.monotonic() + 10
                    while len(checked) == n and time.monotonic() < deadline:
                        time.sleep(0.05)
                    time.sleep(0.2)
                    with open(os.path.join(root, ex.path, "exercise.cc"),
                              "w") as f:
                        f.write(text)
            editor = threading.Thread(target=learner_edits)
            editor.start()
            out = io.StringIO()
            code = learner.watch(root, EX[:2], run_one, learner.State(root),
                                 STYLE, out, NoKeys(), poll=0.05,
                                 max_cycles=2000)
            editor.join()
            self.assertEqual(code, 0)
            self.assertEqual(checked, ["01", "01", "01", "02", "02"])
            text = out.getvalue()
            self.assertIn("01 ex 1 passes", text)
            self.assertIn("02 ex 2 passes", text)
            self.assertIn("expected 1, got 2", text)
            self.assertIn("Every exercise passes", text)


if __name__ == "__main__":
    unittest.main()
