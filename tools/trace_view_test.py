#!/usr/bin/env python3
"""Tests of trace_view.py: what it draws from a trace it is given."""

import contextlib
import io
import json
import os
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import trace_view  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"


def meta(kind, pid, tid, name, sort=0):
    events = [{"ph": "M", "name": kind, "pid": pid, "tid": tid,
               "args": {"name": name}}]
    if kind == "process_name":
        events.append({"ph": "M", "name": "process_sort_index", "pid": pid,
                       "tid": tid, "args": {"sort_index": sort}})
    return events


def task(pid, ts, dur, name, task_id, outcome="ok", number=None):
    args = {"task": task_id, "method": name.split(" ")[0], "outcome": outcome}
    if number is not None:
        args["input"] = number
    return {"ph": "X", "cat": "task", "name": name, "pid": pid, "tid": pid,
            "ts": ts, "dur": dur, "args": args}


def instant(pid, tid, ts, name, cat, args=None):
    return {"ph": "i", "s": "t", "cat": cat, "name": name, "pid": pid,
            "tid": tid, "ts": ts, "args": args or {}}


# A Pool(3) of parent 10: worker 11 runs map [0] and map [1], worker 12 is
# killed while running map [2] and replaced by worker 14, worker 13 idles.
EVENTS = (
    meta("process_name", 10, 10, "pool parent (pid 10)")
    + meta("thread_name", 10, 10, "main thread")
    + meta("process_name", 11, 11, "worker 1 (pid 11)", 1)
    + meta("process_name", 12, 12, "worker 2 (pid 12)", 2)
    + meta("process_name", 13, 13, "worker 3 (pid 13)", 3)
    + meta("process_name", 14, 14, "worker 4 (pid 14)", 4)
    + [
        instant(11, 11, 1000, "worker started", "worker"),
        instant(12, 12, 1000, "worker started", "worker"),
        instant(13, 13, 1000, "worker started", "worker"),
        {"ph": "X", "cat": "submit", "name": "submit map", "pid": 10,
         "tid": 10, "ts": 1100, "dur": 5, "args": {"tasks": 3}},
        task(11, 1200, 2000, "map [0]", 1, number=50),
        task(11, 3300, 2000, "map [1]", 2, number=100),
        task(12, 1200, 1500, "map [2]", 3,
             outcome="worker 12 was killed by signal 9 (SIGKILL) while "
             "running task 3 <&>"),
        instant(12, 12, 2700, "worker died: killed by signal 9 (SIGKILL)",
                "worker", {"signal": 9, "task": 3, "running": "map [2]"}),
        instant(14, 14, 2800, "worker started (replaces pid 12)", "worker",
                {"replaces": 12}),
        instant(10, 10, 6000, "terminate()", "pool"),
    ]
)


class TraceViewTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.tmp.name, "t.json")
        with open(self.path, "w", encoding="utf-8") as f:
            json.dump({"traceEvents": EVENTS}, f)

    def tearDown(self):
        self.tmp.cleanup()

    def render(self):
        lanes, marks, t0, t1 = trace_view.build(trace_view.load(self.path))
        return lanes, marks, t0, t1

    def test_a_lane_per_worker_in_start_order_and_idle_ones_too(self):
        lanes, _, _, _ = self.render()
        workers = [l.name for l in lanes if l.worker]
        self.assertEqual(workers, ["worker 1 (pid 11)", "worker 2 (pid 12)",
                                   "worker 3 (pid 13)", "worker 4 (pid 14)"])
        self.assertEqual(lanes[0].name, "main thread")

    def test_svg_has_a_box_per_task_a_death_mark_and_an_axis(self):
        lanes, marks, t0, t1 = self.render()
        svg = trace_view.render_svg(lanes, marks, t0, t1, "a <title> & more")
        root = ET.fromstring(svg)  # Valid XML, escaping included.
        texts = [t.text for t in root.iter(SVG + "text") if t.text]
        self.assertIn("a <title> & more", texts)
        self.assertIn("map [0] · 50", texts)
        self.assertIn("map [1] · 100", texts)
        self.assertTrue(any(t.startswith("killed by signal 9 (SIGKILL) while "
                                         "running map [2]") for t in texts),
                        texts)
        self.assertIn("idle: ran no task", texts)
        self.assertIn("terminate()", texts)
        self.assertIn("0", texts)  # The axis starts at 0 ms.
        self.assertIn("time since the first event (ms)", texts)
        # One red cross (a path) for the one death.
        self.assertEqual(len(list(root.iter(SVG + "path"))), 1)
        # The killed task is drawn red.
        fills = [r.get("fill") for r in root.iter(SVG + "rect")]
        self.assertIn(trace_view.FAILED, fills)

    def assert_no_overlap(self, svg):
        spans = []
        for t in ET.fromstring(svg).iter(SVG + "text"):
            if not t.text:
                continue
            y = float(t.get("y"))
            x = float(t.get("x"))
            w = 6.5 * len(t.text)
            anchor = t.get("text-anchor", "start")
            left = x - w / 2 if anchor == "middle" else (
                x - w if anchor == "end" else x)
            spans.append((y, left, left + w, t.text))
        for i, a in enumerate(spans):
            for b in spans[i + 1:]:
                if a[0] == b[0] and a[1] < b[2] and b[1] < a[2]:
                    self.fail(f"labels overlap: {a[3]!r} and {b[3]!r}")

    def test_labels_never_overlap(self):
        lanes, marks, t0, t1 = self.render()
        self.assert_no_overlap(
            trace_view.render_svg(lanes, marks, t0, t1, "", width=400))

    def test_close_marks_get_rows_of_their_own(self):
        lanes, _, t0, t1 = self.render()
        marks = [(5000, "close()"), (5001, "join()"),
                 (5002, "ThreadPool #1 ~ThreadPool(): terminate()"),
                 (5003, "Pool #2 ~Pool(): terminate()")]
        self.assert_no_overlap(
            trace_view.render_svg(lanes, marks, t0, t1, "title"))

    def test_lane_texts_keep_clear_of_the_dashed_lines(self):
        # Lesson 03's picture: workers killed by terminate() just after its
        # line, and an idle worker whose label ends at the plot's edge,
        # where the line is. No text on a lane may touch a line.
        lanes, marks, t0, t1 = self.render()
        for l in lanes:
            if l.worker and l.alive is not None:
                l.marks.append((5990, "killed by terminate()", "exit"))
        marks = [(5980, "~Pool(): terminate()"), (3000, "close()")]
        for width in (400, 1000):
            svg = trace_view.render_svg(lanes, marks, t0, t1, "", width=width)
            root = ET.fromstring(svg)
            lines = [float(l.get("x1")) for l in root.iter(SVG + "line")
                     if l.get("stroke-dasharray") == "4,3"]
            self.assertEqual(len(lines), 2)
            dashed = [l for l in root.iter(SVG + "line")
                      if l.get("stroke-dasharray") == "4,3"]
            top = float(dashed[0].get("y1"))
            bottom = float(dashed[0].get("y2"))
            for t in root.iter(SVG + "text"):
                # Not the marks' own labels above the lanes, nor the axis.
                if not t.text or not top < float(t.get("y")) < bottom:
                    continue
                size = float(t.get("font-size", 12))
                w = (0.6 if size < 12 else 0.58) * size * len(t.text)
                x = float(t.get("x"))
                anchor = t.get("text-anchor", "start")
                left = x - w / 2 if anchor == "middle" else (
                    x - w if anchor == "end" else x)
                for lx in lines:
                    self.assertFalse(
                        left - 2 < lx < left + w + 2,
                        f"{t.text!r} ({left:.0f} to {left + w:.0f} px) "
                        f"touches the dashed line at {lx:.0f} px "
                        f"(width {width})")

    def text_boxes(self, root):
        """(left, top, right, bottom, text) of every text drawn: as wide as
        text_width() says, from the font's ascent to its descent."""
        boxes = []
        for t in root.iter(SVG + "text"):
            if not t.text:
                continue
            size = float(t.get("font-size", 12))
            w = trace_view.text_width(t.text, size,
                                      t.get("font-weight") == "bold")
            x, y = float(t.get("x")), float(t.get("y"))
            anchor = t.get("text-anchor", "start")
            left = x - w / 2 if anchor == "middle" else (
                x - w if anchor == "end" else x)
            boxes.append((left, y - 0.76 * size, left + w, y + 0.24 * size,
                          t.text))
        return boxes

    def test_no_line_is_drawn_through_a_text(self):
        # Lesson 03's picture drew an idle worker's dotted lifeline through
        # its "idle: ran no task", as if struck out. Every kind of text
        # (lane names, task labels in and beside their boxes, the idle
        # label, a death, killed by terminate(), the marks' labels, the
        # axis) against every line (lifelines, dashed marks, the axis and
        # its ticks), at widths that put labels in and beside boxes.
        events = EVENTS + meta(
            "process_name", 15, 15,
            "worker 5 with a name far too long for the lane's column "
            "(pid 15)", 5) + [
            instant(15, 15, 1000, "worker started", "worker"),
            task(15, 4000, 100, "map [3]", 4, number=7),
            instant(10, 10, 3500, "cancelled apply [0] · 7", "task",
                    {"task": 9, "outcome": "cancelled: cancel() was "
                     "called before this task started"}),
        ]
        with open(self.path, "w", encoding="utf-8") as f:
            json.dump({"traceEvents": events}, f)
        for width in (400, 700, 1000, 1600):
            lanes, _, t0, t1 = self.render()
            for l in lanes:
                if l.worker and l.alive is not None and l.alive[1] is None:
                    l.alive[1] = 5990
                    l.marks.append((5990, "killed by terminate()", "exit"))
            marks = [(3000, "close()"), (5980, "~Pool(): terminate()"),
                     (6000, "terminate()")]
            root = ET.fromstring(
                trace_view.render_svg(lanes, marks, t0, t1, "title", width))
            boxes = self.text_boxes(root)
            kinds = {b[4] for b in boxes}
            for label in ("idle: ran no task", "killed by terminate()",
                          "close()", "0"):
                self.assertIn(label, kinds, f"width {width}")
            if width >= 1000:  # Then the task labels fit somewhere.
                self.assertTrue({"map [0] · 50", "map [3] · 7"} <= kinds,
                                f"width {width}: {kinds}")
            for line in root.iter(SVG + "line"):
                x1, x2 = sorted(float(line.get(k)) for k in ("x1", "x2"))
                y1, y2 = sorted(float(line.get(k)) for k in ("y1", "y2"))
                for left, top, right, bottom, text in boxes:
                    self.assertFalse(
                        x1 < right and x2 > left and y1 < bottom
                        and y2 > top,
                        f"width {width}: the line from ({x1:.0f}, "
                        f"{y1:.0f}) to ({x2:.0f}, {y2:.0f}) crosses "
                        f"{text!r} ({left:.0f} to {right:.0f} px, "
                        f"{top:.0f} to {bottom:.0f} px)")
            # Broken around the label, the idle worker's lifeline still
            # runs the rest of its way: from its start to the label, and
            # from the label to where the worker ended.
            idle = next(t for t in root.iter(SVG + "text")
                        if t.text == "idle: ran no task")
            row = float(idle.get("y")) - 4
            dots = sorted(
                (float(l.get("x1")), float(l.get("x2")))
                for l in root.iter(SVG + "line")
                if l.get("stroke-dasharray") == "2,3"
                and float(l.get("y1")) == row)
            label = next(b for b in boxes if b[4] == "idle: ran no task"
                         and b[1] < row < b[3])
            self.assertGreaterEqual(len(dots), 2, f"width {width}: {dots}")
            self.assertLess(dots[0][0], label[0], f"width {width}: {dots}")
            self.assertLess(label[2], dots[-1][1], f"width {width}: {dots}")

    def test_a_box_against_a_dashed_line_keeps_its_label(self):
        # Lesson 06: terminate() cuts short tasks that had just started, so
        # their thin boxes stand right against its line. The label goes on
        # the box's left, where the lane is free; the line only keeps it
        # from the right.
        events = EVENTS + [task(13, 5960, 10, "imap_unordered [0]", 7,
                                outcome="cancelled: terminate()", number=1)]
        with open(self.path, "w", encoding="utf-8") as f:
            json.dump({"traceEvents": events}, f)
        lanes, _, t0, t1 = self.render()
        root = ET.fromstring(trace_view.render_svg(
            lanes, [(5975, "terminate()")], t0, t1, ""))
        label = next((t for t in root.iter(SVG + "text")
                      if t.text == "imap_unordered [0] · 1"), None)
        self.assertIsNotNone(label, "the thin box's label is missing")
        self.assertEqual(label.get("text-anchor"), "end")

    def test_text_width_is_the_fonts(self):
        # DejaVu Sans: digits are 1303/2048 em wide, bold ones 1425/2048.
        self.assertAlmostEqual(trace_view.text_width("0123456789", 12),
                               10 * 1303 / 2048 * 12)
        self.assertAlmostEqual(
            trace_view.text_width("0123456789", 10, bold=True),
            10 * 1425 / 2048 * 10)
        self.assertGreater(trace_view.text_width("mmm"),
                           trace_view.text_width("iii"))
        # A Chinese character is a full em; one the table lacks is never
        # narrower than a digit.
        self.assertAlmostEqual(trace_view.text_width("任务", 10), 20)
        self.assertGreaterEqual(trace_view.text_width("é"),
                                trace_view.text_width("0"))
        self.assertEqual(trace_view.fit("worker 1 (pid 11)", 500),
                         "worker 1 (pid 11)")
        cut = trace_view.fit("worker 1 (pid 11)", 60, bold=True)
        self.assertTrue(cut.endswith("…"), cut)
        self.assertLessEqual(trace_view.text_width(cut, bold=True), 60)

    def test_cancelled_and_failed_tasks_that_never_ran(self):
        events = EVENTS + [
            instant(10, 10, 5500, "cancelled apply [0] · 7", "task",
                    {"task": 4, "outcome": "cancelled: cancel() was called "
                     "before this task started"}),
            instant(10, 10, 5600, "failed apply [0] · 8", "task",
                    {"task": 5, "outcome": "cancelled: terminate() was "
                     "called before this task finished"}),
        ]
        with open(self.path, "w", encoding="utf-8") as f:
            json.dump({"traceEvents": events}, f)
        lanes, marks, t0, t1 = self.render()
        main = next(l for l in lanes if l.name == "main thread")
        self.assertEqual([k for _, _, k in main.marks],
                         ["cancelled", "failed"])
        root = ET.fromstring(trace_view.render_svg(lanes, marks, t0, t1, ""))
        circles = {c.find(SVG + "title").text: c
                   for c in root.iter(SVG + "circle")}
        self.assertEqual(circles["cancelled apply [0] · 7"].get("fill"),
                         "white")
        self.assertEqual(circles["failed apply [0] · 8"].get("fill"),
                         trace_view.FAILED)
        text = trace_view.render_text(lanes, marks, t0, t1, columns=80)
        row = next(r for r in text.splitlines() if r.startswith("main thread"))
        self.assertIn("/", row)
        self.assertIn("!", row)
        self.assertIn("/  cancelled apply [0] · 7 (never ran)", text)
        self.assertIn("!  failed apply [0] · 8 (never ran)", text)

    def test_text_timeline(self):
        lanes, marks, t0, t1 = self.render()
        text = trace_view.render_text(lanes, marks, t0, t1, columns=80)
        rows = text.splitlines()
        worker2 = next(r for r in rows if r.startswith("worker 2 (pid 12)"))
        self.assertIn("X", worker2)
        self.assertIn("map [0]: task 1, 2.000 ms, ok", text)
        self.assertIn("terminate() at 5.00 ms", text)
        self.assertTrue(all(len(r) <= 80 for r in rows[:5]), rows[:5])

    def test_the_legend_in_other_words(self):
        words = {"tasks": "任务：", "mark": "{name} 在 {ms} ms 处",
                 "more": "……还有 {n} 个",
                 "task": "{name}：任务 {task}，{ms} ms，{outcome}",
                 "while running": "{text}（当时正在执行 {task}）"}
        lanes, marks, t0, t1 = trace_view.build(trace_view.load(self.path),
                                                words)
        text = trace_view.render_text(lanes, marks, t0, t1, columns=80,
                                      words=words)
        self.assertIn("map [0]：任务 1，2.000 ms，ok", text)
        self.assertIn("X  worker 2 (pid 12): killed by signal 9 (SIGKILL)"
                      "（当时正在执行 map [2]）", text)
        text = trace_view.render_text(lanes, marks, t0, t1, columns=80,
                                      legend_limit=1, words=words)
        self.assertIn("\n任务：\n", text)
        self.assertIn("terminate() 在 5.00 ms 处", text)
        self.assertNotIn(" at 5.00 ms", text)
        self.assertRegex(text, r"\n  ……还有 \d+ 个\n$")
        english = trace_view.render_text(lanes, marks, t0, t1, columns=80,
                                         legend_limit=1)
        self.assertIn("\ntasks (letter: what, how long, outcome):\n",
                      english)
        self.assertRegex(english, r"\n  \.\.\. and \d+ more\n$")

    def test_bad_input_says_what_is_wrong(self):
        bad = os.path.join(self.tmp.name, "bad.json")
        with open(bad, "w", encoding="utf-8") as f:
            f.write('{"traceEvents": [')
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual(trace_view.main([bad]), 1)
        self.assertIn("is not valid JSON", err.getvalue())
        with open(bad, "w", encoding="utf-8") as f:
            f.write('{"events": []}')
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual(trace_view.main([bad]), 1)
        self.assertIn("no traceEvents array", err.getvalue())
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual(
                trace_view.main([os.path.join(self.tmp.name, "none.json")]), 1)
        self.assertIn("No such file", err.getvalue())

    def test_main_writes_the_svg(self):
        out = os.path.join(self.tmp.name, "t.svg")
        with contextlib.redirect_stdout(io.StringIO()) as stdout:
            self.assertEqual(trace_view.main([self.path, "--svg", out]), 0)
        self.assertIn("picture: " + out, stdout.getvalue())
        ET.parse(out)


if __name__ == "__main__":
    unittest.main()
