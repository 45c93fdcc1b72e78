"""Tests of speed_grading.py's CPU count: affinity and cgroup quotas."""

import json
import os
import tempfile
import unittest

from coursetool import report
from coursetool import results
from coursetool import speed_grading
from coursetool.report_test import graded


class CpusTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, rel, text):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def cpus(self, cgroup):
        return speed_grading.available_cpus(
            self.write("proc_cgroup", cgroup), os.path.join(self.root, "fs"))

    def test_cgroup_v2_quota_of_the_group_or_a_parent(self):
        self.write("fs/grader/job/cpu.max", "max 100000\n")
        self.write("fs/grader/cpu.max", "50000 100000\n")
        self.assertEqual(self.cpus("0::/grader/job\n"), 0.5)

    def test_cgroup_v1_quota(self):
        self.write("fs/cpu,cpuacct/box/cpu.cfs_quota_us", "100000\n")
        self.write("fs/cpu,cpuacct/box/cpu.cfs_period_us", "100000\n")
        self.assertEqual(self.cpus("4:memory:/box\n2:cpu,cpuacct:/box\n"),
                         1.0)

    def test_no_quota_means_the_cpus_it_may_run_on(self):
        self.write("fs/cpu.max", "max 100000\n")
        self.assertEqual(self.cpus("0::/\n"),
                         float(len(os.sched_getaffinity(0))))
        self.assertEqual(speed_grading.available_cpus(
            os.path.join(self.root, "absent"), self.root),
            float(len(os.sched_getaffinity(0))))

    def test_the_note_says_why_and_what_to_do(self):
        self.assertEqual(speed_grading.too_few_cpus_note(2), "")
        note = speed_grading.too_few_cpus_note(0.5)
        self.assertIn("0.5 CPUs", note)
        self.assertIn("no speed points", note)
        self.assertIn("1 CPU here", speed_grading.too_few_cpus_note(1))


def bench_json(**times):
    return json.dumps({"benchmarks": [
        {"name": n, "run_name": n, "run_type": "iteration", "real_time": t,
         "time_unit": "ns"} for n, t in times.items()]})


class ReferenceTimesTest(unittest.TestCase):

    def test_kept_timings_expire_after_some_submissions(self):
        kept = speed_grading.ReferenceTimes()
        self.assertTrue(kept.stale("03_map"))
        kept.store("03_map", [bench_json(BM_A=100)])
        for _ in range(kept.REFRESH_EVERY):
            self.assertFalse(kept.stale("03_map"))
            kept.use("03_map")
        self.assertTrue(kept.stale("03_map"))
        kept.drop("03_map")
        self.assertIsNone(kept.runs("03_map"))

    def test_drift_is_the_canary_against_the_kept_median(self):
        kept = speed_grading.ReferenceTimes()
        kept.store("03_map", [bench_json(BM_A=100, BM_B=10),
                              bench_json(BM_A=110, BM_B=12),
                              bench_json(BM_A=90, BM_B=11)])
        self.assertAlmostEqual(kept.drift("03_map", [bench_json(BM_A=100)]),
                               1.0)
        # Slower or faster: the same factor.
        self.assertAlmostEqual(kept.drift("03_map", [bench_json(BM_B=22)]),
                               2.0)
        self.assertAlmostEqual(kept.drift("03_map", [bench_json(BM_B=5.5)]),
                               2.0)
        self.assertIsNone(kept.drift("03_map", [bench_json(BM_C=1)]))
        self.assertIsNone(kept.drift("05_imap", [bench_json(BM_A=1)]))


class NotTimedTest(unittest.TestCase):

    def test_a_failing_exercise_is_not_timed_and_says_why(self):
        g = graded()
        es = g.exercises[1]  # b05, the one with a [performance] table
        es.cases[0] = results.CaseResult("MapTest.A", results.FAIL, "wrong")
        speed_grading.not_timed([es])
        self.assertEqual((es.performance.points, es.performance.index),
                         (0.0, None))
        self.assertEqual(es.max_score, 2 + 5)  # still out of its points
        speed = [t for t in report.results_json(g)["tests"]
                 if t["name"].endswith(": speed")][0]
        self.assertEqual(speed["output"], speed_grading.NOT_TIMED)
        line = [l for l in report.text_report(g).splitlines()
                if l.startswith("b05 ")][0]
        self.assertRegex(line, r"failed 1 of 1 .* -$")


if __name__ == "__main__":
    unittest.main()
