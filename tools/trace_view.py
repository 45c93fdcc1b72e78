#!/usr/bin/env python3
"""Draws a pool trace (Options::trace, POOL_TRACE) as a timeline.

  trace_view.py TRACE.json                 a text timeline on the terminal
  trace_view.py TRACE.json --svg OUT.svg   and an SVG picture of it

One lane per worker (a ThreadPool: per thread), one box per task labelled
with its items (and its input, when that is one number), a red dot (text:
"!") for a task that failed without running and a grey ring ("/") for one
cancel() cancelled, a red cross where a worker died, dashed lines for
close(), terminate() and join(), and a time axis in milliseconds from the
pool's first event. The parent's threads
(where tasks are submitted and delivered) get a lane each above the
workers. pool/README.md ("Tracing") describes the file; this reads only
what that section promises. Standard library only.
"""

import argparse
import json
import math
import sys
import unicodedata
from xml.sax.saxutils import escape

# Colours per method; a task that failed is drawn red whatever its method.
METHOD_COLOURS = {
    "apply": "#4e79a7",
    "map": "#59a14f",
    "imap": "#f28e2b",
    "task": "#76b7b2",
}
FAILED = "#e15759"
SUBMIT = "#bab0ac"
DELIVER = "#9c755f"
# Beyond this many boxes, no tooltips: they would make the file large.
MAX_TOOLTIPS = 1500

# How wide the picture's text is: the advance widths of DejaVu Sans, the
# font the SVG asks for first (Verdana, its fallback, is as wide), in
# 1/2048 em, for the printable ASCII characters (space to "~"), regular
# and bold. Layout keeps lines and other labels off each text's box, so the
# box must not be narrower than what a viewer draws.
ASCII_WIDTHS = (
    (651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716,
     651, 739, 651, 690, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303,
     1303, 1303, 690, 690, 1716, 1716, 1716, 1087, 2048, 1401, 1405,
     1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767,
     1532, 1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403,
     1251, 1403, 799, 690, 799, 1716, 1024, 1024, 1255, 1300, 1126, 1300,
     1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253, 1300,
     1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690,
     1303, 1716),
    (713, 934, 1067, 1716, 1425, 2052, 1786, 627, 936, 936, 1071, 1716,
     778, 850, 778, 748, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425,
     1425, 1425, 819, 819, 1716, 1716, 1716, 1188, 2048, 1585, 1561,
     1503, 1700, 1399, 1399, 1681, 1714, 762, 762, 1587, 1305, 2038,
     1714, 1741, 1501, 1741, 1577, 1475, 1397, 1663, 1585, 2259, 1579,
     1483, 1485, 936, 748, 936, 1716, 1024, 1024, 1382, 1466, 1214, 1466,
     1389, 891, 1466, 1458, 702, 702, 1362, 702, 2134, 1458, 1407, 1466,
     1466, 1010, 1219, 979, 1458, 1335, 1892, 1321, 1335, 1192, 1458,
     748, 1458, 1716),
)
# The other characters the picture's own words use (regular, bold).
OTHER_WIDTHS = {"·": (651, 778), "×": (1716, 1716), "…": (2048, 2048)}


def text_width(text, size=12, bold=False):
    """The width in px of `text` drawn `size` px high: DejaVu Sans's own
    widths for ASCII, a full em for a wide (CJK) character, and for any
    other character as much as the widest of "0" to "9" and "a" to "z"
    but "m" and "w", so a box is never narrower than its text."""
    units = 0
    for ch in text:
        code = ord(ch)
        if 32 <= code < 127:
            units += ASCII_WIDTHS[bold][code - 32]
        elif ch in OTHER_WIDTHS:
            units += OTHER_WIDTHS[ch][bold]
        elif unicodedata.east_asian_width(ch) in "WF":
            units += 2048
        else:
            units += 1466 if bold else 1303
    return units * size / 2048


class Lane:
    """One row of the picture: a worker, a pool thread or a parent thread."""

    def __init__(self, key, name, worker):
        self.key = key  # (pid, tid)
        self.name = name
        self.worker = worker  # True for a worker (or a ThreadPool thread).
        self.boxes = []  # (start_us, end_us, label, tooltip, colour)
        # (ts_us, label, kind): "death", "exit", "replace", "failed" or
        # "cancelled" (a task that never ran).
        self.marks = []
        self.alive = None  # [start_us, end_us or None]
        self.sort = 0


def load(path):
    """Reads a trace file; raises ValueError saying what is wrong with it."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path} is not valid JSON: {e}") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        raise ValueError(f"{path} has no traceEvents array: not a pool trace")
    return doc["traceEvents"]


def is_failure(outcome):
    return outcome not in (None, "ok") and "items raised" not in outcome


def task_label(event):
    args = event.get("args", {})
    label = event.get("name", "?")
    if "input" in args:
        value = args["input"]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        label += f" · {value}"
    return label


# The words of a task's or a death's note and of the text timeline's
# legend, str.format strings; ./course trace gives them in the reader's
# language (coursetool/trace.py).
WORDS = {
    "task": "{name}: task {task}, {ms} ms, {outcome}",
    "while running": "{text} while running {task}",
    "replaces": "replaces pid {pid}",
    "tasks": "tasks (letter: what, how long, outcome):",
    "never ran": "{text} (never ran)",
    "mark": "{name} at {ms} ms",
    "more": "... and {n} more",
}


def build(events, words=None):
    """Turns events into lanes, lifecycle marks and the time range.
    words: WORDS in another language (any left out stay English)."""
    words = {**WORDS, **(words or {})}
    process_names, thread_names, sorts = {}, {}, {}
    for e in events:
        if e.get("ph") != "M":
            continue
        name = e.get("args", {}).get("name")
        if e.get("name") == "process_name":
            process_names[e["pid"]] = name
        elif e.get("name") == "thread_name":
            thread_names[(e["pid"], e["tid"])] = name
        elif e.get("name") == "process_sort_index":
            sorts[e["pid"]] = e["args"].get("sort_index", 0)
    parent = next(
        (pid for pid, n in process_names.items() if n.startswith("pool parent")),
        None,
    )
    lanes = {}

    def lane(pid, tid):
        key = (pid, tid)
        if key not in lanes:
            if pid != parent and pid in process_names:
                lanes[key] = Lane(key, process_names[pid], True)
                lanes[key].sort = 1000 + sorts.get(pid, 0)
            else:
                name = thread_names.get(key, f"thread {tid}")
                worker = " (tid " in name
                lanes[key] = Lane(key, name, worker)
                lanes[key].sort = (500 if worker else 0) + len(lanes)
        return lanes[key]

    # Name every lane the metadata announces, so an idle worker shows.
    for pid in process_names:
        if pid != parent:
            lane(pid, pid)
    for (pid, tid), name in thread_names.items():
        if pid == parent:
            lane(pid, tid)

    marks = []
    times = []
    for e in events:
        ph = e.get("ph")
        if ph not in ("X", "i"):
            continue
        ts = float(e["ts"])
        times.append(ts)
        args = e.get("args", {})
        if ph == "X":
            end = ts + float(e.get("dur", 0))
            times.append(end)
            if e.get("cat") == "task":
                outcome = args.get("outcome")
                colour = (
                    FAILED
                    if is_failure(outcome)
                    else METHOD_COLOURS.get(args.get("method"), "#76b7b2")
                )
                tip = words["task"].format(
                    name=e["name"],
                    task=args.get("task"),
                    ms=f"{(end - ts) / 1000:.3f}",
                    outcome=outcome,
                )
                lane(e["pid"], e["tid"]).boxes.append(
                    (ts, end, task_label(e), tip, colour)
                )
            elif e.get("cat") == "submit":
                tasks = args.get("tasks", 1)
                label = e["name"] + (f" ×{tasks}" if tasks != 1 else "")
                lane(e["pid"], e["tid"]).boxes.append(
                    (ts, end, label, label, SUBMIT)
                )
            else:
                lane(e["pid"], e["tid"]).boxes.append(
                    (ts, end, "", e["name"], DELIVER)
                )
        elif e.get("cat") == "worker":
            l = lane(e["pid"], e["tid"])
            if e["name"].startswith("worker started"):
                l.alive = [ts, None]
                if args.get("replaces"):
                    l.marks.append(
                        (ts, words["replaces"].format(pid=args["replaces"]), "replace")
                    )
            else:
                if l.alive is not None:
                    l.alive[1] = ts
                died = e["name"].startswith("worker died")
                text = e["name"].split(": ", 1)[-1]
                if died and "task" in args:
                    text = words["while running"].format(
                        text=text, task=args.get("running", "task")
                    )
                l.marks.append((ts, text, "death" if died else "exit"))
        elif e.get("cat") == "pool":
            marks.append((ts, e["name"]))
        elif e.get("cat") == "task":
            # A task that never ran: cancel() cancelled it, or it failed
            # (terminate(), ...), on the lane of the thread that dropped it.
            cancelled = args.get("outcome", "").startswith("cancelled: cancel()")
            lane(e["pid"], e["tid"]).marks.append(
                (ts, e["name"], "cancelled" if cancelled else "failed")
            )
    if not times:
        raise ValueError("the trace has no events: was a pool created?")
    ordered = sorted(lanes.values(), key=lambda l: l.sort)
    return ordered, marks, min(times), max(times)


def nice_step(span_ms, ticks=8):
    """A round tick step (1, 2 or 5 times a power of ten) in ms."""
    raw = span_ms / ticks if span_ms > 0 else 1
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def fmt_ms(v):
    return f"{v:g}" if abs(v) >= 0.01 or v == 0 else f"{v:.3f}"


def fit(text, room, size=12, bold=False):
    """`text`, cut short with "…" if it is wider than `room` px."""
    if text_width(text, size, bold) <= room:
        return text
    while text and text_width(text + "…", size, bold) > room:
        text = text[:-1]
    return text + "…"


def gaps(a, b, holes):
    """The stretches of [a, b] that no (start, end) in `holes` covers."""
    out = []
    for p, q in sorted(holes):
        if p > a:
            out.append((a, min(p, b)))
        a = max(a, q)
        if a >= b:
            break
    if a < b:
        out.append((a, b))
    return [(p, q) for p, q in out if q - p >= 1]


IDLE = "idle: ran no task"
TERMINATED = "killed by terminate()"


def render_svg(lanes, marks, t0, t1, title, width=1000):
    # The lanes' names take what they need, but at most 320 px and a third
    # of a picture wider than 450 px; a longer name is cut short.
    longest = max((text_width(l.name, 12, l.worker) for l in lanes), default=0)
    label_w = min(320, max(150, width // 3), max(150, math.ceil(longest) + 30))
    right = 20
    lane_h = 36
    box_top, box_h = 3, 20  # A task box within its lane; below it, marks.
    plot_w = width - label_w - right
    span = max(t1 - t0, 1.0)

    def x(ts):
        return label_w + (ts - t0) / span * plot_w

    # Lifecycle marks' labels go above the lanes, centred on their line but
    # kept inside the picture, each in the first row where it meets no
    # other; as many rows as that takes.
    mark_labels = []  # (line x, label x, row, name)
    row_ends = []
    for ts, name in sorted(marks):
        mx = x(ts)
        half = text_width(name, 11) / 2
        cx = min(max(mx, half + 4), width - half - 4)
        row = next(
            (r for r, e in enumerate(row_ends) if cx - half > e + 4),
            len(row_ends),
        )
        if row == len(row_ends):
            row_ends.append(0)
        row_ends[row] = cx + half
        mark_labels.append((mx, cx, row, name))
    top = (30 if title else 4) + 13 * max(1, len(row_ends)) + 8
    height = top + lane_h * len(lanes) + 50

    tips = sum(len(l.boxes) for l in lanes) <= MAX_TOOLTIPS

    # Text on a lane keeps clear of the lifecycle marks' dashed lines, and
    # a lane's lifeline is broken where a text stands on it: no line is
    # drawn through a text, so none looks struck out.
    clearance = 5
    dashed = [(lx - clearance, lx + clearance) for lx in sorted(
        x(ts) for ts, _ in marks)]

    def clear(tx, w, anchor, blocked):
        """Where to anchor a text `w` px wide that would be anchored at `tx`
        (`anchor` "start" or "end") so that it meets none of the `blocked`
        (start, end) spans: moved left of the span it would meet, or right
        of it where a start-anchored text still fits in the picture."""
        for _ in range(len(blocked) + 1):
            a, b = (tx, tx + w) if anchor == "start" else (tx - w, tx)
            hit = [(p, q) for p, q in blocked if p < b and q > a]
            if not hit:
                break
            if anchor == "start" and max(q for _, q in hit) + w <= width - 2:
                tx = max(q for _, q in hit)
            else:
                tx, anchor = min(p for p, _ in hit), "end"
        return tx, anchor

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="DejaVu Sans, Verdana, sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    if title:
        out.append(
            f'<text x="10" y="22" font-size="15" font-weight="bold">'
            f"{escape(title)}</text>"
        )
    axis_y = top + lane_h * len(lanes)
    # Lanes.
    for i, l in enumerate(lanes):
        y = top + i * lane_h
        if i % 2 == 0:
            out.append(
                f'<rect x="0" y="{y}" width="{width}" height="{lane_h}" '
                'fill="#f4f4f4"/>'
            )
        # The name ends well before the plot, where a lifeline may start.
        name = fit(l.name, label_w - 20, 12, l.worker)
        weight = ' font-weight="bold"' if l.worker else ""
        mid = y + box_top + box_h / 2
        out.append(
            f'<text x="8" y="{mid + 4}"{weight}>{escape(name)}'
            f"<title>{escape(l.name)}</title></text>"
        )
        # The lifeline goes here, under the boxes, once the lane's texts
        # are placed; `on_line` is what stands on it: boxes and texts.
        lifeline_at = len(out)
        on_line = []
        # Spans of the lane's middle row that a text must not meet: the
        # dashed lines, the dots of tasks that never ran, the death cross,
        # then each text drawn so far.
        taken = list(dashed)
        for ts, _, kind in l.marks:
            if kind in ("failed", "cancelled", "death"):
                r = 7 if kind == "death" else 4
                taken.append((x(ts) - r, x(ts) + r))
        if l.worker and not l.boxes:
            w = text_width(IDLE)
            tx, anchor = clear(label_w + plot_w - 4, w, "end", taken)
            out.append(
                f'<text x="{tx:.1f}" y="{mid + 4}" '
                f'text-anchor="{anchor}" fill="#777" font-style="italic">'
                f"{IDLE}</text>"
            )
            left = tx - w if anchor == "end" else tx
            on_line.append((left - 3, left + w + 3))
        boxes = sorted(l.boxes)

        def free(a, b):
            return all(b <= p or a >= q for p, q in taken)
        for k, (start, end, label, tip, colour) in enumerate(boxes):
            bx = x(start)
            bw = max(x(end) - bx, 1.5)
            task = colour != SUBMIT and colour != DELIVER
            inset = 0 if task else 5
            tooltip = f"<title>{escape(tip)}</title>" if tips else ""
            out.append(
                f'<rect x="{bx:.1f}" y="{y + box_top + inset}" '
                f'width="{bw:.1f}" height="{box_h - 2 * inset}" '
                f'fill="{colour}" stroke="#333" stroke-width="0.5">'
                f"{tooltip}</rect>"
            )
            on_line.append((bx, bx + bw))
            if not label:
                continue
            # Inside the box if it fits, else beside it where the lane is
            # free up to the next box (or since the previous one);
            # otherwise left to the tooltip. So labels never overlap.
            room_right = (
                x(boxes[k + 1][0]) if k + 1 < len(boxes) else label_w + plot_w
            ) - (bx + bw)
            room_left = bx - (x(boxes[k - 1][1]) if k > 0 else label_w)
            # Past a failed box, room for the cross drawn at its end.
            gap = 8 if colour == FAILED else 0
            # Inside, the widest stretch of the box that no dashed line
            # crosses.
            inner = max(gaps(bx, bx + bw, dashed) or [(bx, bx)],
                        key=lambda p: p[1] - p[0])
            # Beside the box, a text is 4 px from it and 6 px from the
            # lane's other texts.
            for text in (label, label.split(" ·")[0]):
                w = text_width(text)
                need = w + 6
                ty = y + box_top + box_h / 2 + 4
                beside = bx + bw + 4 + gap
                if task and inner[1] - inner[0] >= need:
                    out.append(
                        f'<text x="{(inner[0] + inner[1]) / 2:.1f}" y="{ty}" '
                        f'text-anchor="middle" fill="white">{escape(text)}</text>'
                    )
                    taken.append((bx, bx + bw))
                elif room_right >= need + gap and free(beside, beside + w):
                    out.append(
                        f'<text x="{beside:.1f}" y="{ty}" '
                        f'fill="#222">{escape(text)}</text>'
                    )
                    taken.append((beside - 6, beside + w + 6))
                    on_line.append((beside - 3, beside + w + 3))
                elif room_left >= need and free(bx - 4 - w, bx - 4):
                    out.append(
                        f'<text x="{bx - 4:.1f}" y="{ty}" text-anchor="end" '
                        f'fill="#222">{escape(text)}</text>'
                    )
                    taken.append((bx - 10 - w, bx))
                    on_line.append((bx - 7 - w, bx - 1))
                else:
                    continue
                break
        if l.alive is not None:
            end = l.alive[1] if l.alive[1] is not None else t1
            out[lifeline_at:lifeline_at] = [
                f'<line x1="{a:.1f}" y1="{mid}" x2="{b:.1f}" y2="{mid}" '
                'stroke="#999" stroke-width="1" stroke-dasharray="2,3"/>'
                for a, b in gaps(x(l.alive[0]), x(end), on_line)
            ]
        for ts, text, kind in l.marks:
            mx = x(ts)
            if kind == "death":
                # The cross on the lane, the words under the boxes (a
                # worker's lane has at most one death: it ends there).
                cy = y + box_top + box_h / 2
                out.append(
                    f'<path d="M{mx - 6:.1f},{cy - 6} l12,12 m0,-12 l-12,12" '
                    'stroke="#c00" stroke-width="3"/>'
                )
                anchor = "end" if mx > label_w + plot_w * 0.6 else "start"
                tx, anchor = clear(
                    mx, text_width(text, 10, bold=True), anchor, dashed
                )
                out.append(
                    f'<text x="{tx:.1f}" y="{y + lane_h - 3}" fill="#c00" '
                    f'font-size="10" font-weight="bold" '
                    f'text-anchor="{anchor}">{escape(text)}</text>'
                )
            elif kind == "exit" and TERMINATED in text:
                anchor = "end" if mx > label_w + plot_w * 0.6 else "start"
                tx, anchor = clear(mx, text_width(TERMINATED, 10), anchor, dashed)
                out.append(
                    f'<text x="{tx:.1f}" y="{y + lane_h - 3}" fill="#555" '
                    f'font-size="10" text-anchor="{anchor}">'
                    f"{TERMINATED}</text>"
                )
            elif kind == "replace":
                # Under the lane's name, where nothing else is drawn.
                out.append(
                    f'<text x="8" y="{y + lane_h - 3}" fill="#555" '
                    f'font-size="10">{escape(text)}</text>'
                )
            elif kind == "failed":
                out.append(
                    f'<circle cx="{mx:.1f}" cy="{y + box_top + box_h / 2}" '
                    f'r="3" fill="{FAILED}"><title>{escape(text)}</title>'
                    "</circle>"
                )
            elif kind == "cancelled":
                # A hollow ring: the task was dropped, it did not fail.
                out.append(
                    f'<circle cx="{mx:.1f}" cy="{y + box_top + box_h / 2}" '
                    f'r="3.5" fill="white" stroke="#777" stroke-width="1.5">'
                    f"<title>{escape(text)}</title></circle>"
                )

    # Lifecycle marks: dashed lines across the lanes.
    for mx, cx, row, name in mark_labels:
        out.append(
            f'<line x1="{mx:.1f}" y1="{top}" x2="{mx:.1f}" y2="{axis_y}" '
            'stroke="#555" stroke-dasharray="4,3"/>'
        )
        out.append(
            f'<text x="{cx:.1f}" y="{top - 6 - 13 * row}" fill="#333" '
            f'font-size="11" text-anchor="middle">{escape(name)}</text>'
        )
    # The time axis.
    out.append(
        f'<line x1="{label_w}" y1="{axis_y}" x2="{label_w + plot_w}" '
        f'y2="{axis_y}" stroke="black"/>'
    )
    span_ms = span / 1000
    step = nice_step(span_ms)
    v = 0.0
    while v <= span_ms + 1e-9:
        tx = x(t0 + v * 1000)
        out.append(
            f'<line x1="{tx:.1f}" y1="{axis_y}" x2="{tx:.1f}" '
            f'y2="{axis_y + 5}" stroke="black"/>'
        )
        out.append(
            f'<text x="{tx:.1f}" y="{axis_y + 18}" text-anchor="middle">'
            f"{fmt_ms(round(v, 6))}</text>"
        )
        v += step
    out.append(
        f'<text x="{label_w + plot_w}" y="{axis_y + 36}" text-anchor="end" '
        'fill="#555">time since the first event (ms)</text>'
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def render_text(lanes, marks, t0, t1, columns=100, legend_limit=None, words=None):
    """The same timeline in characters: a row per lane, a letter per task.
    words: WORDS in another language (any left out stay English)."""
    words = {**WORDS, **(words or {})}
    name_w = min(30, max(len(l.name) for l in lanes) if lanes else 10)
    bar_w = max(20, columns - name_w - 3)
    span = max(t1 - t0, 1.0)

    def col(ts):
        return min(bar_w - 1, max(0, int((ts - t0) / span * bar_w)))

    symbols = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    legend = []
    rows = []
    n = 0
    for l in lanes:
        row = [" "] * bar_w
        if l.alive is not None:
            end = l.alive[1] if l.alive[1] is not None else t1
            for c in range(col(l.alive[0]), col(end) + 1):
                row[c] = "·"
        # Longest first, so that a short task stays visible over a long one.
        for start, end, label, tip, colour in sorted(
            l.boxes, key=lambda b: b[0] - b[1]
        ):
            if colour not in (SUBMIT, DELIVER):
                sym = symbols[n % len(symbols)]
                n += 1
                legend.append(f"  {sym}  {tip}")
            else:
                sym = "-"
            for c in range(col(start), col(end) + 1):
                row[c] = sym
        for ts, text, kind in l.marks:
            if kind == "death":
                row[col(ts)] = "X"
                legend.append(f"  X  {l.name}: {text}")
            elif kind in ("failed", "cancelled"):
                # A task that never ran, where this thread dropped it.
                sym = "!" if kind == "failed" else "/"
                row[col(ts)] = sym
                legend.append(f"  {sym}  " + words["never ran"].format(text=text))
        name = l.name if len(l.name) <= name_w else l.name[: name_w - 1] + "…"
        rows.append(f"{name:<{name_w}} |{''.join(row)}|")
    mark_row = [" "] * bar_w
    for ts, name in marks:
        mark_row[col(ts)] = "^"
    out = rows
    if marks:
        out.append(f"{'':<{name_w}}  {''.join(mark_row)}")
        out.append(
            f"{'':<{name_w}}  ^ = "
            + ", ".join(
                words["mark"].format(name=name, ms=f"{(ts - t0) / 1000:.2f}")
                for ts, name in sorted(marks)
            )
        )
    out.append(
        f"{'':<{name_w}}  0 ms{'':>{bar_w - 15}}{(t1 - t0) / 1000:8.2f} ms"
    )
    if legend:
        out.append(words["tasks"])
        if legend_limit is not None and len(legend) > legend_limit:
            hidden = len(legend) - legend_limit
            legend = legend[:legend_limit] + ["  " + words["more"].format(n=hidden)]
        out.extend(legend)
    return "\n".join(out) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Draw a pool trace (POOL_TRACE=path.json) as a timeline."
    )
    parser.add_argument("trace", help="the trace file a pool wrote")
    parser.add_argument("--svg", help="also write an SVG picture here")
    parser.add_argument("--title", default="", help="a title for the picture")
    parser.add_argument(
        "--workers-only",
        action="store_true",
        help="leave out the parent's threads (submit and delivery)",
    )
    parser.add_argument("--width", type=int, default=1000)
    parser.add_argument("--columns", type=int, default=100)
    parser.add_argument("--quiet", action="store_true", help="no text timeline")
    args = parser.parse_args(argv)
    try:
        lanes, marks, t0, t1 = build(load(args.trace))
    except (OSError, ValueError) as e:
        print(f"trace_view: {e}", file=sys.stderr)
        return 1
    if args.workers_only:
        lanes = [l for l in lanes if l.worker]
    if not args.quiet:
        sys.stdout.write(render_text(lanes, marks, t0, t1, args.columns))
    if args.svg:
        with open(args.svg, "w", encoding="utf-8") as f:
            f.write(render_svg(lanes, marks, t0, t1, args.title, args.width))
        if not args.quiet:
            print(f"picture: {args.svg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
