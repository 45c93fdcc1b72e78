"""Tests of assignment.py: which exercises `--exercise` and `--assignment`
name."""

import unittest

from coursetool import assignment
from coursetool import catalog
from coursetool.testutil import GOOD_TOML


def course():
    out = []
    for order, (ex_id, title) in enumerate(
            [("01", "apply"), ("02", "apply_async"), ("03", "map"),
             ("04", "map_async"), ("b01", "fork")]):
        toml = GOOD_TOML.replace('id = "03"', 'id = "%s"' % ex_id).replace(
            'title = "map"', 'title = "%s"' % title).replace(
                "order = 30", "order = %d" % (order * 10))
        out.append(catalog.parse(toml, "%s_%s" % (ex_id, title)))
    return out


def ids(text):
    return [ex.id for ex in assignment.parse(text, course())]


class ParseTest(unittest.TestCase):

    def test_ids_directories_ranges_and_comments(self):
        self.assertEqual(ids("01-03"), ["01", "02", "03"])
        self.assertEqual(ids("# week 1\n03_map, b01\n1  # apply\n"),
                         ["01", "03", "b01"])
        self.assertEqual(ids("03-b01"), ["03", "04", "b01"])

    def test_in_the_courses_order_each_once(self):
        self.assertEqual(ids("b01 03 01-03 03"), ["01", "02", "03", "b01"])

    def test_mistakes_are_named(self):
        for text, words in (("01, 99", "no exercise '99' (ids: 01, 02"),
                            ("03-01", "the range '03-01' runs backwards"),
                            ("01-zz", "no exercise 'zz'"),
                            ("# nothing\n", "names no exercise")):
            with self.assertRaises(assignment.AssignmentError) as e:
                assignment.parse(text, course(), "week1.txt")
            self.assertIn("week1.txt", str(e.exception))
            self.assertIn(words, str(e.exception))


if __name__ == "__main__":
    unittest.main()
