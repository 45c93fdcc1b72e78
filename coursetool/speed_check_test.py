"""Tests of speed_check.py's bounds, with small scripts standing in for
the benchmark binaries (see bench_pair_test.py)."""

import contextlib
import io
import os
import tempfile
import unittest
from unittest import mock

from coursetool import speed_check
from coursetool.bench_pair_test import BENCH, script

TOML = '''id = "zz"
title = "speed"
track = "Using a pool"
order = 999
hints = ["a", "b", "c"]

[performance]
benchmark = "bench"
reference = "//solutions/zz:bench"
points = %s
full_at = 0.5
zero_at = 0.2
'''


class SpeedCheckTest(unittest.TestCase):

    def check(self, learner_ns, points, *flags):
        """speed_check's exit status and what it printed, for a learner
        taking learner_ns against a reference taking 100 ns."""
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(os.path.join(d, "zz"))
            toml = os.path.join(d, "zz", "course.toml")
            with open(toml, "w") as f:
                f.write(TOML % points)
            order = os.path.join(d, "order")
            a = script(d, "a", BENCH % (order, "learner", "", learner_ns))
            b = script(d, "b", BENCH % (order, "reference", "", "100"))
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), \
                    contextlib.redirect_stderr(err):
                code = speed_check.main([toml, a, b, "--rounds", "1",
                                         *flags])
            return code, out.getvalue() + err.getvalue()

    def test_all_points_passes_as_fast_as_the_reference(self):
        code, said = self.check("100", 5, "--all-points")
        self.assertEqual(code, 0, said)
        self.assertIn("speed points: 5 of 5", said)

    def test_all_points_fails_when_one_is_missing(self):
        # Index 0.4: between zero_at and full_at, measured again, 3 points.
        code, said = self.check("250", 5, "--all-points")
        self.assertEqual(code, 1, said)
        self.assertIn("expected at least 5", said)

    def test_all_points_on_an_unscored_benchmark_is_misuse(self):
        code, said = self.check("100", 0, "--all-points")
        self.assertEqual(code, 2, said)
        self.assertIn("nothing to check", said)

    def test_what_it_says_follows_the_language(self):
        with mock.patch.dict(os.environ, {"COURSE_LANG": "zh"}):
            code, said = self.check("250", 5, "--all-points")
        self.assertEqual(code, 1, said)
        self.assertRegex(said, r"speed_check：速度分为 3\.33，应当至少 "
                         r"5(\.0)? 分")
        self.assertIn("性能指数", said)
        self.assertNotIn("expected", said)
        with mock.patch.dict(os.environ, {"COURSE_LANG": "zh"}):
            code, said = self.check("100", 0, "--all-points")
        self.assertEqual(code, 2, said)
        self.assertIn("speed_check：zz 的基准测试不计分", said)

    def test_points_at_most_catches_a_fast_answer(self):
        code, said = self.check("100", 5, "--points-at-most=0")
        self.assertEqual(code, 1, said)
        self.assertIn("expected at most 0", said)
        code, said = self.check("1000", 5, "--points-at-most=0")
        self.assertEqual(code, 0, said)


if __name__ == "__main__":
    unittest.main()
