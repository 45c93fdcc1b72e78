"""Grading reports: the text table, Gradescope's results.json, a class CSV.

results.json follows Gradescope's published autograder format: top-level
score, output, visibility, stdout_visibility, execution_time, tests[] and
(when speed is graded) leaderboard; each test has name, score, max_score,
status ("passed"/"failed"), output and visibility.
"""

import csv
import io
import json
import os
import re

from . import files
from . import scoring
from . import ui

_VISIBLE = "visible"
_HIDDEN = "hidden"


def exercise_line(es):
    ex = es.exercise
    c = sum(1 for x in es.cases if x.passed)
    status = ("not submitted" if es.note.startswith("not submitted") else
              "NO BUILD" if not es.built else
              "passed" if es.all_passed else "failed")
    line = "%-4s %-26s %-13s %3d/%-3d cases  %6s/%-4s points" % (
        ex.id, ex.title[:26], status, c, len(es.cases),
        ui.num(es.correctness_score), ui.num(es.correctness_max))
    if es.graded_on_speed:
        p = es.performance
        if p is None or p.index is None:
            line += "   speed -"
        else:
            line += "   speed %.2f: %s/%s" % (p.shown_index, ui.num(p.points),
                                              ui.num(p.max_points))
    return line


def text_report(graded, verbose=True):
    lines = ["== %s  (%s)" % (graded.submission.name,
                              graded.submission.path)]
    for es in graded.exercises:
        lines.append(exercise_line(es))
        if not verbose:
            continue
        if es.note.startswith("not submitted"):
            if "(" in es.note:  # something was there but refused
                lines.append("      note: " + es.note)
            continue
        if not es.built and es.note:
            lines += ["      " + l for l in es.note.splitlines()[:8]]
        elif es.note:
            lines.append("      note: " + es.note)
        for c in es.cases + es.hidden:
            if not c.passed:
                first = [l for l in (c.message or c.status).strip(
                ).splitlines() if not re.fullmatch(
                    r"\(\w+_test\.cc line \d+\)", l.strip())]
                if es.built:
                    lines.append("      %s %s: %s" % (
                        "x", c.name, first[0][:110] if first else ""))
    for w in graded.warnings:
        lines.append("  look at: " + w)
    lines.append("Score: %s/%s  (%.0f s)" % (ui.num(graded.score),
                                             ui.num(graded.max_score),
                                             graded.seconds))
    return "\n".join(lines)


def results_json(graded, hidden_visibility=_HIDDEN):
    """Gradescope's results.json for one graded submission, as a dict."""
    tests = []
    for es in graded.exercises:
        ex = es.exercise
        for hidden, cases in ((False, es.cases), (True, es.hidden)):
            for c in cases:
                got, worth = es.case_points(c, hidden=hidden)
                tests.append({
                    "name": "%s %s%s: %s" % (ex.id, ex.title, " (hidden)"
                                             if hidden else "", c.name),
                    "score": ui.num(got),
                    "max_score": ui.num(worth),
                    "status": "passed" if c.passed else "failed",
                    "output": "" if c.passed else (c.message or c.status),
                    "visibility": hidden_visibility if hidden else _VISIBLE,
                })
        if es.graded_on_speed:
            p = es.performance
            tests.append({
                "name": "%s %s: speed" % (ex.id, ex.title),
                "score": ui.num(p.points if p else 0),
                "max_score": ui.num(ex.performance.points),
                "status": ("passed" if p and p.points >=
                           ex.performance.points else "failed"),
                "output": (scoring.format_performance(p) if p and p.rows
                           else (p.note if p else "not measured")),
                "visibility": _VISIBLE,
            })
    out = {
        "score": ui.num(graded.score),
        "execution_time": int(round(graded.seconds)),
        "output": summary_output(graded),
        "visibility": _VISIBLE,
        "stdout_visibility": _HIDDEN,
        "tests": tests,
    }
    board = [{"name": "%s speed index" % es.exercise.id,
              "value": round(es.performance.index, 3)}
             for es in graded.exercises
             if es.performance is not None and es.performance.index]
    if board:
        out["leaderboard"] = board
    return out


def summary_output(graded):
    lines = []
    for es in graded.exercises:
        lines.append(exercise_line(es))
        if not es.built and es.note:
            lines.append("    " + es.note.splitlines()[0] if
                         es.note.startswith("not submitted") else
                         "    does not compile:\n" + "\n".join(
                             "      " + l for l in es.note.splitlines()))
        elif es.note:
            lines.append("    note: " + es.note)
    return "\n".join(lines)


def write_json(path, data):
    files.write_atomically(path, json.dumps(data, indent=2) + "\n")


def write_json_reports(where, graded):
    """Gradescope's results.json for each graded submission: `where` is
    the file (one submission) or a directory (NAME.json each)."""
    for result in graded:
        path = (os.path.join(where, result.submission.name + ".json")
                if os.path.isdir(where) else where)
        write_json(path, results_json(result))


def write_csv(path, graded):
    files.write_atomically(path, class_csv(graded))


def one_line(graded):
    """A submission's score on one line (`--quiet`)."""
    return "%-30s %s/%s  (%.0f s)" % (graded.submission.name,
                                      ui.num(graded.score),
                                      ui.num(graded.max_score),
                                      graded.seconds)


def class_csv(graded_list):
    """One row per submission: name, score, max, then each exercise's
    points (and, where speed is graded, its speed points and index), then
    notes."""
    if not graded_list:
        return ""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    first = graded_list[0].exercises
    header = ["submission", "score", "max_score"]
    for es in first:
        header.append(es.exercise.dir)
        if es.graded_on_speed:
            header += [es.exercise.dir + " speed",
                       es.exercise.dir + " speed index"]
    header.append("look at")
    w.writerow(header)
    for g in graded_list:
        row = [g.submission.name, ui.num(g.score), ui.num(g.max_score)]
        for es in g.exercises:
            row.append(ui.num(es.correctness_score))
            if es.graded_on_speed:
                p = es.performance
                row.append(ui.num(p.points) if p else 0)
                row.append("" if p is None or p.index is None else
                           round(p.index, 3))
        row.append("; ".join(g.warnings))
        w.writerow(row)
    return buf.getvalue()
