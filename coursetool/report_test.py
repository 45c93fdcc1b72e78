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
        self.assertRegex(line, r"1/1 +cases .* speed \d\.\d\d: 5/5")

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
                                   "03_map", "b05_speed", "b05_speed speed",
                                   "b05_speed speed index", "04_map_async",
                                   "look at"])
        self.assertEqual(rows[1][0], "ana")
        self.assertEqual(rows[1][3], "2")
        index = float(rows[1][6])  # the same runs on both sides: about 1
        self.assertGreater(index, 0.5)
        self.assertLess(index, 2.0)
        self.assertEqual(rows[1][-1], "03_map/x calls exit")


if __name__ == "__main__":
    unittest.main()
