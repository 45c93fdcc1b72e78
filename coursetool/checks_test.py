"""Tests of the repository checks (checks.py), the classroom workflow's
in particular."""

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


if __name__ == "__main__":
    unittest.main()
