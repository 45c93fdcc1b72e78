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

    ZH_TOML = GOOD_TOML + '''
[performance]
benchmark = "bench"
reference = "//solutions/03_map:bench"
points = 5
full_at = 0.7
zero_at = 0.25

[performance.causes]
BM_A = "one round trip per item"
BM_B = "chunks too small"

[zh]
source = "0000000000000000"
title = "映射"
hints = ["一", "二", "三"]

[zh.causes]
BM_A = "每个元素一次往返"
BM_B = "分块太小"
'''

    def test_reads_chinese_when_the_learner_reads_chinese(self):
        for environ in ({"COURSE_LANG": "zh"},
                        {"COURSE_LANG": "", "LC_ALL": "zh_CN.UTF-8"}):
            with mock.patch.dict(os.environ, environ):
                ex = catalog.parse(self.ZH_TOML, "03_map")
            self.assertEqual(ex.hints, ("一", "二", "三"), environ)
            self.assertEqual(ex.title, "映射", environ)
            self.assertEqual(ex.title_en, "map",
                             "results.json's names keep the English title")
            self.assertEqual(ex.performance.causes,
                             {"BM_A": "每个元素一次往返", "BM_B": "分块太小"})
        with mock.patch.dict(os.environ, {"COURSE_LANG": "en",
                                          "LANG": "zh_CN.UTF-8"}):
            ex = catalog.parse(self.ZH_TOML, "03_map")
        self.assertEqual(ex.hints, ("one", "two", "three"))
        self.assertEqual((ex.title, ex.title_en), ("map", "map"))
        self.assertEqual(ex.performance.causes["BM_A"],
                         "one round trip per item")

    def assertBadZh(self, text, fragment):
        """text is refused, naming [zh] and fragment, in both languages
        (a mistake in the Chinese shows when the checks run in English)."""
        for code, fragment_here in (("en", fragment), ("zh", "[zh]")):
            with mock.patch.dict(os.environ, {"COURSE_LANG": code}):
                with self.assertRaises(catalog.ConfigError,
                                       msg=code) as cm:
                    catalog.parse(text, "03_map")
            message = str(cm.exception)
            self.assertIn("exercises/03_map/course.toml [zh]", message)
            self.assertIn(fragment_here, message)

    def test_refuses_chinese_that_does_not_match_the_english(self):
        self.assertBadZh(self.ZH_TOML.replace('["一", "二", "三"]',
                                              '["一", "二"]'),
                         "as many non-empty strings as the English `hints`")
        self.assertBadZh(self.ZH_TOML.replace('"二"', '"  "'),
                         "as many non-empty strings")
        self.assertBadZh(self.ZH_TOML.replace('title = "映射"\n', ""),
                         "missing `title`")
        self.assertBadZh(self.ZH_TOML.replace('"映射"', '" "'),
                         "`title` must not be empty")
        self.assertBadZh(self.ZH_TOML.replace('"映射"', "3"),
                         "`title` must be a string")
        missing = self.ZH_TOML.replace('BM_B = "分块太小"\n', "")
        self.assertBadZh(missing, "it has BM_A, the English has BM_A, BM_B")
        self.assertBadZh(missing.replace("BM_A = \"每", "BM_X = \"每"),
                         "it has BM_X, the English has BM_A, BM_B")
        self.assertBadZh(self.ZH_TOML.replace('"分块太小"', '""'),
                         "[zh.causes] must map benchmark names to non-empty")
        no_causes = self.ZH_TOML[:self.ZH_TOML.index("[zh.causes]")]
        self.assertBadZh(no_causes, "it has -, the English has BM_A, BM_B")
        no_perf = GOOD_TOML + self.ZH_TOML[self.ZH_TOML.index("[zh]"):]
        self.assertBadZh(no_perf, "it has BM_A, BM_B, the English has -")
        self.assertBadZh(GOOD_TOML.replace("[weights]",
                                           'zh = "中文"\n[weights]'),
                         "must be a table")

    def test_chinese_causes_may_be_left_out_when_there_are_none(self):
        text = GOOD_TOML + '''
[zh]
title = "映射"
hints = ["一", "二", "三"]
'''
        with mock.patch.dict(os.environ, {"COURSE_LANG": "zh"}):
            ex = catalog.parse(text, "03_map")
        self.assertEqual(ex.title, "映射")
        self.assertIsNone(ex.performance)

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
