"""Tests of reading submissions (submission.py)."""

import os
import tempfile
import unittest

from coursetool import catalog
from coursetool import submission
from coursetool.testutil import GOOD_TOML

EX = [catalog.parse(GOOD_TOML, "03_map"),
      catalog.parse(GOOD_TOML.replace('"03"', '"04"').replace("30", "40"),
                    "04_map_async")]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


class LoadTest(unittest.TestCase):

    def test_exercises_layout_and_whole_repository_layout(self):
        with tempfile.TemporaryDirectory() as d:
            write(os.path.join(d, "ana", "03_map", "exercise.cc"), "ana")
            write(os.path.join(d, "ana", "03_map", "notes.txt"), "x")
            write(os.path.join(d, "bo", "exercises", "04_map_async",
                               "exercise.cc"), "bo")
            ana = submission.load(os.path.join(d, "ana"), EX)
            self.assertEqual(ana.files, {"03_map": {"exercise.cc": b"ana"}})
            self.assertTrue(ana.has(EX[0]))
            self.assertFalse(ana.has(EX[1]))
            self.assertEqual(ana.missing(EX[1]), ["exercise.cc"])
            bo = submission.load(os.path.join(d, "bo"), EX)
            self.assertEqual(bo.files, {"04_map_async":
                                        {"exercise.cc": b"bo"}})

    def test_files_at_the_top_when_grading_one_exercise(self):
        with tempfile.TemporaryDirectory() as d:
            write(os.path.join(d, "exercise.cc"), "flat")
            self.assertEqual(submission.load(d, EX[:1]).files,
                             {"03_map": {"exercise.cc": b"flat"}})
            self.assertEqual(submission.load(d, EX).files, {})

    def test_refuses_links_and_huge_files(self):
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "03_map"))
            os.symlink("/etc/passwd", os.path.join(d, "03_map",
                                                   "exercise.cc"))
            write(os.path.join(d, "04_map_async", "exercise.cc"),
                  "x" * (submission.MAX_BYTES + 1))
            sub = submission.load(d, EX)
            self.assertEqual(sub.files, {})
            self.assertIn("symbolic link", sub.notes["03_map"][0])
            self.assertIn("limit", sub.notes["04_map_async"][0])

    def test_flags_code_that_games_the_grader(self):
        with tempfile.TemporaryDirectory() as d:
            write(os.path.join(d, "03_map", "exercise.cc"),
                  '// exit( in a comment is fine\n'
                  'struct X { X() { puts("[  PASSED  ] 5 tests."); '
                  '_exit(0); } } x;\n')
            sub = submission.load(d, EX)
            self.assertEqual(len(sub.warnings), 1)
            self.assertIn("calls exit", sub.warnings[0])
            self.assertIn("prints test-result lines", sub.warnings[0])
            write(os.path.join(d, "03_map", "exercise.cc"),
                  "// exit(0) only in a comment\nint f() { return 1; }\n")
            self.assertEqual(submission.load(d, EX).warnings, [])


if __name__ == "__main__":
    unittest.main()
