"""Tests of the terminal helpers (ui.py)."""

import io
import os
import unittest
from unittest import mock

from coursetool import ui


class Tty(io.StringIO):
    encoding = "utf-8"

    def isatty(self):
        return True


class StyleTest(unittest.TestCase):

    def test_no_colour_when_not_a_terminal(self):
        style = ui.Style(io.StringIO())
        self.assertEqual(style.bold("x"), "x")
        self.assertEqual(style.ok, "ok")  # StringIO has no encoding
        self.assertEqual(style.bad, "X")

    def test_colour_on_a_terminal_unless_no_color(self):
        with mock.patch.dict(os.environ, {"TERM": "xterm"}):
            os.environ.pop("NO_COLOR", None)
            style = ui.Style(Tty())
            self.assertEqual(style.green("x"), "\033[32mx\033[0m")
            self.assertIn("✓", style.ok)
        with mock.patch.dict(os.environ, {"NO_COLOR": "1", "TERM": "xterm"}):
            self.assertEqual(ui.Style(Tty()).green("x"), "x")
        with mock.patch.dict(os.environ, {"TERM": "dumb"}):
            os.environ.pop("NO_COLOR", None)
            self.assertEqual(ui.Style(Tty()).green("x"), "x")


class TextTest(unittest.TestCase):

    def test_num(self):
        self.assertEqual(ui.num(3.0), 3)
        self.assertIsInstance(ui.num(3.0), int)
        self.assertEqual(ui.num(2.5), 2.5)
        self.assertEqual(ui.num(1 / 3), 0.33)
        self.assertEqual("%s/%s" % (ui.num(4), ui.num(4.0)), "4/4")

    def test_progress_bar(self):
        self.assertEqual(ui.progress_bar(1, 4, 8, unicode=False),
                         "[##......] 1/4")
        self.assertEqual(ui.progress_bar(0, 0, 4, unicode=False),
                         "[....] 0/0")
        self.assertEqual(ui.progress_bar(3, 3, 3), "[███] 3/3")

    def test_shorten_says_how_many_lines_it_left_out(self):
        text = "\n".join("line %d" % i for i in range(20))
        self.assertEqual(ui.shorten(text, 3),
                         "line 0\nline 1\n... (18 more lines)")
        self.assertEqual(len(ui.shorten(text, 10).splitlines()), 10)
        self.assertEqual(ui.shorten("a\nb\n", 3), "a\nb")

    def test_indent_leaves_blank_lines_blank(self):
        self.assertEqual(ui.indent("a\n\nb", "  "), "  a\n\n  b")

    def test_wrap_keeps_paragraphs_and_never_cuts_a_word(self):
        words = " ".join("word%d" % i for i in range(40))
        with mock.patch.object(ui, "width", return_value=50):
            text = ui.wrap(words + "\n\nsecond", "> ")
        lines = text.splitlines()
        self.assertTrue(all(len(l) <= 50 for l in lines), lines)
        self.assertTrue(all(l.startswith("> ") for l in lines), lines)
        self.assertEqual(" ".join(l[2:] for l in lines[:-1]), words)
        self.assertEqual(lines[-1], "> second")


class LiveLineTest(unittest.TestCase):

    def test_a_terminal_line_is_rewritten_in_place(self):
        tty = Tty()
        line = ui.LiveLine(tty)
        line.show("running S.A: 2 s", "S.A")
        line.show("running S.A: 3 s", "S.A")
        line.clear()
        self.assertEqual(tty.getvalue(), "\r\033[Krunning S.A: 2 s"
                         "\r\033[Krunning S.A: 3 s\r\033[K")

    def test_elsewhere_plain_lines_when_the_case_changes_or_now_and_then(self):
        out, now = io.StringIO(), [0.0]
        line = ui.LiveLine(out, every=5.0, now=lambda: now[0])
        for t, text, key in ((0, "A 2 s", "A"), (1, "A 3 s", "A"),
                             (5, "A 7 s", "A"), (6, "B 2 s", "B"),
                             (7, "B 3 s", "B")):
            now[0] = t
            line.show(text, key)
        line.clear()
        self.assertEqual(out.getvalue(), "A 2 s\nA 7 s\nB 2 s\n")


if __name__ == "__main__":
    unittest.main()
