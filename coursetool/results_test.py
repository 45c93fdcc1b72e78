"""Tests of reading test records (results.py), on recorded files."""

import unittest

from coursetool import results
from coursetool.testutil import read


class TestListTest(unittest.TestCase):

    def test_reads_a_recorded_gtest_list(self):
        cases = results.parse_test_list(read("runs", "list_03_map.txt"))
        self.assertEqual(cases[0], "MapTest.MapInWorkersRunsTheArticleProgram")
        self.assertEqual(len(cases), 5)
        self.assertTrue(all(c.startswith("MapTest.") for c in cases))

    def test_skips_lines_that_are_not_suites(self):
        text = ("Running main() from gtest_main.cc\nSuite.\n  A\n"
                "Typed/0.  # TypeParam = int\n  B  # GetParam() = 3\n")
        self.assertEqual(results.parse_test_list(text),
                         ["Suite.A", "Typed/0.B"])


class JunitTest(unittest.TestCase):

    def test_every_case_of_a_passing_run(self):
        got = results.parse_junit_xml(read("runs", "solution_01_test.xml"))
        self.assertEqual(len(got), 6)
        self.assertTrue(all(s == results.PASS for s, _ in got.values()))

    def test_failures_carry_their_message_in_plain_words(self):
        got = results.parse_junit_xml(read("runs", "starter_01_test.xml"))
        status, message = got["ApplyTest.ApplyOneMatchesPlainCall"]
        self.assertEqual(status, results.FAIL)
        self.assertEqual(message, "your code threw an exception: TODO: "
                         "ApplyOne is not written yet")

    def test_bazels_own_report_holds_no_case(self):
        # A process that exited early: Bazel wrote the XML, with the log
        # (which shows a test starting) but no gtest case.
        self.assertEqual(results.parse_junit_xml(
            read("runs", "exit0", "shard_1", "test.xml")), {})

    def test_cut_short_or_skipped(self):
        self.assertEqual(results.parse_junit_xml("<testsuites><testsu"), {})
        got = results.parse_junit_xml(
            '<testsuites><testsuite><testcase name="A" classname="S" '
            'status="run" result="skipped"/></testsuite></testsuites>')
        self.assertEqual(got["S.A"][0], results.FAIL)

    def test_tidy_failure_keeps_only_the_explanation(self):
        raw = ("exercises/04_map_async/exercise_test.cc:190: Failure\n"
               "Value of: RanInWorkers(\"MapTwoAtOnce\", pids, w)\n"
               "  Actual: false (MapTwoAtOnce must run the tasks (pids 1).\n"
               "  4 of 4 tasks ran here.)\nExpected: true")
        self.assertEqual(results.tidy_failure(raw),
                         "(exercise_test.cc line 190)\nMapTwoAtOnce must "
                         "run the tasks (pids 1).\n  4 of 4 tasks ran here.")


class EndingTest(unittest.TestCase):

    def test_running_case_comes_from_the_log(self):
        log = read("runs", "exit0", "shard_1", "test.log")
        self.assertEqual(results.running_case(log),
                         "ApplyTest.ApplyOneMatchesPlainCall")
        self.assertIsNone(results.running_case(
            "[ RUN      ] A.B\n[       OK ] A.B (0 ms)\n"))

    def test_reasons(self):
        self.assertIn("status 0", results.describe_ending("PASSED"))
        self.assertIn("SIGABRT", results.describe_ending("FAILED", 134))
        self.assertIn("SIGSEGV", results.describe_ending("FAILED", 139))
        self.assertIn("10 s", results.describe_ending("TIMEOUT", 142, 10))
        self.assertIn("status 3", results.describe_ending("FAILED", 3))

    def test_match_cases_fails_what_has_no_record(self):
        got = results.match_cases(
            ["S.A", "S.B", "S.C"],
            {"S.A": (results.PASS, ""), "S.B": (results.FAIL, "no"),
             "S.Fake": (results.PASS, "")},
            lambda name: "gone before " + name)
        self.assertEqual([(c.name, c.status) for c in got],
                         [("S.A", results.PASS), ("S.B", results.FAIL),
                          ("S.C", results.NO_RESULT)])
        self.assertEqual(got[2].message, "gone before S.C")


class CompilerErrorTest(unittest.TestCase):

    def test_first_error_in_the_learners_file_with_its_context(self):
        out = read("runs", "no_compile_build.log")
        err = results.first_compiler_error(
            out, prefer=["exercises/10_with/exercise.cc"])
        lines = err.splitlines()
        self.assertIn("In function", lines[0])
        self.assertIn("exercises/10_with/exercise.cc:10:9: error: 'Pol' is "
                      "not a member of 'pool'", lines[1])
        self.assertIn("pool::Pol pool(processes);", err)
        self.assertNotIn("ERROR:", err)

    def test_prefers_the_learners_file_over_an_earlier_error(self):
        out = ("pool/x.h:1:1: error: first\n"
               "exercises/a/exercise.cc:2:3: error: mine\n  code\n")
        self.assertEqual(results.first_compiler_error(
            out, prefer=["exercises/a/exercise.cc"]),
            "exercises/a/exercise.cc:2:3: error: mine\n  code")
        self.assertEqual(results.first_compiler_error("no errors"), "")


if __name__ == "__main__":
    unittest.main()
