#!/usr/bin/env python3
"""Tests of sync.py's checks on a small tree of their own: an English
message edited without --refresh-messages fails, naming the file; a
refresh records it; a T() whose Chinese lacks a field fails. An exercise's
English title, hints or [performance.causes] edited without
--refresh-hints fails the same way, and a [zh] table without a title or
with other benchmarks' causes fails."""

import contextlib
import io
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sync  # noqa: E402

TOOL = '''from .lang import T


def done(n):
    return T("{n} of them pass", "通过了 {n} 个", n=n)


def plural(n):
    return T("{n} exercise{s}", "{n} 个练习", n=n, s="" if n == 1 else "s")
'''

TEST_CC = '''TEST(A, B) {
  EXPECT_TRUE(ok) << Explain("the pool should answer", "进程池应当回答");
}
'''


class MessagesTest(unittest.TestCase):

    def setUp(self):
        self.old = os.getcwd()
        self.tmp = tempfile.TemporaryDirectory()
        os.chdir(self.tmp.name)
        os.makedirs("tool")
        os.makedirs("i18n")
        os.makedirs("ex")
        self.write("tool/screens.py", TOOL)
        self.write("tool/screens_test.py", 'T("only a test", "只是测试")\n')
        self.write("ex/a_test.cc", TEST_CC)
        self.refresh("tool/screens.py", "ex/a_test.cc")

    def tearDown(self):
        os.chdir(self.old)
        self.tmp.cleanup()

    def write(self, path, text):
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    def refresh(self, *paths):
        with contextlib.redirect_stdout(io.StringIO()):
            sync.refresh_messages(list(paths))

    def check(self):
        return sync.check_messages(sync.files())

    def test_recorded_messages_pass(self):
        self.assertEqual(self.check(), [])
        with open(sync.LOCK, encoding="utf-8") as f:
            lock = f.read()
        self.assertIn("tool/screens.py\t", lock)
        self.assertIn("{n} of them pass", lock)
        self.assertNotIn("only a test", lock,
                         "a _test.py file's T() calls should not be "
                         "recorded")

    def test_edited_english_fails_naming_the_file(self):
        self.write("tool/screens.py",
                   TOOL.replace("{n} of them pass", "{n} of them passed"))
        errors = self.check()
        self.assertTrue(errors, "an edited English message passed the check")
        self.assertTrue(any(e.startswith("tool/screens.py:5:") and
                            "--refresh-messages tool/screens.py" in e and
                            "{n} of them passed" in e for e in errors),
                        errors)
        self.refresh("tool/screens.py")
        self.assertEqual(self.check(), [])

    def test_edited_explain_still_fails(self):
        self.write("ex/a_test.cc", TEST_CC.replace("answer", "reply"))
        errors = self.check()
        self.assertTrue(any(e.startswith("ex/a_test.cc:2:") for e in errors),
                        errors)

    def test_chinese_must_take_the_same_fields(self):
        self.write("tool/screens.py",
                   TOOL.replace('"通过了 {n} 个"', '"全部通过"'))
        _, errors = sync.messages("tool/screens.py")
        self.assertTrue(any("tool/screens.py:5:" in e and "fields" in e
                            for e in errors), errors)

    def test_plural_ending_may_stay_english(self):
        _, errors = sync.messages("tool/screens.py")
        self.assertEqual(errors, [])

    def test_chinese_must_be_chinese(self):
        self.write("tool/screens.py",
                   TOOL.replace('"通过了 {n} 个"', '"{n} of them pass"'))
        _, errors = sync.messages("tool/screens.py")
        self.assertTrue(any("not Chinese" in e for e in errors), errors)

    def test_a_message_that_is_not_two_literals_fails(self):
        self.write("tool/screens.py",
                   TOOL + '\n\ndef bad(x):\n    return T(x, "中文")\n')
        _, errors = sync.messages("tool/screens.py")
        self.assertTrue(any("tool/screens.py:13:" in e and
                            "two string literals" in e for e in errors),
                        errors)


COURSE_TOML = '''id = "03"
title = "map"
hints = ["one", "two", "three"]

[performance]
benchmark = "bench"

[performance.causes]
BM_A = "one round trip per item"
BM_B = "chunks too small"

[zh]
source = "0"
title = "映射"
hints = ["一", "二", "三"]

[zh.causes]
BM_A = "每个元素一次往返"
BM_B = "分块太小"
'''


class CourseTomlTest(unittest.TestCase):
    PATH = "exercises/03_map/course.toml"

    def setUp(self):
        self.old = os.getcwd()
        self.tmp = tempfile.TemporaryDirectory()
        os.chdir(self.tmp.name)
        os.makedirs("exercises/03_map")
        os.makedirs("i18n")
        self.write(sync.UNTRANSLATED, "")
        self.write(self.PATH, COURSE_TOML)
        self.refresh()

    def tearDown(self):
        os.chdir(self.old)
        self.tmp.cleanup()

    def write(self, path, text):
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    def edit(self, old, new):
        with open(self.PATH, encoding="utf-8") as f:
            text = f.read()
        self.assertIn(old, text)
        self.write(self.PATH, text.replace(old, new, 1))

    def refresh(self):
        with contextlib.redirect_stdout(io.StringIO()):
            sync.refresh_hints(self.PATH)

    def check(self):
        return sync.check_hints(sync.files())

    def assertStale(self):
        errors = self.check()
        self.assertTrue(any(e.startswith(self.PATH) and
                            "--refresh-hints " + self.PATH in e
                            for e in errors), errors)

    def test_a_refreshed_table_passes(self):
        self.assertEqual(self.check(), [])

    def test_an_edited_english_title_hint_or_cause_fails_until_refreshed(
            self):
        for old, new in (('title = "map"', 'title = "map, chunked"'),
                         ('"two"', '"two, reworded"'),
                         ('BM_B = "chunks too small"',
                          'BM_B = "chunks far too small"')):
            with self.subTest(edit=new):
                self.edit(old, new)
                self.assertStale()
                self.refresh()
                self.assertEqual(self.check(), [])

    def test_editing_the_chinese_alone_needs_no_refresh(self):
        self.edit('"映射"', '"map（映射）"')
        self.edit('"分块太小"', '"分块小得太多"')
        self.assertEqual(self.check(), [])

    def test_a_table_without_a_title_fails(self):
        self.edit('title = "映射"\n', "")
        errors = self.check()
        self.assertTrue(any("[zh] has no `title`" in e for e in errors),
                        errors)

    def test_causes_for_other_benchmarks_fail(self):
        self.edit('BM_B = "分块太小"\n', 'BM_C = "分块太小"\n')
        errors = self.check()
        self.assertTrue(any("[zh.causes] names BM_A, BM_C, "
                            "[performance.causes] BM_A, BM_B" in e
                            for e in errors), errors)

    def test_a_new_english_cause_fails_until_translated(self):
        self.edit("\n[zh]\n", 'BM_C = "a new cause"\n\n[zh]\n')
        self.refresh()
        errors = self.check()
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("must name the same benchmarks", errors[0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
