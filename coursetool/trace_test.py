"""Tests of `./course trace` (trace.py): the parts that need no Bazel run."""

import io
import json
import os
import tempfile
import unittest
from unittest import mock

from coursetool import trace
from coursetool import ui
from coursetool.catalog import Exercise


def exercise(ex_id, directory):
    return Exercise(id=ex_id, dir=directory, title="t", title_en="t",
                    track="x", order=1, lesson="", files=("exercise.cc",),
                    timeout=60, hints=(), weights={}, performance=None,
                    loop_timeout=20)


class TraceTest(unittest.TestCase):
    def test_trace_files_in_the_order_the_pools_were_made(self):
        with tempfile.TemporaryDirectory() as d:
            for name in ("yours.json", "yours.10.json", "yours.2.json",
                         "reference.json", "yours.svg", "yoursx.json"):
                open(os.path.join(d, name), "w").close()
            self.assertEqual(
                [os.path.basename(p) for p in trace.trace_files(d, "yours")],
                ["yours.json", "yours.2.json", "yours.10.json"])

    def test_side_by_side_keeps_columns_apart(self):
        text = trace.side_by_side("a\n" + "x" * 50 + "\n", "b\n", 20)
        rows = text.splitlines()
        self.assertEqual(rows[0], "yours" + " " * 17 + "reference")
        self.assertEqual(rows[2], "a" + " " * 21 + "b")
        # A long line is cut at its column, never run into the next.
        self.assertEqual(rows[3], "x" * 19 + "…")
        self.assertTrue(all(len(r) <= 42 for r in rows), rows)

    def test_build_your_own_track_explains_what_to_watch(self):
        out = io.StringIO()
        with tempfile.TemporaryDirectory() as root:
            code = trace.cmd_trace(root, exercise("b05", "b05_many_workers"),
                                   ui.Style(out), out)
        self.assertEqual(code, 0)
        text = out.getvalue()
        self.assertIn("builds a pool of your own", text)
        self.assertIn("strace -f", text)
        self.assertIn("bazel-bin/exercises/b05_many_workers/test", text)

    def test_text_of_a_trace_and_of_a_missing_one(self):
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        trace_view = trace.load_trace_view(root)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "yours.json")
            with open(path, "w") as f:
                json.dump({"traceEvents": [
                    {"ph": "M", "name": "process_name", "pid": 7, "tid": 7,
                     "args": {"name": "worker 1 (pid 7)"}},
                    {"ph": "X", "cat": "task", "name": "map [0]", "pid": 7,
                     "tid": 7, "ts": 10, "dur": 5,
                     "args": {"task": 1, "outcome": "ok"}}]}, f)
            text = trace.text_of(trace_view, path, 60)
            self.assertIn("worker 1 (pid 7)", text)
            self.assertIn("map [0]: task 1", text)
            self.assertIn("tasks (letter: what, how long, outcome):", text)
            with mock.patch.dict(os.environ, {"COURSE_LANG": "zh"}):
                text = trace.text_of(trace_view, path, 60)
            self.assertIn("任务（字母：是什么、用时多久、结局）：", text)
            self.assertIn("map [0]：任务 1，0.005 ms，ok", text)
            self.assertNotIn("tasks (letter", text)
            bad = os.path.join(d, "bad.json")
            with open(bad, "w") as f:
                f.write("{")
            self.assertIn("cannot read", trace.text_of(trace_view, bad, 60))
        self.assertIn("fewer pools", trace.text_of(trace_view, None, 60))


if __name__ == "__main__":
    unittest.main()
