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

from coursetool import bazel
from coursetool import catalog
from coursetool import learner
from coursetool import progress
from coursetool import screens
from coursetool import testrun
from coursetool import results
from coursetool import ui
from coursetool import watch
from coursetool.testutil import GOOD_TOML, data

EX = [catalog.parse(GOOD_TOML.replace('"03"', '"%02d"' % n).replace(
    "30", str(n * 10)).replace('title = "map"', 'title = "ex %d"' % n),
    "%02d_ex" % n) for n in (1, 2, 3)]
STYLE = ui.Style(io.StringIO(), color=False)


def run_of(ex, passed, total, built=True, message="expected 1, got 2"):
    cases = [results.CaseResult("S.C%d" % i, results.PASS if i < passed
                                else results.FAIL, "" if i < passed else
                                message) for i in range(total)]
    return testrun.Run(ex, built, "" if built else
                       "exercise.cc:3:1: error: boom", cases)


class InterpretTest(unittest.TestCase):

    def test_a_process_that_exited_fails_its_cases_with_the_reason(self):
        d = data("runs", "exit0", "shard_1")
        tr = bazel.TestRun("//x:test", 1, "PASSED", d + "/test.xml",
                           d + "/test.log", False)
        run = testrun.interpret_test_run(
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
        run = testrun.interpret_test_run(EX[0], tr, [])
        self.assertEqual((run.passed, run.total), (0, 6))
        self.assertEqual(run.problem, "")


class FirstBlockTest(unittest.TestCase):

    def test_shows_the_first_failed_check_of_a_case(self):
        msg = "(t.cc line 1)\nfirst\n\n(t.cc line 2)\nsecond\n\nthird"
        self.assertEqual(screens.first_block(msg),
                         "(t.cc line 1)\nfirst\n(and 2 more failed checks "
                         "in this case: ./course run shows them)")
        self.assertEqual(screens.first_block("only\n"), "only")


def course_of(counts):
    """Exercises in tracks: counts is [(track, n)], ids 1, 2, ... in order;
    the first exercise of each track has a [performance] table."""
    out, n = [], 0
    for track, size in counts:
        for k in range(size):
            n += 1
            text = GOOD_TOML.replace('"03"', '"%02d"' % n).replace(
                "order = 30", "order = %d" % (n * 10)).replace(
                'title = "map"', 'title = "ex %d"' % n).replace(
                "Using a pool", track)
            if k == 0:
                text += PERF_TOML
            out.append(catalog.parse(text, "%02d_ex" % n))
    return out


PERF_TOML = """
[performance]
benchmark = "bench"
reference = "//solutions/x:bench"
points = 5
full_at = 0.5
zero_at = 0.2
"""

# The repository's shape: 12 exercises, 1, then 9.
COURSE = course_of([("Using a pool", 12), ("Beyond one machine", 1),
                    ("Build your own pool", 9)])

GTEST_MESSAGE = """(exercise_test.cc line 104)
Expected equality of these values:
  std::set<long long>(pids.begin(), pids.end()).size()
    Which is: 4
  1u
    Which is: 1
64 items with chunksize 64 are one chunk, so one worker should compute them all; they were spread over several, so the chunksize did not reach pool.map

(exercise_test.cc line 110)
a second failed check"""


class StatusTest(unittest.TestCase):

    def render(self, runs, exercises=EX, everything=False, root=None):
        with tempfile.TemporaryDirectory() as tmp:
            render = (screens.render_list if everything else
                      screens.render_status)
            return render(exercises, runs, progress.State(root or tmp), STYLE)

    def test_one_screen_with_progress_and_the_next_exercise(self):
        runs = {EX[0].dir: run_of(EX[0], 3, 3),
                EX[1].dir: run_of(EX[1], 1, 4),
                EX[2].dir: run_of(EX[2], 0, 2, built=False)}
        text = self.render(runs)
        self.assertIn("1/3 solved", text)
        self.assertIn("ok 01", text.replace("✓", "ok"))
        self.assertIn("Next: 02 ex 2", text)
        self.assertIn("expected 1, got 2", text)
        self.assertIn("does not compile", text)
        self.assertIn("./course hint 02", text)

    def test_fits_a_24_line_terminal_with_untouched_tracks(self):
        for solved in (0, 3):
            runs = {ex.dir: run_of(ex, 5 if i < solved else 4 if
                                   i == solved else 0, 5,
                                   message=GTEST_MESSAGE)
                    for i, ex in enumerate(COURSE)}
            text = self.render(runs, COURSE)
            self.assertLessEqual(len(text.splitlines()), 22, text)
            self.assertLessEqual(max(len(l) for l in text.splitlines()), 80,
                                 text)
            # The current track in full, the untouched ones on one line.
            self.assertIn("  X 12   ex 12", text)
            self.assertIn("Build your own pool    not started: 9 "
                          "exercises", text)
            self.assertNotIn("ex 14", text)
            self.assertIn("./course list", text)

    def test_the_current_track_is_the_one_with_the_next_exercise(self):
        runs = {ex.dir: run_of(ex, 5 if i < 15 else 0, 5)
                for i, ex in enumerate(COURSE)}
        text = self.render(runs, COURSE)
        self.assertIn("Using a pool           ok all 12 solved", text.replace(
            "✓", "ok"))
        self.assertIn("Beyond one machine     ok all 1 solved", text.replace(
            "✓", "ok"))
        self.assertIn("Build your own pool    2 of 9 solved", text)
        self.assertIn("X 16   ex 16", text)
        self.assertIn("Next: 16 ex 16", text)
        self.assertNotIn(" 01 ", text)

    def test_the_first_failure_in_the_tests_own_words(self):
        runs = {EX[0].dir: run_of(EX[0], 1, 3, message=GTEST_MESSAGE),
                EX[1].dir: run_of(EX[1], 0, 4),
                EX[2].dir: run_of(EX[2], 0, 2)}
        text = self.render(runs)
        self.assertIn("S.C1 (and 1 more failing)   ./course run 01: all of "
                      "it",
                      text)
        self.assertIn("64 items with chunksize 64 are one chunk", text)
        self.assertNotIn("Which is", text)
        self.assertNotIn("a second failed check", text)

    def test_list_shows_every_exercise(self):
        runs = {ex.dir: run_of(ex, 0, 5) for ex in COURSE}
        text = self.render(runs, COURSE, everything=True)
        for ex in COURSE:
            self.assertIn(" %s   ex %d " % (ex.id, int(ex.id)), text + " ")
        self.assertIn("Build your own pool   not started: 9 exercises", text)
        self.assertIn("Next: 01 ex 1", text)

    def test_all_done(self):
        runs = {e.dir: run_of(e, 2, 2) for e in EX}
        text = self.render(runs)
        self.assertIn("Every exercise passes", text)


class SpeedColumnTest(unittest.TestCase):

    def test_an_unsolved_exercise_says_speed_counts_too(self):
        runs = {e.dir: run_of(e, 1, 2) for e in COURSE}
        with tempfile.TemporaryDirectory() as root:
            listing = screens.render_list(COURSE, runs, progress.State(root),
                                          STYLE)
        rows = {l.split()[1]: l for l in listing.splitlines()
                if l.startswith("  X ")}
        self.assertIn("+ speed points", rows["01"])  # has [performance]
        self.assertNotIn("speed", rows["02"])

    def test_shows_what_bench_measured_on_the_current_files(self):
        ex = COURSE[0]  # has [performance]
        runs = {e.dir: run_of(e, 2, 2) for e in COURSE}
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, ex.path))
            path = os.path.join(root, ex.path, "exercise.cc")
            with open(path, "w") as f:
                f.write("// mine\n")
            state = progress.State(root)
            listing = screens.render_list(COURSE, runs, state, STYLE)
            self.assertIn("01   ex 1", listing)
            self.assertIn("speed: ./course bench", listing)  # solved
            state.set_speed(ex.id, {"index": 1.37, "points": 5.0,
                                    "digest": progress.files_digest(root,
                                                                   ex)})
            listing = screens.render_list(COURSE, runs, progress.State(root),
                                          STYLE)
            row = [l for l in listing.splitlines() if " 01 " in l][0]
            self.assertIn("speed 1.00 (5/5)", row)  # capped for display
            # The file changes: the measurement is no longer its speed.
            with open(path, "w") as f:
                f.write("// changed\n")
            listing = screens.render_list(COURSE, runs, progress.State(root),
                                          STYLE)
            row = [l for l in listing.splitlines() if " 01 " in l][0]
            self.assertIn("speed: ./course bench", row)


class HintTest(unittest.TestCase):

    def test_one_at_a_time_and_remembered(self):
        with tempfile.TemporaryDirectory() as root:
            shown = []
            for _ in range(4):
                out = io.StringIO()
                learner.cmd_hint(EX[0], progress.State(root), STYLE, out)
                shown.append(out.getvalue())
            self.assertIn("Hint 1 of 3", shown[0])
            self.assertIn("one", shown[0])
            self.assertIn("Hint 2 of 3", shown[1])
            self.assertIn("Hint 3 of 3", shown[2])
            self.assertIn("last hint", shown[2])
            self.assertIn("Hint 3 of 3", shown[3])  # stays at the last
            self.assertEqual(progress.State(root).hints_shown("01"), 3)
            self.assertEqual(progress.State(root).hints_shown("02"), 0)


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

    def watch_while_editing(self, exercises, edits, **options):
        """Runs watch over `exercises` (each starting as "// starter") while
        a learner, after each check, saves the next of `edits` ((exercise,
        text) pairs). An exercise passes once its file says "solved".
        Returns watch's exit code, the ids checked in order, the output."""
        with tempfile.TemporaryDirectory() as root:
            def path(ex):
                return os.path.join(root, ex.path, "exercise.cc")

            for ex in exercises:
                os.makedirs(os.path.join(root, ex.path))
                with open(path(ex), "w") as f:
                    f.write("// starter\n")
            checked = []

            def run_one(ex):
                checked.append(ex.id)
                with open(path(ex)) as f:
                    ok = "solved" in f.read()
                return run_of(ex, 2 if ok else 1, 2)

            def learner_edits():
                for ex, text in edits:
                    n = len(checked)
                    deadline = time.monotonic() + 10
                    while len(checked) == n and time.monotonic() < deadline:
                        time.sleep(0.05)
                    time.sleep(0.2)
                    with open(path(ex), "w") as f:
                        f.write(text)
            editor = threading.Thread(target=learner_edits)
            editor.start()
            out = io.StringIO()
            code = watch.watch(root, exercises, run_one, progress.State(root),
                               STYLE, out, NoKeys(), poll=0.05,
                               max_cycles=2000, **options)
            editor.join()
            return code, checked, out.getvalue()

    def test_reruns_on_save_and_moves_on_when_passing(self):
        code, checked, text = self.watch_while_editing(
            EX[:2], ((EX[0], "// still wrong\n"),
                     (EX[0], "// solved\n"),
                     (EX[1], "// solved\n")))
        self.assertEqual(code, 0)
        self.assertEqual(checked, ["01", "01", "01", "02", "02"])
        self.assertIn("01 ex 1 passes", text)
        self.assertIn("02 ex 2 passes", text)
        self.assertIn("expected 1, got 2", text)
        self.assertIn("Every exercise passes", text)

    def test_a_save_to_any_exercise_reruns_that_one(self):
        # watch 02 (b01 in the course): saving 01's file, though 02 is
        # current, reruns 01 and makes it current; 01 passing moves on to
        # the next exercise not known to pass, 02.
        code, checked, text = self.watch_while_editing(
            EX, ((EX[0], "// solved\n"),
                 (EX[1], "// solved\n"),
                 (EX[2], "// solved\n")),
            start=EX[1])
        self.assertEqual(code, 0)
        # 02 (start, fails); 01 saved: passes, on to 02 (fails); 02
        # saved: passes, on to 03 (fails); 03 saved: passes; all pass.
        self.assertEqual(checked, ["02", "01", "02", "02", "03", "03"])
        self.assertIn("Every exercise passes", text)

    def test_a_build_failure_is_not_0_of_0_checks(self):
        run = testrun.Run(EX[0], built=False, compile_error=(
            "exercises/01_ex/exercise.cc:14:20: this line of yours leads "
            "to the error below\n" + "\n".join(
                "error line %d" % i for i in range(20))))
        text = (screens.describe_failure(run, STYLE) + "\n" +
                screens.watch_footer(run, ["exercises/01_ex/exercise.cc"]))
        self.assertNotIn("0 of 0", text)
        self.assertIn("01 ex 1 does not build", text)
        self.assertIn("It does not build.", text)
        self.assertLessEqual(len(text.splitlines()), 10, text)
        self.assertIn("exercise.cc:14:20", text.splitlines()[1])

    def test_a_passing_exercise_with_speed_points_says_what_to_run(self):
        ex = course_of([("Using a pool", 1)])[0]
        text = screens.passes(run_of(ex, 2, 2), STYLE)
        self.assertIn("01 ex 1 passes (2/2).", text)
        self.assertIn("./course bench 01", text)
        self.assertEqual(screens.passes(run_of(EX[0], 2, 2), STYLE),
                         "ok 01 ex 1 passes (2/2).")


class HangTest(unittest.TestCase):

    CASES = ["MapAsyncTest.MapAsyncDoesNotWait",
             "MapAsyncTest.MapAsyncCallsBackOnceWithAllResults",
             "MapAsyncTest.MapAsyncReportsTheFirstFailingItem",
             "MapAsyncTest.MapAsyncRunsInWorkers",
             "MapAsyncTest.MapTwoAtOnceMatchesPlainLoops",
             "MapAsyncTest.MapTwoAtOnceStartsBothBeforeWaiting"]

    def test_the_case_that_was_running_is_blamed(self):
        # A real hang stopped by ./course: the first case without a
        # verdict is the one that hung, not the first one listed.
        log = bazel.read_text(data("runs", "learner_hang", "bazel.log"))
        run = testrun.interpret_test_run(
            EX[0], None, self.CASES, hang=testrun.Hang(self.CASES[4], 20),
            log=log)
        self.assertFalse(run.solved)
        self.assertEqual(run.passed, 4)
        first = run.first_failure()
        self.assertEqual(first.name, self.CASES[4])
        self.assertIn("did not finish within 20 s", first.message)
        self.assertIn("never ran: the test process was stopped in "
                      "MapAsyncTest.MapTwoAtOnceMatchesPlainLoops",
                      run.cases[5].message)

    def test_a_bazel_timeout_blames_the_running_case_too(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "test.log")
            with open(log, "w") as f:
                f.write("[ RUN      ] S.A\n[       OK ] S.A (1 ms)\n"
                        "[ RUN      ] S.B\n-- Test timed out at X --\n")
            tr = bazel.TestRun("//x:test", 1, "TIMEOUT", "", log, False)
            run = testrun.interpret_test_run(EX[0], tr, ["S.A", "S.B", "S.C"])
        self.assertEqual(run.first_failure().name, "S.B")
        self.assertIn("time limit", run.first_failure().message)
        self.assertTrue(run.cases[0].passed)
        self.assertIn("never ran", run.cases[2].message)

    def test_the_clock_follows_the_running_case(self):
        now = [0.0]
        shown = []
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "bazel.log")
            clock = testrun.CaseClock(path, 20, lambda *a: shown.append(a),
                                      now=lambda: now[0])
            self.assertFalse(clock.poll())  # no log yet
            with open(path, "a") as f:
                f.write("INFO: Build completed\n[ RUN      ] S.A\n[  ")
            self.assertFalse(clock.poll())
            now[0] = 1.0
            self.assertFalse(clock.poll())
            self.assertEqual(shown, [])  # not yet SHOW_AFTER
            with open(path, "a") as f:
                f.write("     OK ] S.A (900 ms)\n[ RUN      ] S.B\n")
            self.assertFalse(clock.poll())
            now[0] = 4.0
            self.assertFalse(clock.poll())
            self.assertEqual(shown[-1], ("S.B", 3.0, 20))
            now[0] = 21.5
            self.assertTrue(clock.poll())
            self.assertEqual(clock.hang, testrun.Hang("S.B", 20))
            self.assertNotIn("INFO: Build completed", clock.output())
            self.assertIn("[       OK ] S.A (900 ms)", clock.output())

    def test_clocks_of_several_tests_show_the_longest_and_stop_a_hang(self):
        """Two exercises' tests write their test.log as Bazel would; the
        one whose case runs past its loop_timeout has its writing process
        (a real one) killed, the other one is left alone."""
        import types
        now = [0.0]
        shown = []
        exs = [types.SimpleNamespace(dir=n, path="exercises/" + n,
                                     loop_timeout=20) for n in ("a", "b")]
        with tempfile.TemporaryDirectory() as d:
            procs = {}
            for ex, text in (("a", "[ RUN      ] A.Slow\n"),
                             ("b", "[ RUN      ] B.Hang\n")):
                logdir = os.path.join(d, "bazel-testlogs", "exercises", ex,
                                      "test")
                os.makedirs(logdir)
                log = open(os.path.join(logdir, "test.log"), "w")
                procs[ex] = subprocess.Popen(
                    ["sh", "-c", "printf '%s'; sleep 60" % text],
                    stdout=log, stdin=subprocess.DEVNULL)
                log.close()
            clocks = testrun.TestLogClocks(d, exs, lambda *a: shown.append(a),
                                           now=lambda: now[0])
            try:
                deadline = time.monotonic() + 10
                while len(clocks.clocks) < 2 and time.monotonic() < deadline:
                    time.sleep(0.05)
                    self.assertFalse(clocks.poll())
                now[0] = 3.0
                with open(os.path.join(d, "bazel-testlogs/exercises/a/test/"
                                       "test.log"), "a") as f:
                    f.write("[       OK ] A.Slow (1 ms)\n")
                self.assertFalse(clocks.poll())
                self.assertEqual(shown[-1], ("B.Hang", 3.0, 20))
                now[0] = 21.0
                self.assertFalse(clocks.poll())  # Bazel runs on
                self.assertEqual(clocks.hangs, {"b": testrun.Hang("B.Hang",
                                                                   20)})
                self.assertEqual(procs["b"].wait(timeout=10), -9)
                self.assertIsNone(procs["a"].poll())
                self.assertEqual(shown[-1], (None, 0, 0))
            finally:
                for p in procs.values():
                    p.kill()
                    p.wait()

    def test_a_log_from_an_earlier_run_is_not_followed(self):
        import types
        ex = types.SimpleNamespace(dir="a", path="exercises/a",
                                   loop_timeout=1)
        with tempfile.TemporaryDirectory() as d:
            logdir = os.path.join(d, "bazel-testlogs/exercises/a/test")
            os.makedirs(logdir)
            path = os.path.join(logdir, "test.log")
            with open(path, "w") as f:
                f.write("[ RUN      ] A.Old\n")
            os.utime(path, (time.time() - 60, time.time() - 60))
            clocks = testrun.TestLogClocks(d, [ex], lambda *a: None,
                                           now=lambda: 100.0)
            clocks.poll()
            self.assertEqual((clocks.clocks, clocks.hangs), ({}, {}))


if __name__ == "__main__":
    unittest.main()
