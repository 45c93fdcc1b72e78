"""Tests of the repository checks (checks.py), the classroom workflow's
in particular."""

import os
import tempfile
import unittest

from coursetool import catalog
from coursetool import checks
from coursetool.testutil import GOOD_TOML

EX = [catalog.parse(GOOD_TOML, "03_map")]


class WorkflowTest(unittest.TestCase):

    def test_names_real_exercises(self):
        ok = ("run: ./course grade . --exercise 03 --json r.json\n"
              "run: ./course grade . --exercise=03_map\n")
        self.assertEqual(checks.workflow_exercise_ids(ok), ["03", "03_map"])
        self.assertEqual(checks.check_workflow(ok.splitlines()[0], EX), [])

    def test_flags_an_unknown_or_repeated_exercise(self):
        bad = ("run: ./course grade . --exercise 03 --exercise 99\n"
               "run: ./course grade . --exercise 03\n")
        problems = checks.check_workflow(bad, EX)
        self.assertEqual(len(problems), 2)
        self.assertIn("'99', which does not exist", problems[0])
        self.assertIn("twice", problems[1])
        self.assertIn("does not run ./course grade",
                      checks.check_workflow("run: make", EX)[0])


class RepoTest(unittest.TestCase):

    def test_a_cause_must_name_a_benchmark_of_the_exercise(self):
        toml = GOOD_TOML + (
            '\n[performance]\nbenchmark = "bench"\n'
            'reference = "//solutions/03_map:bench"\npoints = 5\n'
            'full_at = 0.5\nzero_at = 0.2\n\n[performance.causes]\n'
            'BM_Map = "one round trip per item"\n'
            'BM_Gone = "a benchmark since renamed"\n')
        ex = catalog.parse(toml, "03_map")
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "exercises/03_map"))
            with open(os.path.join(root, "exercises/03_map/bench.cc"),
                      "w") as f:
                f.write("BENCHMARK(BM_Map)->UseRealTime();\n")
            problems = checks.check_repo(root, [ex])
        said = [p for p in problems if "causes" in p]
        self.assertEqual(said, [
            "exercises/03_map/course.toml: [performance.causes] names "
            "BM_Gone, which exercises/03_map/bench.cc does not define"])


if __name__ == "__main__":
    unittest.main()
