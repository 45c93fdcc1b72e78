"""Tests of the command line (cli.py): exit statuses, and the messages of
usage errors and tool failures, on a small made-up course. Commands that
need Bazel get a stand-in ./bazelw that fails as Bazel can."""

import contextlib
import io
import os
import stat
import tempfile
import unittest
from unittest import mock

from coursetool import cli
from coursetool.testutil import GOOD_TOML

PERF = """
[performance]
benchmark = "bench"
reference = "//solutions/03_map:bench"
points = 5
full_at = 0.5
zero_at = 0.2
"""


def run_course(*argv):
    """(exit status, stdout, stderr) of ./course argv, run in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(list(argv))
        except SystemExit as e:  # argparse
            code = e.code
    return code, out.getvalue(), err.getvalue()


def make_course(root, toml=GOOD_TOML):
    for base in ("exercises/03_map", "solutions/03_map"):
        os.makedirs(os.path.join(root, base))
        with open(os.path.join(root, base, "BUILD"), "w") as f:
            f.write("")
    with open(os.path.join(root, "exercises/03_map/exercise.cc"), "w") as f:
        f.write("// starter\n")
    with open(os.path.join(root, "exercises/03_map/course.toml"), "w") as f:
        f.write(toml)
    os.makedirs(os.path.join(root, ".github/workflows"))
    with open(os.path.join(root, ".github/workflows/classroom.yml"),
              "w") as f:
        f.write("run: ./course grade . --exercise 03\n")


def fake_bazelw(root, script):
    path = os.path.join(root, "bazelw")
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + script + "\n")
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)


class CliTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name
        self.env = mock.patch.dict(os.environ, {"COURSE_ROOT": self.root,
                                                "NO_COLOR": "1"})
        self.env.start()

    def tearDown(self):
        self.env.stop()
        self.tmp.cleanup()

    def course(self, *argv):
        return run_course(*argv)

    def test_the_live_line_is_gone_before_a_hang_is_reported(self):
        # A test case that never ends: ./course names it on a live line
        # while it runs, stops it at loop_timeout, and clears the line
        # before it prints the result.
        make_course(self.root, GOOD_TOML.replace(
            "[weights]", "loop_timeout = 3\n\n[weights]"))
        fake_bazelw(self.root, "echo '[ RUN      ] MapTest.A'; exec sleep 60")

        class Tty(io.StringIO):
            encoding = "utf-8"

            def isatty(self):
                return True
        out, err = Tty(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["run", "03"])
        self.assertEqual(code, cli.EXIT_FAILED, err.getvalue())
        text = out.getvalue()
        self.assertIn("did not finish within 3 s", text)
        shown = text.rfind("running MapTest.A")
        if shown >= 0:  # on a slow machine the line may never be shown
            self.assertIn("\r\033[K", text[shown:text.index("03 map")],
                          repr(text[:300]))

    def test_an_unknown_exercise_is_a_usage_error_that_names_the_fix(self):
        make_course(self.root)
        code, _, err = self.course("run", "99")
        self.assertEqual(code, cli.EXIT_USAGE)
        self.assertIn("no exercise '99'; `./course` lists them (ids: 03)",
                      err)

    def test_no_exercises_at_all(self):
        code, _, err = self.course("hint", "03")
        self.assertEqual(code, cli.EXIT_USAGE)
        self.assertIn("no exercises found", err)

    def test_a_bad_course_toml_names_its_file(self):
        make_course(self.root, GOOD_TOML.replace('id = "03"', 'id = "0 3"'))
        code, _, err = self.course("run", "03")
        self.assertEqual(code, cli.EXIT_USAGE)
        self.assertIn("bad course.toml: exercises/03_map/course.toml", err)

    def test_an_unknown_flag_is_a_usage_error(self):
        make_course(self.root)
        code, _, _ = self.course("run", "03", "--no-such-flag")
        self.assertEqual(code, 2)

    def test_hint_needs_no_bazel_and_is_remembered(self):
        make_course(self.root)
        fake_bazelw(self.root, "echo must not run >&2; exit 99")
        code, out, _ = self.course("hint", "03")
        self.assertEqual(code, cli.EXIT_OK)
        self.assertIn("Hint 1 of 3 for 03 map:", out)
        self.assertIn("one", out)
        _, out, _ = self.course("hint", "03")
        self.assertIn("Hint 2 of 3", out)
        _, out, _ = self.course("hint", "03", "--all")
        self.assertIn("Hint 1 of 3:", out)
        self.assertIn("Hint 2 of 3:", out)
        self.assertNotIn("three", out)

    def test_bench_on_an_exercise_without_a_benchmark(self):
        make_course(self.root)
        code, _, err = self.course("bench", "03")
        self.assertEqual(code, cli.EXIT_USAGE)
        self.assertIn("exercise 03 has no benchmark", err)

    def test_bench_flags_are_checked_before_anything_runs(self):
        make_course(self.root, GOOD_TOML + PERF)
        fake_bazelw(self.root, "exit 99")
        code, _, err = self.course("bench", "03", "--rounds", "0")
        self.assertEqual(code, cli.EXIT_USAGE)
        self.assertIn("rounds must be at least 1", err)
        code, _, err = self.course("bench", "03", "--min-time", "-1")
        self.assertEqual(code, cli.EXIT_USAGE)
        self.assertIn("positive number of seconds", err)

    def test_a_bazel_failure_is_the_tool_s_failure_with_its_log(self):
        make_course(self.root)
        fake_bazelw(self.root, "echo 'the disk is full' >&2; exit 37")
        code, _, err = self.course("run", "03")
        self.assertEqual(code, cli.EXIT_TOOL)
        self.assertIn("course: Bazel failed (exit status 37)", err)
        self.assertIn("the disk is full", err)

    def test_grade_checks_its_arguments_before_grading(self):
        make_course(self.root)
        fake_bazelw(self.root, "exit 99")
        missing = os.path.join(self.root, "nobody")
        code, _, err = self.course("grade", missing)
        self.assertEqual(code, cli.EXIT_USAGE)
        self.assertIn("no submission directory " + missing, err)
        code, _, err = self.course("grade", self.root, "--timeout", "0")
        self.assertEqual(code, cli.EXIT_USAGE)
        self.assertIn("--timeout must be at least 1 second", err)
        a, b = (os.path.join(self.root, n) for n in ("a", "b"))
        os.makedirs(a)
        os.makedirs(b)
        code, _, err = self.course("grade", a, b, "--json",
                                   os.path.join(self.root, "r.json"))
        self.assertEqual(code, cli.EXIT_USAGE)
        self.assertIn("with several submissions give a directory", err)
        code, _, err = self.course("grade", a, "--exercise", "03,99")
        self.assertEqual(code, cli.EXIT_USAGE)
        self.assertIn("--exercise: no exercise '99'", err)
        code, _, err = self.course("grade", a, "--assignment",
                                   os.path.join(self.root, "nothere"))
        self.assertEqual(code, cli.EXIT_USAGE)
        self.assertIn("No such file", err)
        code, _, err = self.course("grade", a, "--bench-rounds", "0")
        self.assertEqual(code, cli.EXIT_USAGE)
        self.assertIn("rounds must be at least 1", err)
        code, _, err = self.course("grade", a, "--base", "first-commit")
        self.assertEqual(code, cli.EXIT_USAGE)
        self.assertIn("has no git history", err)

    def test_grade_refuses_a_submission_that_holds_its_workspace(self):
        make_course(self.root)
        cache = os.path.join(self.root, "ana", "cache")
        os.makedirs(cache)
        code, _, err = self.course("grade", os.path.join(self.root, "ana"),
                                   "--cache", cache)
        self.assertEqual(code, cli.EXIT_USAGE)
        self.assertIn("contains the grader's workspace", err)

    def test_watch_takes_an_exercise(self):
        parser = cli.build_parser()
        self.assertEqual(parser.parse_args(["watch", "b01"]).exercise, "b01")
        self.assertIsNone(parser.parse_args(["watch"]).exercise)
        make_course(self.root)
        code, _, err = self.course("watch", "b99")
        self.assertEqual(code, cli.EXIT_USAGE)
        self.assertIn("no exercise 'b99'", err)

    def test_check(self):
        make_course(self.root)
        code, out, _ = self.course("check")
        self.assertEqual(code, cli.EXIT_OK, out)
        self.assertIn("are consistent", out)
        os.remove(os.path.join(self.root, "solutions/03_map/BUILD"))
        code, out, _ = self.course("check")
        self.assertEqual(code, cli.EXIT_FAILED)
        self.assertIn("solutions/03_map/BUILD is missing", out)


if __name__ == "__main__":
    unittest.main()
