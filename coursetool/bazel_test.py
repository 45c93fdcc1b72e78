"""Tests of reading Bazel's build events (bazel.py), on recorded files."""

import unittest

from coursetool import bazel
from coursetool.testutil import data


class EventsTest(unittest.TestCase):

    def test_test_runs_per_shard(self):
        events = bazel.parse_events(data("runs", "hang", "test.bep"))
        runs = events.tests["//course_grading:08_close_join"]
        self.assertEqual([r.shard for r in runs], [1, 2, 3, 4])
        self.assertEqual(runs[0].status, "TIMEOUT")
        self.assertEqual(runs[2].status, "PASSED")
        self.assertTrue(runs[0].xml.endswith(
            "course_grading/08_close_join/shard_1_of_4/test.xml"))
        self.assertTrue(runs[0].log.endswith("shard_1_of_4/test.log"))
        self.assertEqual(events.exit_code, "TESTS_FAILED")

    def test_failed_build_and_its_compiler_output(self):
        events = bazel.parse_events(data("runs", "no_compile_build.bep"))
        self.assertFalse(events.built["//course_grading:10_with"])
        labels = [a[0] for a in events.failed_actions]
        self.assertIn("//exercises/10_with:exercise", labels)
        self.assertEqual(events.tests, {})

    def test_missing_or_cut_short_file(self):
        self.assertEqual(bazel.parse_events("/nonexistent").tests, {})


if __name__ == "__main__":
    unittest.main()
