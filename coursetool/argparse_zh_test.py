"""Tests of argparse_zh's tables against the argparse this machine runs:
each English text is one argparse looks up, each Chinese keeps its
%-fields, and English stays argparse's own."""

import argparse
import ast
import inspect
import os
import re
import unittest
from unittest import mock

from coursetool import argparse_zh

FIELD = re.compile(r"%(?:\((\w+)\))?([sr])")


def looked_up():
    """The texts argparse passes to _() and ngettext(), read from its
    source: {text} and {(singular, plural)}."""
    texts, plurals = set(), set()
    for node in ast.walk(ast.parse(inspect.getsource(argparse))):
        if not (isinstance(node, ast.Call) and
                isinstance(node.func, ast.Name)):
            continue
        args = [a.value for a in node.args
                if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if node.func.id == "_" and len(args) == 1:
            texts.add(args[0])
        elif node.func.id == "ngettext" and len(args) == 2:
            plurals.add(tuple(args))
    return texts, plurals


def fields(text):
    return sorted(FIELD.findall(text))


class TablesTest(unittest.TestCase):

    def test_every_english_text_is_one_argparse_looks_up(self):
        texts, plurals = looked_up()
        # The parsing above finds what it should.
        self.assertIn("the following arguments are required: %s", texts)
        self.assertFalse(set(argparse_zh.ZH) - texts,
                         "texts argparse no longer uses (or never did): "
                         "their Chinese is never shown")
        self.assertFalse(set(argparse_zh.ZH_PLURAL) - plurals)

    def test_the_chinese_keeps_the_fields(self):
        for en, zh in argparse_zh.ZH.items():
            self.assertEqual(fields(en), fields(zh), en)
            self.assertRegex(zh, "[\u4e00-\u9fff]", en)
        for (singular, plural), zh in argparse_zh.ZH_PLURAL.items():
            self.assertEqual(fields(singular), fields(zh), singular)
            self.assertEqual(fields(plural), fields(zh), plural)

    def test_english_is_argparse_s_own(self):
        argparse_zh.install()
        argparse_zh.install()  # again: still argparse's, not a loop
        with mock.patch.dict(os.environ, {"COURSE_LANG": "en"}):
            for en in argparse_zh.ZH:
                self.assertEqual(argparse._(en), en)
            self.assertEqual(argparse.ngettext(
                "expected %s argument", "expected %s arguments", 2),
                "expected %s arguments")
            self.assertEqual(argparse._("not in the table"),
                             "not in the table")
        with mock.patch.dict(os.environ, {"COURSE_LANG": "zh"}):
            self.assertEqual(argparse._("usage: "), "用法：")
            self.assertEqual(argparse.ngettext(
                "expected %s argument", "expected %s arguments", 2),
                "需要 %s 个值")
            # A text the tables leave out stays English.
            self.assertEqual(argparse._("%r is not callable"),
                             "%r is not callable")

    def test_a_parser_built_under_chinese_speaks_it(self):
        argparse_zh.install()
        with mock.patch.dict(os.environ, {"COURSE_LANG": "zh"}):
            parser = argparse.ArgumentParser(prog="p", exit_on_error=False)
            parser.add_argument("n", type=int)
            with self.assertRaises(argparse.ArgumentError) as e:
                parser.parse_args(["x"])
            self.assertEqual(str(e.exception), "参数 n：'x' 不是有效的 int 值")
            self.assertIn("位置参数", parser.format_help())


if __name__ == "__main__":
    unittest.main()
