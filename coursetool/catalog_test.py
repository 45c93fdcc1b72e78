"""Tests of course.toml reading (catalog.py)."""

import os
import tempfile
import unittest
from unittest import mock

from coursetool import catalog
from coursetool.testutil import GOOD_TOML


class ParseTest(unittest.TestCase):

    def test_reads_every_field(self):
        ex = catalog.parse(GOOD_TOML, "03_map")
        self.assertEqual(ex.id, "03")
        self.assertEqual(ex.dir, "03_map")
        self.assertEqual(ex.path, "exercises/03_map")
        self.assertEqual(ex.test_label, "//exercises/03_map:test")
        self.assertEqual(ex.solution_label, "//solutions/03_map:test")
        self.assertEqual(ex.hints, ("one", "two", "three"))
        self.assertEqual(ex.weight("MapTest.A"), 2)
        self.assertEqual(ex.weight("MapTest.B"), 1)
        self.assertEqual(ex.timeout, catalog.DEFAULT_TIMEOUT)
        self.assertIsNone(ex.performance)

    def test_reads_chinese_hints_when_the_learner_reads_chinese(self):
        text = GOOD_TOML + '''
[zh]
source = "0000000000000000"
hints = ["一", "二", "三"]
'''
        with mock.patch.dict(os.environ, {"COURSE_LANG": "zh"}):
            self.assertEqual(catalog.parse(text, "03_map").hints,
                             ("一", "二", "三"))
        with mock.patch.dict(os.environ, {"COURSE_LANG": "",
                                          "LC_ALL": "zh_CN.UTF-8"}):
            self.assertEqual(catalog.parse(text, "03_map").hints,
                             ("一", "二", "三"))
        with mock.patch.dict(os.environ, {"COURSE_LANG": "en",
                                          "LANG": "zh_CN.UTF-8"}):
            self.assertEqual(catalog.parse(text, "03_map").hints,
                             ("one", "two", "three"))

    def test_refuses_chinese_hints_that_do_not_match_the_english(self):
        text = GOOD_TOML + '''
[zh]
hints = ["一", "二"]
'''
        with mock.patch.dict(os.environ, {"COURSE_LANG": "zh"}):
            with self.assertRaisesRegex(catalog.ConfigError, r"\[zh\]"):
                catalog.parse(text, "03_map")

    def test_defaults_files_to_exercise_cc(self):
        text = GOOD_TOML.replace('files = ["exercise.cc"]\n', "")
        self.assertEqual(catalog.parse(text, "03_map").files,
                         ("exercise.cc",))

    def test_reads_performance(self):
        text = GOOD_TOML + '''
[performance]
benchmark = "bench"
reference = "//solutions/03_map:bench"
points = 5
full_at = 0.7
zero_at = 0.25
'''
        perf = catalog.parse(text, "03_map").performance
        self.assertEqual(perf.benchmark, "bench")
        self.assertEqual(perf.points, 5.0)
        self.assertEqual((perf.zero_at, perf.full_at), (0.25, 0.7))
        self.assertTrue(perf.scored)

    def test_the_learners_loop_has_a_shorter_limit_than_grading(self):
        ex = catalog.parse(GOOD_TOML, "03_map")
        self.assertEqual(ex.loop_timeout, catalog.DEFAULT_LOOP_TIMEOUT)
        self.assertLess(ex.loop_timeout, ex.timeout)
        ex = catalog.parse(GOOD_TOML.replace(
            "[weights]", "loop_timeout = 7\n[weights]"), "03_map")
        self.assertEqual(ex.loop_timeout, 7)

    def test_reads_the_likely_causes_of_a_slow_benchmark(self):
        text = GOOD_TOML + '''
[performance]
benchmark = "bench"
reference = "//solutions/03_map:bench"
points = 5
full_at = 0.7
zero_at = 0.25

[performance.causes]
BM_A = "one round trip per item"
'''
        perf = catalog.parse(text, "03_map").performance
        self.assertEqual(perf.causes, {"BM_A": "one round trip per item"})
        self.assertBad(text.replace('"one round trip per item"', "3"),
                       "[performance.causes] must map benchmark names")

    def test_a_benchmark_shown_not_scored_needs_no_thresholds(self):
        text = GOOD_TOML + '''
[performance]
benchmark = "bench"
reference = "//solutions/03_map:bench"
points = 0
'''
        perf = catalog.parse(text, "03_map").performance
        self.assertFalse(perf.scored)
        self.assertEqual(perf.points, 0.0)

    def assertBad(self, text, fragment):
        with self.assertRaises(catalog.ConfigError) as cm:
            catalog.parse(text, "03_map")
        self.assertIn(fragment, str(cm.exception))
        self.assertIn("exercises/03_map/course.toml", str(cm.exception))

    def test_names_what_is_wrong(self):
        self.assertBad(GOOD_TOML.replace('id = "03"\n', ""), "missing `id`")
        self.assertBad(GOOD_TOML.replace('"two", ', ""), "at least three")
        self.assertBad(GOOD_TOML.replace("Using a pool", "Cooking"),
                       "not one of")
        self.assertBad(GOOD_TOML.replace("order = 30", 'order = "30"'),
                       "`order` must be an integer")
        self.assertBad(GOOD_TOML.replace('"exercise.cc"', '"BUILD"'),
                       "only provide C++ sources")
        self.assertBad(GOOD_TOML.replace('"exercise.cc"',
                                         '"../../pool/pool.cc"'),
                       "only provide C++ sources")
        self.assertBad(GOOD_TOML.replace('"MapTest.A" = 2', '"A" = 2'),
                       "must be a test case")
        self.assertBad(GOOD_TOML.replace("[weights]",
                                         "timeout = 0\n[weights]"),
                       "`timeout` must be a whole number")
        self.assertBad(GOOD_TOML.replace("[weights]",
                                         "loop_timeout = 0\n[weights]"),
                       "`loop_timeout` must be a whole number")
        self.assertBad("id = [", "not valid TOML")
        self.assertBad(GOOD_TOML + '''
[performance]
benchmark = "bench"
reference = "//solutions/03_map:bench"
points = 5
full_at = 0.2
zero_at = 0.5
''', "must be below full_at")
        self.assertBad(GOOD_TOML + '''
[performance]
benchmark = "bench"
reference = "//solutions/03_map:bench"
points = 5
''', "missing `full_at`")


class DiscoverTest(unittest.TestCase):

    def make(self, root, name, text):
        os.makedirs(os.path.join(root, "exercises", name))
        with open(os.path.join(root, "exercises", name, "course.toml"),
                  "w") as f:
            f.write(text)

    def test_finds_exercises_by_course_toml_alone_sorted_by_order(self):
        with tempfile.TemporaryDirectory() as root:
            self.make(root, "b01_fork_wait", GOOD_TOML.replace(
                '"03"', '"b01"').replace("30", "200").replace(
                    "Using a pool", "Build your own pool"))
            self.make(root, "03_map", GOOD_TOML)
            os.makedirs(os.path.join(root, "exercises", "testing"))
            found = catalog.discover(root)
            self.assertEqual([e.id for e in found], ["03", "b01"])
            self.assertEqual(found[1].track, "Build your own pool")

    def test_refuses_two_exercises_with_one_id(self):
        with tempfile.TemporaryDirectory() as root:
            self.make(root, "03_map", GOOD_TOML)
            self.make(root, "03_other", GOOD_TOML.replace("30", "31"))
            with self.assertRaises(catalog.ConfigError) as cm:
                catalog.discover(root)
            self.assertIn("both have id", str(cm.exception))

    def test_find_accepts_id_dir_and_number(self):
        ex = [catalog.parse(GOOD_TOML, "03_map")]
        for wanted in ("03", "3", "03_map", "exercises/03_map/"):
            self.assertIs(catalog.find(ex, wanted), ex[0], wanted)
        self.assertIsNone(catalog.find(ex, "13"))


if __name__ == "__main__":
    unittest.main()
