"""Tests of the grading reports (report.py): Gradescope's results.json
and the class CSV."""

import csv
import io
import json
import unittest

from coursetool import catalog
from coursetool import grader
from coursetool import report
from coursetool import results
from coursetool import scoring
from coursetool import submission
from coursetool.testutil import GOOD_TOML, read

PERF_TOML = GOOD_TOML.replace('id = "03"', 'id = "b05"').replace(
    "order = 30", "order = 240") + '''
[performance]
benchmark = "bench"
reference = "//solutions/b05:bench"
points = 5
full_at = 0.7
zero_at = 0.25
'''


def graded():
    ex = catalog.parse(GOOD_TOML, "03_map")
    perf_ex = catalog.parse(PERF_TOML, "b05_speed")
    missing = catalog.parse(GOOD_TOML.replace('"03"', '"04"').replace(
        "30", "40"), "04_map_async")
    s1 = scoring.ExerciseScore(ex, [
        results.CaseResult("MapTest.A", results.PASS),
        results.CaseResult("MapTest.B", results.FAIL, "wrong order")],
        [results.CaseResult("Hidden.X", results.NO_RESULT, "timed out")])
    runs = [read("bench_a_%d.json" % i) for i in (1, 2, 3)]
    s2 = scoring.ExerciseScore(perf_ex, [
        results.CaseResult("MapTest.A", results.PASS)])
    s2.performance = scoring.score_performance(perf_ex.performance, runs,
                                               runs, True)
    s3 = scoring.ExerciseScore(missing, [
        results.CaseResult("MapTest.A", results.NO_RESULT, "not submitted")],
        note="not submitted: 04_map_async/exercise.cc missing", built=False)
    sub = submission.Submission("ana", "/x/ana", {}, {}, ["03_map/x calls "
                                                          "exit"])
    return grader.Graded(sub, [s1, s2, s3], 12.4, sub.warnings)


class ResultsJsonTest(unittest.TestCase):

    def test_follows_gradescopes_format(self):
        data = report.results_json(graded())
        json.dumps(data)  # serialisable
        for key in ("score", "tests", "output", "visibility",
                    "stdout_visibility", "execution_time"):
            self.assertIn(key, data)
        self.assertEqual(data["execution_time"], 12)
        for t in data["tests"]:
            self.assertEqual(set(t), {"name", "score", "max_score", "status",
                                      "output", "visibility"})
            self.assertIn(t["status"], ("passed", "failed"))
            self.assertIn(t["visibility"], ("visible", "hidden"))
            self.assertLessEqual(t["score"], t["max_score"])
        self.assertEqual(data["score"], sum(t["score"] for t in data["tests"]))

    def test_cases_weights_hidden_and_speed(self):
        tests = {t["name"]: t for t in report.results_json(graded())["tests"]}
        a = tests["03 map: MapTest.A"]
        self.assertEqual((a["score"], a["max_score"], a["status"]),
                         (2, 2, "passed"))
        b = tests["03 map: MapTest.B"]
        self.assertEqual((b["score"], b["output"]), (0, "wrong order"))
        h = tests["03 map (hidden): Hidden.X"]
        self.assertEqual(h["visibility"], "hidden")
        speed = tests["b05 map: speed"]
        self.assertEqual(speed["max_score"], 5)
        self.assertIn("index:", speed["output"])
        self.assertEqual(tests["04 map: MapTest.A"]["output"],
                         "not submitted")

    def test_no_speed_entry_when_speed_is_left_out(self):
        g = graded()
        for es in g.exercises:
            es.speed_graded = False
            es.performance = None
        data = report.results_json(g)
        self.assertFalse([t for t in data["tests"] if "speed" in t["name"]])
        self.assertEqual(g.max_score, 8)  # cases only: 2+1+1, 2, 2
        self.assertNotIn("leaderboard", data)

    def test_the_summary_shows_the_index_beside_the_points(self):
        out = report.results_json(graded())["output"]
        line = [l for l in out.splitlines() if l.startswith("b05")][0]
        self.assertRegex(line, r"passed +1/1 +2/2 +\d\.\d\d: 5/5$")

    def test_a_benchmark_shown_not_scored_is_left_out(self):
        g = graded()
        shown = catalog.parse(PERF_TOML.replace("points = 5", "points = 0")
                              .replace("full_at = 0.7\nzero_at = 0.25\n",
                                       ""), "b05_speed")
        g.exercises[1].exercise = shown
        g.exercises[1].performance = None
        data = report.results_json(g)
        self.assertFalse([t for t in data["tests"] if "speed" in t["name"]])
        self.assertEqual(g.max_score, 8)

    def test_leaderboard_holds_the_speed_index(self):
        data = report.results_json(graded())
        self.assertEqual(data["leaderboard"][0]["name"], "b05 speed index")


class CsvTest(unittest.TestCase):

    def test_one_row_per_submission(self):
        rows = list(csv.reader(io.StringIO(report.class_csv([graded()]))))
        self.assertEqual(rows[0], ["submission", "score", "max_score",
                                   "03_map", "03_map status",
                                   "b05_speed", "b05_speed status",
                                   "b05_speed speed",
                                   "b05_speed speed index", "04_map_async",
                                   "04_map_async status", "look at"])
        self.assertEqual(rows[1][0], "ana")
        self.assertEqual(rows[1][3:5], ["2", "failed 2 of 3"])
        self.assertEqual(rows[1][5:7], ["2", "passed"])
        index = float(rows[1][8])  # the same runs on both sides: about 1
        self.assertGreater(index, 0.5)
        self.assertLess(index, 2.0)
        self.assertEqual(rows[1][9:11], ["0", "not submitted"])
        self.assertEqual(rows[1][-1], "03_map/x calls exit")

    def test_statuses_tell_no_build_from_timeout_from_not_submitted(self):
        g = graded()
        ex = g.exercises[0]
        ex.cases[1] = results.CaseResult("MapTest.B", results.NO_RESULT,
                                         "no result: it did not finish",
                                         timed_out=True)
        no_build = scoring.ExerciseScore(
            g.exercises[2].exercise, [results.CaseResult(
                "MapTest.A", results.NO_RESULT, "does not compile")],
            note="exercise.cc:3:1: error: expected ';'", built=False)
        g.exercises[2] = no_build
        row = list(csv.reader(io.StringIO(report.class_csv([g]))))[1]
        self.assertEqual(row[4], "timed out")
        self.assertEqual(row[10], "did not build")
        self.assertEqual(report.summary_counts(g),
                         "1 passed, 1 did not build, 1 timed out")


class TextReportTest(unittest.TestCase):

    def test_long_reasons_wrap_between_words_and_lose_nothing(self):
        g = graded()
        reason = ("no result: it did not finish within the time limit of "
                  "10 s and was stopped (a hang: something waited for a "
                  "result that never came)")
        g.exercises[0].cases[1] = results.CaseResult(
            "MapTest.B", results.NO_RESULT, reason, timed_out=True)
        text = report.text_report(g)
        for line in text.splitlines():
            self.assertLessEqual(len(line), report._WIDTH, line)
        body = " ".join(l.strip() for l in text.splitlines())
        self.assertIn(reason, body)
        self.assertIn("(a hang: something waited for a result that never "
                      "came)", body)

    def test_the_table_has_a_header_and_the_legend_explains_it(self):
        text = report.text_report(graded())
        self.assertIn(report.header_line(True),
                      text.splitlines())
        legend = report.legend()
        for column in ("status", "cases", "points", "speed", "look at"):
            self.assertRegex(legend, r"(?m)^  %s " % column)

    def test_cases_failing_for_one_reason_share_a_line(self):
        g = graded()
        why = "no result: it did not finish within the time limit"
        g.exercises[0].cases = [
            results.CaseResult(n, results.NO_RESULT, why, timed_out=True)
            for n in ("MapTest.A", "MapTest.B")] + [
            results.CaseResult("MapTest.C", results.FAIL, "wrong order")]
        lines = [l.strip() for l in report.text_report(g).splitlines()]
        self.assertIn("x MapTest.A, MapTest.B: " + why, lines)
        self.assertIn("x MapTest.C: wrong order", lines)

    def test_a_gtest_message_keeps_its_lines(self):
        g = graded()
        g.exercises[0].cases[1] = results.CaseResult(
            "SumTest.Small", results.FAIL,
            "(sum_test.cc line 12)\nExpected equality of these values:\n"
            "  zz::SumTo(10)\n    Which is: 50\n  55")
        text = report.text_report(g)
        self.assertIn("      x SumTest.Small: Expected equality of these "
                      "values:\n"
                      "            zz::SumTo(10)\n"
                      "              Which is: 50\n"
                      "            55\n", text)
        self.assertNotIn("sum_test.cc", text)

    def test_at_most_four_reasons_per_exercise(self):
        g = graded()
        g.exercises[0].cases = [
            results.CaseResult("T.C%d" % i, results.FAIL, "reason %d" % i)
            for i in range(7)]
        lines = [l.strip() for l in report.text_report(g).splitlines()]
        self.assertIn("x T.C3: reason 3", lines)
        self.assertNotIn("x T.C4: reason 4", lines)
        self.assertIn("x ... 4 more failed (every reason is in "
                      "results.json)", lines)  # 3 of 03 and the hidden one

    def test_no_speed_column_when_speed_is_not_graded(self):
        g = graded()
        for es in g.exercises:
            es.speed_graded = False
        lines = report.text_report(g).splitlines()
        self.assertEqual(lines[1], report.header_line(False))
        self.assertFalse([l for l in lines if l != l.rstrip()])

    def test_a_note_on_the_whole_submission_is_shown(self):
        g = graded()
        g.notes.append("speed not graded: the grader has 1 CPU here")
        self.assertIn("note: speed not graded", report.text_report(g))
        self.assertIn("speed not graded",
                      report.results_json(g)["output"])

    def test_class_summary_one_line_per_submission(self):
        a, b = graded(), graded()
        b.submission = submission.Submission("bo", "/x/bo", {}, {}, [])
        b.warnings = []
        lines = report.class_summary([a, b]).splitlines()
        self.assertEqual(len(lines), 3)
        self.assertRegex(lines[1], r"^ana +\d+/\d+ +1 passed, 1 failed, "
                         r"1 not submitted; look at 1 file$")
        self.assertRegex(lines[2], r"^bo +\d+/\d+ +1 passed, 1 failed, "
                         r"1 not submitted$")


class JsonDestinationTest(unittest.TestCase):

    def test_a_directory_that_does_not_exist_is_made(self):
        import tempfile
        import os
        with tempfile.TemporaryDirectory() as tmp:
            where = os.path.join(tmp, "results") + os.sep
            report.write_json_reports(where, [graded()])
            with open(os.path.join(where, "ana.json")) as f:
                self.assertIn("tests", json.load(f))
            several = os.path.join(tmp, "class")
            self.assertTrue(report.json_goes_to_directory(several, 2))
            self.assertFalse(report.json_goes_to_directory(several, 1))
            self.assertFalse(report.json_goes_to_directory(
                os.path.join(tmp, "r.json"), 2))


if __name__ == "__main__":
    unittest.main()
