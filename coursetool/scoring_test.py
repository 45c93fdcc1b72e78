"""Tests of points and the speed index (scoring.py), on recorded Google
Benchmark JSON."""

import json
import math
import unittest

from coursetool import catalog
from coursetool import results
from coursetool import scoring
from coursetool.testutil import GOOD_TOML, read

PERF = catalog.Performance(benchmark="bench", reference="//s:bench",
                           points=5.0, full_at=0.7, zero_at=0.25,
                           causes={"BM_A": "one round trip per item"})


def runs(prefix):
    return [read("bench_%s_%d.json" % (prefix, i)) for i in (1, 2, 3)]


def scaled(text, factor, only=None):
    """A recorded run with every real_time multiplied by factor."""
    data = json.loads(text)
    for b in data["benchmarks"]:
        if only is None or b["name"].startswith(only):
            b["real_time"] *= factor
    return json.dumps(data)


class BenchmarkJsonTest(unittest.TestCase):

    def test_reads_names_and_times_in_ns(self):
        times = scoring.benchmark_times(read("bench_a_1.json"))
        self.assertEqual(sorted(times), [
            "BM_Apply_RoundTrip/processes:1/real_time",
            "BM_RawPipe_RoundTrip/real_time",
            "BM_ThreadPool_Apply_RoundTrip/processes:1/real_time"])
        self.assertTrue(all(t > 0 for t in times.values()))

    def test_converts_units(self):
        us = scoring.benchmark_times(read("bench_us.json"))
        raw = json.loads(read("bench_us.json"))["benchmarks"][0]
        self.assertAlmostEqual(us["BM_RawPipe_RoundTrip/real_time"],
                               raw["real_time"] * 1000)

    def test_leaves_out_aggregates_and_takes_the_fastest_repetition(self):
        data = json.loads(read("bench_repetitions.json"))
        iters = sorted(b["real_time"] for b in data["benchmarks"]
                       if b["run_type"] == "iteration")
        times = scoring.benchmark_times(read("bench_repetitions.json"))
        self.assertEqual(len(times), 1)
        self.assertAlmostEqual(list(times.values())[0], iters[0])

    def test_median_over_rounds(self):
        self.assertEqual(scoring.median_times(
            [{"a": 1, "b": 5}, {"a": 3}, {"a": 2, "b": 1}]), {"a": 2})


class IndexTest(unittest.TestCase):

    def test_same_code_is_close_to_one(self):
        index, rows = scoring.performance_index(runs("a"), runs("b"))
        self.assertEqual(len(rows), 3)
        self.assertGreater(index, 0.5)
        self.assertLess(index, 2.0)

    def test_twice_as_slow_is_one_half(self):
        learner = [scaled(t, 2.0) for t in runs("a")]
        index, _ = scoring.performance_index(learner, runs("a"))
        self.assertAlmostEqual(index, 0.5)

    def test_geometric_mean_over_names(self):
        # One benchmark 4x slower, one 4x faster, one equal: index 1.
        learner = [scaled(scaled(t, 4.0, "BM_Apply"), 0.25, "BM_RawPipe")
                   for t in runs("a")]
        index, rows = scoring.performance_index(learner, runs("a"))
        self.assertAlmostEqual(index, 1.0)
        ratios = {r[0]: r[3] for r in rows}
        self.assertAlmostEqual(
            ratios["BM_Apply_RoundTrip/processes:1/real_time"], 0.25)

    def test_pool_rows_are_shown_not_scored(self):
        def rename(text):
            data = json.loads(text)
            for b in data["benchmarks"]:
                if b["name"].startswith("BM_ThreadPool"):
                    b["name"] = b["run_name"] = "BM_Pool_Reference"
            return json.dumps(data)
        learner = [scaled(rename(t), 100.0, "BM_Pool") for t in runs("a")]
        index, rows = scoring.performance_index(
            learner, [rename(t) for t in runs("a")])
        self.assertAlmostEqual(index, 1.0)
        pool_row = [r for r in rows if r[0] == "BM_Pool_Reference"][0]
        self.assertFalse(pool_row[4])
        self.assertAlmostEqual(pool_row[3], 0.01)

    def test_no_common_name_gives_no_index(self):
        other = json.loads(read("bench_a_1.json"))
        for b in other["benchmarks"]:
            b["name"] = b["run_name"] = "BM_Else_" + b["name"]
        index, _ = scoring.performance_index([read("bench_us.json")],
                                             [json.dumps(other)])
        self.assertIsNone(index)


class PointsTest(unittest.TestCase):

    def test_points_clamp_between_zero_at_and_full_at(self):
        self.assertEqual(scoring.performance_points(0.9, PERF), 5.0)
        self.assertEqual(scoring.performance_points(0.7, PERF), 5.0)
        self.assertEqual(scoring.performance_points(0.25, PERF), 0.0)
        self.assertEqual(scoring.performance_points(0.1, PERF), 0.0)
        self.assertAlmostEqual(scoring.performance_points(0.475, PERF), 2.5)
        self.assertEqual(scoring.performance_points(None, PERF), 0.0)

    def test_no_speed_points_unless_every_case_passed(self):
        learner = [scaled(t, 1 / 0.475) for t in runs("a")]
        ok = scoring.score_performance(PERF, learner, runs("a"), True)
        self.assertAlmostEqual(ok.points, 2.5)
        self.assertAlmostEqual(ok.index, 0.475)
        bad = scoring.score_performance(PERF, learner, runs("a"), False)
        self.assertEqual(bad.points, 0.0)
        self.assertAlmostEqual(bad.index, 0.475)
        self.assertIn("every test case passes", bad.note)

    def test_display_caps_the_index_at_one(self):
        fast = [scaled(t, 0.5) for t in runs("a")]
        r = scoring.score_performance(PERF, fast, runs("a"), True)
        self.assertAlmostEqual(r.index, 2.0)
        self.assertEqual(r.shown_index, 1.0)
        text = scoring.format_performance(r)
        self.assertIn("index: 1.00 of 1.00", text)
        self.assertIn("uncapped 2.00", text)
        self.assertIn("speed points: 5 of 5", text)


class MeasureTest(unittest.TestCase):
    """scoring.measure: more rounds only where noise moves points."""

    PERF = catalog.Performance(benchmark="bench", reference="//s:bench",
                               points=5.0, full_at=0.5, zero_at=0.2,
                               causes={})

    def batches(self, factors):
        """run_rounds that answers with the recorded runs, the learner's
        times multiplied by the next factor each call."""
        calls = []

        def run_rounds(n):
            f = factors[min(len(calls), len(factors) - 1)]
            calls.append(n)
            return {"learner": [scaled(t, f) for t in runs("a")][:n],
                    "reference": runs("a")[:n], "errors": []}
        return run_rounds, calls

    def test_an_index_clear_of_the_thresholds_is_measured_once(self):
        for factor in (1.0, 10.0):  # index 1.0: full points; 0.1: none
            run_rounds, calls = self.batches([factor])
            result, data = scoring.measure(self.PERF, True, run_rounds, 3)
            self.assertEqual(calls, [3])
            self.assertEqual(result.rounds, 3)
            self.assertEqual(len(data["learner"]), 3)

    def test_an_index_between_them_gets_more_rounds(self):
        # A load spike: the first batch says 0.4; the next two say 1.0,
        # and the median over all nine rounds gives full points.
        run_rounds, calls = self.batches([2.5, 1.0, 1.0])
        result, data = scoring.measure(self.PERF, True, run_rounds, 3)
        self.assertEqual(calls, [3, 3])  # 6 rounds: median already 1.0
        self.assertEqual(result.rounds, 6)
        self.assertEqual(result.points, 5.0)
        self.assertIn("medians of 6 interleaved rounds",
                      scoring.format_performance(result))

    def test_a_truly_middling_index_stops_at_the_most_rounds(self):
        run_rounds, calls = self.batches([2.5])  # index 0.4 every time
        result, _ = scoring.measure(self.PERF, True, run_rounds, 3)
        self.assertEqual(calls, [3, 3, 3])
        self.assertEqual(result.rounds, 9)
        self.assertAlmostEqual(result.index, 0.4)
        self.assertAlmostEqual(result.points, 5 * (0.4 - 0.2) / 0.3,
                               places=2)

    def test_no_more_rounds_when_no_points_can_come(self):
        run_rounds, calls = self.batches([2.5])
        scoring.measure(self.PERF, False, run_rounds, 3)  # a case failed
        shown = catalog.Performance(benchmark="bench", reference="//s:b",
                                    points=0.0, full_at=1.0, zero_at=0.0,
                                    causes={})
        scoring.measure(shown, True, run_rounds, 3)  # not scored
        self.assertEqual(calls, [3, 3])

    def test_a_probe_clearly_outside_the_band_stands(self):
        for factor in (1.0, 10.0):  # index 1.0 >= 0.75; 0.1 <= 0.133
            run_rounds, calls = self.batches([factor])
            result, _ = scoring.measure(self.PERF, True, run_rounds, 3,
                                        probe=1)
            self.assertEqual(calls, [1])
            self.assertEqual(result.rounds, 1)
            self.assertEqual(result.points, 5.0 if factor == 1.0 else 0.0)

    def test_a_probe_near_the_band_is_topped_up_to_the_rounds(self):
        # index 0.6: past full_at, but not by CLEAR_FACTOR.
        run_rounds, calls = self.batches([1 / 0.6])
        result, _ = scoring.measure(self.PERF, True, run_rounds, 3, probe=1)
        self.assertEqual(calls, [1, 2])
        self.assertEqual((result.rounds, result.points), (3, 5.0))
        # index 0.15 below zero_at, not by CLEAR_FACTOR (0.133).
        run_rounds, calls = self.batches([1 / 0.15])
        result, _ = scoring.measure(self.PERF, True, run_rounds, 3, probe=1)
        self.assertEqual(calls, [1, 2])
        self.assertEqual((result.rounds, result.points), (3, 0.0))
        # in the band: topped up, then more rounds as without a probe.
        run_rounds, calls = self.batches([2.5])
        result, _ = scoring.measure(self.PERF, True, run_rounds, 3, probe=1)
        self.assertEqual(calls, [1, 2, 3, 3])

    def test_a_probe_of_a_failing_submission_is_all_it_gets(self):
        run_rounds, calls = self.batches([1.0])
        result, _ = scoring.measure(self.PERF, False, run_rounds, 3, probe=1)
        self.assertEqual(calls, [1])
        self.assertEqual(result.points, 0.0)

    def test_one_round_of_the_same_code_is_within_the_clear_factor(self):
        # The recorded runs: the same benchmark binary, run six times on
        # a loaded machine. Any one round of it against any other is
        # within CLEAR_FACTOR of the three rounds' index, so a probe
        # clearly outside the band is outside it after three rounds too.
        a, b = runs("a"), runs("b")
        for one, other in ((a, b), (b, a), (a, a)):
            full, _ = scoring.performance_index(one, other)
            for x in one:
                for y in other:
                    single, _ = scoring.performance_index([x], [y])
                    ratio = max(single / full, full / single)
                    self.assertLess(ratio, scoring.CLEAR_FACTOR,
                                    "one round gave %.2f, three %.2f" %
                                    (single, full))


class ExerciseScoreTest(unittest.TestCase):

    def test_weights_and_totals(self):
        ex = catalog.parse(GOOD_TOML, "03_map")  # MapTest.A weighs 2
        cases = [results.CaseResult("MapTest.A", results.PASS),
                 results.CaseResult("MapTest.B", results.FAIL, "x"),
                 results.CaseResult("MapTest.C", results.NO_RESULT, "y")]
        hidden = [results.CaseResult("H.X", results.PASS)]
        s = scoring.ExerciseScore(ex, cases, hidden,
                                  hidden_weights={"H.X": 3})
        self.assertEqual(s.score, 5)
        self.assertEqual(s.max_score, 7)
        self.assertFalse(s.all_passed)


class SlowestTest(unittest.TestCase):

    def test_names_the_benchmark_that_pulls_the_index_down(self):
        result = scoring.PerformanceResult(
            0.1, 0.0, 5.0, [("BM_A/real_time", 100e6, 2e6, 0.02, True),
                            ("BM_B", 3e6, 2.4e6, 0.8, True),
                            ("BM_Pool_A", 1e3, 1e6, 1000.0, False)])
        text = scoring.slowest(result, PERF)
        self.assertEqual(text, "BM_A/real_time pulls the index down "
                         "most: yours takes 100 ms, the reference 2 ms, 50 "
                         "times as long. Likely cause: one round trip per "
                         "item")

    def test_says_nothing_when_every_benchmark_is_fast_enough(self):
        result = scoring.PerformanceResult(
            0.9, 5.0, 5.0, [("BM_A", 2e6, 2e6, 1.0, True),
                            ("BM_B", 2e6, 1.5e6, 0.75, True)])
        self.assertEqual(scoring.slowest(result, PERF), "")


if __name__ == "__main__":
    unittest.main()
