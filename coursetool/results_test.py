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

    def source(self, path, number):
        self.assertEqual(path, "exercises/01_apply/exercise.cc")
        return {"14": "  return pool.apply(fn, x, x);",
                "20": "  return pool.apply(fn, a, b, a);"}.get(number)

    def test_a_library_error_starts_with_the_learners_line(self):
        # gcc, two bad calls: the static_assert fires in pool/internal/
        # task.h; the line to fix is the "required from here" in
        # exercise.cc, shown first with its source.
        err = results.first_compiler_error(
            read("compile", "two_bad_calls.log"),
            prefer=["exercises/01_apply/exercise.cc"], read_line=self.source)
        lines = err.splitlines()
        self.assertEqual(lines[0], "exercises/01_apply/exercise.cc:14:20: "
                         "this line of yours leads to the error below")
        self.assertEqual(lines[1], "   14 |   return pool.apply(fn, x, x);")
        self.assertIn("task.h:266:22: error: static assertion failed: pool: "
                      "the arguments (after the task) do not fit", lines[2])
        self.assertLessEqual(len(lines), 8)

    def test_fixing_one_of_two_bad_calls_shows_the_other(self):
        err = results.first_compiler_error(
            read("compile", "second_bad_call.log"),
            prefer=["exercises/01_apply/exercise.cc"], read_line=self.source)
        self.assertTrue(
            err.startswith("exercises/01_apply/exercise.cc:20:20:"), err)
        self.assertIn("return pool.apply(fn, a, b, a);", err)

    def test_clang_notes_after_the_error_name_the_learners_line(self):
        out = ("./pool/internal/task.h:266:3: error: static assertion "
               "failed due to requirement 'IsNot(...)': pool: the arguments "
               "do not fit\n"
               "  266 |   static_assert(IsNot(p, Problem::kArgumentTypes),\n"
               "./pool/pool.h:334:28: note: in instantiation of function "
               "template specialization 'pool::internal::Fail<V>' requested "
               "here\n"
               "exercises/01_apply/exercise.cc:20:15: note: in instantiation "
               "of function template specialization 'apply<long long>' "
               "requested here\n")
        err = results.first_compiler_error(
            out, prefer=["exercises/01_apply/exercise.cc"])
        self.assertTrue(err.startswith(
            "exercises/01_apply/exercise.cc:20:15: this line of yours"), err)
        self.assertIn("error: static assertion failed", err)

    def test_without_a_line_of_the_learners_nothing_is_made_up(self):
        err = results.first_compiler_error(
            read("compile", "two_bad_calls.log"),
            prefer=["exercises/02_apply_async/exercise.cc"])
        self.assertTrue(err.startswith("./pool/internal/task.h:266:22: "
                                       "error: static assertion"), err)
        self.assertNotIn("yours", err)


class LogVerdictTest(unittest.TestCase):

    def test_what_a_stopped_test_had_done(self):
        # A hang in ./course run 04, stopped by ./course: four cases had
        # passed, the fifth was running; Bazel's own lines are not the
        # test's.
        got = results.log_verdicts(read("runs", "learner_hang",
                                        "bazel.log"))
        self.assertEqual(
            [(name.split(".")[1], status) for name, (status, _) in
             got.items()],
            [("MapAsyncDoesNotWait", results.PASS),
             ("MapAsyncCallsBackOnceWithAllResults", results.PASS),
             ("MapAsyncReportsTheFirstFailingItem", results.PASS),
             ("MapAsyncRunsInWorkers", results.PASS),
             ("MapTwoAtOnceMatchesPlainLoops", results.NO_RESULT)])

    def test_what_each_case_printed(self):
        log = ("[ RUN      ] S.A\n"
               "x_test.cc:3: Failure\nexpected 1\n"
               "[  FAILED  ] S.A (5 ms)\n"
               "[ RUN      ] S.B\n"
               "gate: a task waited 5 s for the test to open its gate and "
               "gave up\n")
        got = results.log_verdicts(log)
        self.assertEqual(got["S.A"], (results.FAIL,
                                      "x_test.cc:3: Failure\nexpected 1"))
        self.assertEqual(got["S.B"][0], results.NO_RESULT)
        reason = results.blame(results.describe_hang(20), got["S.B"][1])
        self.assertIn("within 20 s", reason)
        self.assertIn("Before that, it printed:\n  gate: a task waited 5 s "
                      "for the test to open its gate", reason)


if __name__ == "__main__":
    unittest.main()
