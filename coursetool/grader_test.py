"""Tests of the grader's logic (grader.py), on recorded test runs. The
end-to-end runs with Bazel are in e2e_test.sh (run by .ci/run)."""

import os
import tempfile
import unittest

from coursetool import bazel
from coursetool import catalog
from coursetool import errors
from coursetool import grader
from coursetool import hidden
from coursetool import package
from coursetool import results
from coursetool import slot_bazel
from coursetool.testutil import GOOD_TOML, data

APPLY = ["ApplyTest.ApplyOneMatchesPlainCall",
         "ApplyTest.ApplyOneRunsInAWorker",
         "ApplyTest.ApplyTwoPassesArgumentsInOrder",
         "ApplyTest.ApplyTwoRunsInAWorker",
         "ApplyTest.ApplyNoArgsRunsInAWorker",
         "ApplyTest.ApplyOneLetsTaskErrorsThrough"]
MAP = ["MapTest.MapInWorkersRunsTheArticleProgram",
       "MapTest.MapInWorkersMatchesAPlainLoop",
       "MapTest.MapInWorkersRunsInWorkers",
       "MapTest.MapInChunksMatchesAPlainLoop",
       "MapTest.MapInChunksPassesTheChunksize"]
CLOSE = ["CloseJoinTest.FinishAndShutDownLetsQueuedWorkFinish",
         "CloseJoinTest.FinishAndShutDownLeavesThePoolShutDown",
         "CloseJoinTest.TrySubmitSubmitsWhileRunning",
         "CloseJoinTest.TrySubmitReportsAStoppedPool"]


def run(kind, shard, status):
    d = data("runs", kind, "shard_%d" % shard)
    return bazel.TestRun("//course_grading:x", shard, status,
                         os.path.join(d, "test.xml"),
                         os.path.join(d, "test.log"), False)


class CasesFromRunsTest(unittest.TestCase):

    def test_exit_zero_earns_nothing_for_that_case(self):
        # Shard 1 ran ApplyOneMatchesPlainCall, which called exit(0):
        # Bazel saw status 0 (PASSED), but no result was recorded.
        got = grader.cases_from_runs([run("exit0", 1, "PASSED"),
                                      run("exit0", 3, "PASSED")], APPLY, 30)
        self.assertEqual(got[0].status, results.NO_RESULT)
        self.assertIn("exited with status 0", got[0].message)
        # Shard 3 ran ApplyTwoPassesArgumentsInOrder and recorded a pass.
        self.assertEqual(got[2].status, results.PASS)
        # Shards that are not given never ran.
        self.assertEqual(got[1].status, results.NO_RESULT)
        self.assertIn("did not run", got[1].message)

    def test_abort_is_named(self):
        got = grader.cases_from_runs([run("abort", 3, "FAILED"),
                                      run("abort", 4, "FAILED")], MAP, 30)
        self.assertEqual(got[3].status, results.NO_RESULT)
        self.assertIn("SIGABRT", got[3].message)
        self.assertEqual(got[4].status, results.NO_RESULT)

    def test_a_hang_fails_alone(self):
        got = grader.cases_from_runs([run("hang", 1, "TIMEOUT"),
                                      run("hang", 3, "PASSED")], CLOSE, 5)
        self.assertEqual(got[0].status, results.NO_RESULT)
        self.assertIn("time limit of 5 s", got[0].message)
        self.assertEqual(got[2].status, results.PASS)

    def test_recorded_cases_of_another_shard_do_not_count(self):
        # Shard 3's XML holds ApplyTwoPassesArgumentsInOrder; read as shard
        # 1 it must not earn ApplyOneMatchesPlainCall or anything else.
        wrong = run("exit0", 3, "PASSED")
        wrong.shard = 1
        got = grader.cases_from_runs([wrong], APPLY, 30)
        self.assertTrue(all(not c.passed for c in got))


class PlanTest(unittest.TestCase):

    def test_timeouts_map_onto_bazels_four_categories(self):
        mapping, flag = package.timeout_plan([30, 30, 60])
        self.assertEqual(mapping, {30: "short", 60: "moderate"})
        self.assertEqual(flag, "--test_timeout=30,60,60,60")
        mapping, flag = package.timeout_plan([5, 10, 20, 40, 80, 160])
        self.assertEqual(flag, "--test_timeout=5,10,20,160")
        self.assertEqual(mapping[40], "eternal")
        self.assertEqual(mapping[10], "moderate")

    def test_one_case_per_shard_up_to_the_limit(self):
        self.assertEqual(package.shard_filters(["A.a", "A.b"]),
                         ["A.a", "A.b"])
        many = ["S.c%d" % i for i in range(package.MAX_SHARDS + 2)]
        filters = package.shard_filters(many)
        self.assertEqual(len(filters), package.MAX_SHARDS)
        self.assertEqual(filters[0], "S.c0:S.c%d" % package.MAX_SHARDS)
        self.assertEqual(sorted(":".join(filters).split(":")), sorted(many))

    def test_generated_package(self):
        ex = catalog.parse(GOOD_TOML, "03_map")
        tests = hidden.Hidden({"03_map": {"h_test.cc": b"// test\n"}}, {},
                              "/hidden")
        deps = {ex.test_label: ["//exercises/03_map:exercise",
                                "@googletest//:gtest_main"],
                ex.solution_label: ["//solutions/03_map:solution"]}
        files = package.grading_package(
            [(ex, ["MapTest.A", "MapTest.B"], ["H.X"], "short")], tests,
            deps, [ex])
        build = files["course_grading/BUILD"][0].decode()
        self.assertIn('name = "03_map",', build)
        self.assertIn("shard_count = 2,", build)
        self.assertIn('timeout = "short",', build)
        self.assertIn('data = ["//exercises/03_map:test", "03_map.cases"]',
                      build)
        self.assertIn('name = "03_map_hidden_reference",', build)
        self.assertIn('deps = ["//solutions/03_map:solution"]', build)
        self.assertIn('name = "03_map_hidden_graded",', build)
        self.assertEqual(files["course_grading/03_map.cases"][0],
                         b"MapTest.A\nMapTest.B\n")
        self.assertEqual(files["course_grading/hidden/03_map/h_test.cc"][0],
                         b"// test\n")
        self.assertTrue(files["course_grading/run_cases.sh"][1])

    def test_tmpfs_paths(self):
        here = os.path.dirname(os.path.abspath(__file__))
        parent = os.path.dirname(here)
        got = slot_bazel.tmpfs_paths(["/tmp", here, "/nonexistent", parent,
                                  "/tmp"], keep=[])
        self.assertEqual(got, sorted({"/tmp", parent}))
        # Never a directory that holds the slot's own files.
        self.assertEqual(slot_bazel.tmpfs_paths([parent], keep=[here]), [])


class SandboxTest(unittest.TestCase):

    def test_only_bazels_own_error_lines_turn_the_sandbox_off(self):
        self.assertTrue(slot_bazel.sandbox_unavailable(
            "INFO: x\nERROR: 'linux-sandbox' was requested for default "
            "strategy but no strategy with that identifier was registered. "
            "Valid values are: [standalone, local]\n"))
        # A compiler error that quotes a submission's source line.
        self.assertFalse(slot_bazel.sandbox_unavailable(
            "exercises/01_apply/exercise.cc:3:1: error: 'linux' does not "
            "name a type\n    3 | ERROR: linux-sandbox not available\n"))


class HiddenTest(unittest.TestCase):

    def write(self, root, toml):
        os.makedirs(os.path.join(root, "03_map"))
        with open(os.path.join(root, "03_map", "h_test.cc"), "w") as f:
            f.write("// test\n")
        with open(os.path.join(root, "03_map", "course.toml"), "w") as f:
            f.write(toml)

    def test_weights_are_read(self):
        ex = catalog.parse(GOOD_TOML, "03_map")
        with tempfile.TemporaryDirectory() as d:
            self.write(d, "[weights]\n\"H.X\" = 3\n")
            got = hidden.load_hidden(d, [ex])
        self.assertEqual(got.weights, {"03_map": {"H.X": 3}})
        self.assertEqual(got.files, {"03_map": {"h_test.cc": b"// test\n"}})

    def test_bad_weights_are_refused_as_an_exercise_s_are(self):
        ex = catalog.parse(GOOD_TOML, "03_map")
        for toml, said in (("[weights]\n\"H.X\" = -1\n", ">= 0"),
                           ("[weights]\nX = 1\n", "Suite.Case"),
                           ("weights = 3\n", "must be a table"),
                           ("[weights\n", "not valid TOML")):
            with tempfile.TemporaryDirectory() as d:
                self.write(d, toml)
                with self.assertRaises(catalog.ConfigError) as cm:
                    hidden.load_hidden(d, [ex])
                self.assertIn(said, str(cm.exception))
                self.assertIn("03_map/course.toml", str(cm.exception))

    def test_an_unknown_directory_is_a_usage_error(self):
        ex = catalog.parse(GOOD_TOML, "03_map")
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "99_nope"))
            with self.assertRaises(errors.UsageError) as cm:
                hidden.load_hidden(d, [ex])
            self.assertIn("99_nope is not an exercise directory",
                          str(cm.exception))


class IsWithinTest(unittest.TestCase):

    def test_is_within(self):
        self.assertTrue(slot_bazel.is_within("/a/b", "/a"))
        self.assertTrue(slot_bazel.is_within("/a", "/a/"))
        self.assertFalse(slot_bazel.is_within("/ab", "/a"))
        self.assertFalse(slot_bazel.is_within("/a", "/a/b"))


class CheckPathsTest(unittest.TestCase):

    def test_refuses_a_submission_that_holds_the_cache(self):
        with self.assertRaises(errors.UsageError):
            grader.check_paths("/home/x/.cache/course-grader", ["/home/x"])
        grader.check_paths("/home/x/.cache/course-grader", ["/home/x/ana"])

    def test_refuses_a_cache_the_sandbox_cannot_keep_private(self):
        for cache in ("/tmp/grading", "/dev/shm/g", "/tmp"):
            with self.assertRaises(errors.UsageError) as e:
                grader.check_paths(cache, ["/home/x/ana"])
            self.assertIn("--cache", str(e.exception))
        # Without the sandbox nothing is made private: allowed.
        grader.check_paths("/tmp/grading", ["/home/x/ana"], sandboxed=False)
        grader.check_paths("/tmpfoo/grading", ["/home/x/ana"])


if __name__ == "__main__":
    unittest.main()
