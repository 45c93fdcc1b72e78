"""Tests of the interleaved benchmark runner (bench_pair.py), with small
scripts standing in for benchmark binaries."""

import json
import os
import stat
import tempfile
import time
import unittest

from course import bench_pair


def script(d, name, body):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write("#!/usr/bin/env python3\n" + body)
    os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
    return path


BENCH = '''import json, sys, time
with open(%r, "a") as log:
    log.write(%r + "\\n")
%s
print(json.dumps({"benchmarks": [{"name": "BM_X", "run_name": "BM_X",
    "run_type": "iteration", "real_time": %s, "time_unit": "ns"}]}))
'''


class RunPairTest(unittest.TestCase):

    def test_interleaves_and_collects_json(self):
        with tempfile.TemporaryDirectory() as d:
            order = os.path.join(d, "order")
            a = script(d, "a", BENCH % (order, "learner", "", "200"))
            b = script(d, "b", BENCH % (order, "reference", "", "100"))
            got = bench_pair.run_pair(a, b, rounds=2)
            with open(order) as f:
                self.assertEqual(f.read().split(), [
                    "learner", "reference", "learner", "reference"])
            self.assertEqual(len(got["learner"]), 2)
            self.assertEqual(json.loads(got["reference"][0])["benchmarks"]
                             [0]["real_time"], 100)
            self.assertEqual(got["errors"], [])

    def test_leftover_processes_are_killed_before_the_next_run(self):
        with tempfile.TemporaryDirectory() as d:
            order = os.path.join(d, "order")
            marker = os.path.join(d, "left_behind")
            # The learner leaves a child behind that would write a file
            # after 1 s; it must be gone before the reference runs.
            spawn = ("import subprocess\nsubprocess.Popen(['sh', '-c', "
                     "'sleep 1; touch %s'], stdout=subprocess.DEVNULL)" %
                     marker)
            a = script(d, "a", BENCH % (order, "learner", spawn, "1"))
            b = script(d, "b", BENCH % (order, "reference",
                                        "time.sleep(1.5)", "1"))
            bench_pair.run_pair(a, b, rounds=1)
            time.sleep(0.5)
            self.assertFalse(os.path.exists(marker))

    def test_errors_are_reported_not_scored(self):
        with tempfile.TemporaryDirectory() as d:
            a = script(d, "a", "import sys\nsys.exit(3)\n")
            b = script(d, "b", "print('not json')\n")
            got = bench_pair.run_pair(a, b, rounds=1)
            self.assertEqual(got["learner"], [])
            self.assertEqual(got["reference"], [])
            self.assertEqual(len(got["errors"]), 2)
            self.assertIn("exit status 3", got["errors"][0])


if __name__ == "__main__":
    unittest.main()
