"""Tests of the interleaved benchmark runner (bench_pair.py), with small
scripts standing in for benchmark binaries."""

import json
import os
import stat
import subprocess
import sys
import tempfile
import time
import unittest
from unittest import mock

from coursetool import bench_pair


def script(d, name, body):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write("#!/usr/bin/env python3\n" + body)
    os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
    return path


BENCH = '''import json, sys, time
if "--benchmark_list_tests" in sys.argv:
    print("BM_X")
    sys.exit(0)
with open(%r, "a") as log:
    log.write(%r + " " + " ".join(sys.argv[1:]) + "\\n")
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
            got = bench_pair.run_pair(a, b, rounds=3,
                                      extra_args=["--benchmark_min_time=1"])
            with open(order) as f:
                runs = [line.split() for line in f]
            # Each benchmark alone, in both binaries one after the other,
            # which goes first alternating from round to round.
            self.assertEqual([r[0] for r in runs], [
                "learner", "reference", "reference", "learner", "learner",
                "reference"])
            for r in runs:
                self.assertEqual(r[1:], ["--benchmark_format=json",
                                         "--benchmark_filter=^BM_X$",
                                         "--benchmark_min_time=1"])
            self.assertEqual(len(got["learner"]), 3)
            self.assertEqual(json.loads(got["reference"][0])["benchmarks"]
                             [0]["real_time"], 100)
            self.assertEqual(got["errors"], [])

    def assert_gone_before_the_next_run(self, command):
        """The learner's binary starts `command` (which writes the file
        named by %s after 1 s) and exits; the reference runs for 1.5 s
        after it. The file must never appear."""
        with tempfile.TemporaryDirectory() as d:
            order = os.path.join(d, "order")
            marker = os.path.join(d, "left_behind")
            spawn = ("import subprocess\nsubprocess.Popen(%r, "
                     "stdout=subprocess.DEVNULL)\ntime.sleep(0.2)" %
                     [w.replace("%s", marker) for w in command])
            a = script(d, "a", BENCH % (order, "learner", spawn, "1"))
            b = script(d, "b", BENCH % (order, "reference",
                                        "time.sleep(1.5)", "1"))
            bench_pair.run_pair(a, b, rounds=1)
            time.sleep(0.5)
            self.assertFalse(os.path.exists(marker), command)

    def test_skipped_names_canary_and_reference_alone(self):
        two = BENCH.replace('print("BM_X")', 'print("BM_X\\nBM_Y\\nBM_Pool_X")')
        with tempfile.TemporaryDirectory() as d:
            order = os.path.join(d, "order")
            a = script(d, "a", two % (order, "learner", "", "200"))
            b = script(d, "b", two % (order, "reference", "", "100"))

            def runs(**kw):
                open(order, "w").close()
                got = bench_pair.run_pair(a, b, rounds=1, skip=["BM_Pool"],
                                          **kw)
                with open(order) as f:
                    return got, [(r.split()[0], r.split()[2])
                                 for r in f]
            # BM_Pool_X is skipped; both binaries run the rest.
            got, order_ = runs()
            self.assertEqual(sorted(order_), [
                ("learner", "--benchmark_filter=^BM_X$"),
                ("learner", "--benchmark_filter=^BM_Y$"),
                ("reference", "--benchmark_filter=^BM_X$"),
                ("reference", "--benchmark_filter=^BM_Y$")])
            # The canary: the reference runs the K-th benchmark only (3 is
            # 1 modulo the two), beside the learner's.
            got, order_ = runs(reference_canary=3)
            self.assertEqual([o for o in order_ if o[0] == "reference"],
                             [("reference", "--benchmark_filter=^BM_Y$")])
            self.assertEqual(len([o for o in order_ if o[0] == "learner"]),
                             2)
            self.assertEqual((len(got["learner"]), len(got["reference"])),
                             (1, 1))
            # The reference alone: the learner's binary never runs.
            open(order, "w").close()
            got = bench_pair.run_pair(None, b, rounds=2, skip=["BM_Pool"])
            with open(order) as f:
                self.assertEqual({r.split()[0] for r in f}, {"reference"})
            self.assertEqual((got["learner"], len(got["reference"])),
                             ([], 2))

    def test_leftover_processes_are_killed_before_the_next_run(self):
        self.assert_gone_before_the_next_run(
            ["sh", "-c", "sleep 1; touch %s"])

    def test_a_process_that_left_the_group_is_killed_too(self):
        # setsid: a new session and group, out of reach of killpg.
        self.assert_gone_before_the_next_run(
            ["setsid", "sh", "-c", "sleep 1; touch %s"])

    def test_a_binary_that_fails_in_the_first_round_is_not_run_again(self):
        with tempfile.TemporaryDirectory() as d:
            order = os.path.join(d, "order")
            a = script(d, "a", "with open(%r, 'a') as f:\n"
                       "    f.write('learner\\n')\n"
                       "import os\nos.abort()\n" % order)
            b = script(d, "b", BENCH % (order, "reference", "", "100"))
            got = bench_pair.run_pair(a, b, rounds=3)
            with open(order) as f:
                self.assertEqual([line.split()[0] for line in f],
                                 ["learner", "reference"])
            self.assertEqual(len(got["errors"]), 1)
            self.assertIn("killed by SIGABRT", got["errors"][0])

    def test_a_name_is_matched_exactly(self):
        self.assertEqual(bench_pair.name_filter("BM_A/chunksize:250/real_time"),
                         "--benchmark_filter=^BM_A/chunksize:250/real_time$")
        self.assertEqual(bench_pair.name_filter("BM_A/x.y(2)"),
                         r"--benchmark_filter=^BM_A/x\.y\(2\)$")

    def test_errors_are_reported_not_scored(self):
        with tempfile.TemporaryDirectory() as d:
            a = script(d, "a", "import sys\nsys.exit(3)\n")
            b = script(d, "b", "print('not json')\n")
            got = bench_pair.run_pair(a, b, rounds=1)
            self.assertEqual(got["learner"], [])
            self.assertEqual(got["reference"], [])
            self.assertEqual(len(got["errors"]), 2)
            self.assertIn("exit status 3", got["errors"][0])


class LanguageTest(unittest.TestCase):
    """The notes follow the reader's language, in ./course's process
    (lang.py) and alone in the grader's workspace (COURSE_LANG)."""

    def failing_pair(self, d):
        return (script(d, "a", "import sys\nsys.exit(3)\n"),
                script(d, "b", BENCH % (os.path.join(d, "order"),
                                        "reference", "import os\n"
                                        "os.abort()", "100")))

    def test_in_the_tools_process(self):
        with tempfile.TemporaryDirectory() as d:
            a, b = self.failing_pair(d)
            for code, learner, reference in (
                    ("en", "your benchmark, round 1: exit status 3",
                     "the reference's benchmark, round 1: killed by "
                     "SIGABRT (an uncaught exception, or an assertion)"),
                    ("zh", "你的基准测试，第 1 轮：退出状态 3",
                     "参考答案的基准测试，第 1 轮：被 SIGABRT 杀死（未捕获"
                     "的异常，或断言失败）")):
                with mock.patch.dict(os.environ, {"COURSE_LANG": code}):
                    logged = []
                    got = bench_pair.run_pair(a, b, rounds=2,
                                              log=logged.append)
                    self.assertEqual(sorted(got["errors"]),
                                     sorted([learner, reference]), code)
                    mine = [e for e in got["errors"] if e.startswith(
                        bench_pair.whose("learner"))]
                    self.assertEqual(mine, [learner], code)
                    self.assertEqual(bench_pair.reason(mine[0]),
                                     {"en": "exit status 3",
                                      "zh": "退出状态 3"}[code])
                self.assertEqual(logged, [{"en": "round 1 of 2",
                                           "zh": "第 1 轮，共 2 轮"}[code]],
                                 "a failure in round 1 ends the rounds")

    def test_alone_in_the_graders_workspace(self):
        """Run as a script (as the grader's Bazel test runs it), with only
        COURSE_LANG to go by: it cannot import lang.py there."""
        with tempfile.TemporaryDirectory() as d:
            a, b = self.failing_pair(d)
            for code, want in (("zh", "你的基准测试，第 1 轮：退出状态 3"),
                               ("en", "your benchmark, round 1: exit "
                                      "status 3")):
                env = {k: v for k, v in os.environ.items()
                       if k not in ("PYTHONPATH", "LANG", "LC_ALL")}
                # Where a Bazel test leaves bench.json, as the grader's do.
                env.update(COURSE_LANG=code, TEST_UNDECLARED_OUTPUTS_DIR=d)
                out = subprocess.run(
                    [sys.executable, "-B", bench_pair.__file__,
                     "--rounds=1", a, b], env=env, cwd=d,
                    capture_output=True, text=True, timeout=120)
                self.assertEqual(out.returncode, 0, out.stderr)
                with open(os.path.join(d, "bench.json"),
                          encoding="utf-8") as f:
                    self.assertIn(want, json.load(f)["errors"], code)


if __name__ == "__main__":
    unittest.main()
