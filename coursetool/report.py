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


# What the reports say, in one place.
_NOT_SUBMITTED = "not submitted"
_STATUS = {
    "passed": "passed",
    "failed": "failed %d of %d",
    "no build": "did not build",
    "timed out": "timed out",
    "not submitted": _NOT_SUBMITTED,
}
_HEADER = "id   exercise                   status             cases    points"
_SPEED_HEADER = "        speed"
_LEGEND = """\
How to read the tables below:
  status   passed; failed N of M (test cases); did not build (the
           compiler's first error follows); timed out (a case ran past
           its time limit: a hang); not submitted (none of its files)
  cases    test cases passed / listed (from the reference's own tests)
  points   points earned / points possible; a case is worth 1 unless the
           exercise's [weights] say otherwise; hidden tests included
  speed    the speed index (the reference's time / the submission's:
           1.00 is as fast as the reference) and the speed points, only
           given when every case passes
  x NAME   cases that failed, and why (cases failing alike share a
           line; at most 4 lines per exercise)
  look at  a submitted file doing something a correct exercise never
           needs (calls exit, opens files, prints test-result lines...):
           read it before you trust its marks; it costs no points
Every submission ends with its score; the last lines sum up the class."""
_WIDTH = 100  # columns of the text report (reasons wrap to it)
_MAX_FAILURES = 4  # reasons shown per exercise; results.json has them all
_REASON_LINES = 6  # lines of each reason shown
_MORE_FAILURES = "      x ... %d more failed (every reason is in results.json)"


def legend():
    """What the text report's columns mean, printed once before it."""
    return _LEGEND


def not_submitted(es):
    return es.note.startswith(_NOT_SUBMITTED)


def timed_out(es):
    return any(getattr(c, "timed_out", False) for c in es.cases + es.hidden)


def _status_key(es):
    if not_submitted(es):
        return "not submitted"
    if not es.built:
        return "no build"
    if timed_out(es):
        return "timed out"
    return "passed" if es.all_passed else "failed"


def exercise_status(es):
    """The exercise's status in words: passed, failed N of M, did not
    build, timed out or not submitted."""
    key = _status_key(es)
    if key != "failed":
        return _STATUS[key]
    cases = es.cases + es.hidden
    return _STATUS["failed"] % (sum(1 for c in cases if not c.passed),
                                len(cases))


def speed_column(es):
    if not es.graded_on_speed:
        return ""
    p = es.performance
    if p is None or p.index is None:
        return "-"
    return "%.2f: %s/%s" % (p.shown_index, ui.num(p.points),
                            ui.num(p.max_points))


def exercise_line(es):
    ex = es.exercise
    c = sum(1 for x in es.cases if x.passed)
    line = "%-4s %-26s %-18s %3d/%-3d  %6s/%-4s" % (
        ex.id, ex.title[:26], exercise_status(es), c, len(es.cases),
        ui.num(es.correctness_score), ui.num(es.correctness_max))
    speed = speed_column(es)
    if speed:
        line += "   " + speed
    return line.rstrip()


def _wrapped(text, prefix, first=None):
    """text wrapped at _WIDTH columns between words (a word longer than a
    line is left whole), each line after the first indented by prefix."""
    import textwrap
    lead = text[:len(text) - len(text.lstrip())]
    first = (first if first is not None else prefix) + lead
    return textwrap.fill(" ".join(text.split()), _WIDTH,
                         initial_indent=first, subsequent_indent=prefix +
                         lead,
                         break_long_words=False, break_on_hyphens=False)


def _reason(c):
    """A failed case's reason, its lines kept (a gtest message is laid out
    in lines), without the test file's own line numbers."""
    return "\n".join(l.rstrip() for l in (c.message or c.status).strip(
    ).splitlines() if l.strip() and not re.fullmatch(
        r"\(\w+_test\.cc line \d+\)", l.strip()))


def _failure_lines(names, why):
    """A failed case (or cases failing alike) and its reason: each line of
    the reason wrapped on its own, at most _REASON_LINES of them."""
    first = "      x %s: " % ", ".join(names)
    out, rest = [], why.splitlines() or [""]
    for i, line in enumerate(rest[:_REASON_LINES]):
        out.append(_wrapped(line, "          ", first if i == 0 else None))
    if len(rest) > _REASON_LINES:
        out.append("          ...")
    return out


def header(graded):
    """The table's column names (speed only where it is graded)."""
    speed = any(es.graded_on_speed for es in graded.exercises)
    return _HEADER + (_SPEED_HEADER if speed else "")


def failures(cases):
    """[(names, reason)] of the failed cases, cases failing for the same
    reason together (three cases stopped by one hang are one line)."""
    out = []
    for c in cases:
        if c.passed:
            continue
        why = _reason(c)
        for names, other in out:
            if other == why:
                names.append(c.name)
                break
        else:
            out.append(([c.name], why))
    return out


def text_report(graded, verbose=True):
    lines = ["== %s  (%s)" % (graded.submission.name,
                              graded.submission.path), header(graded)]
    for note in graded.notes:
        lines.append(_wrapped(note, "      ", "   note: "))
    for es in graded.exercises:
        lines.append(exercise_line(es))
        if not verbose:
            continue
        if not_submitted(es):
            if "(" in es.note:  # something was there but refused
                lines.append(_wrapped(es.note, "            ",
                                      "      note: "))
            continue
        if not es.built and es.note:
            lines += ["      " + l for l in es.note.splitlines()[:8]]
        elif es.note:
            lines.append(_wrapped(es.note, "            ", "      note: "))
        if es.built:
            failed = failures(es.cases + es.hidden)
            for names, why in failed[:_MAX_FAILURES]:
                lines += _failure_lines(names, why)
            if len(failed) > _MAX_FAILURES:
                lines.append(_MORE_FAILURES % sum(
                    len(n) for n, _ in failed[_MAX_FAILURES:]))
    for w in graded.warnings:
        lines.append(_wrapped(w, "           ", "  look at: "))
    lines.append("Score: %s/%s  (%.0f s)" % (ui.num(graded.score),
                                             ui.num(graded.max_score),
                                             graded.seconds))
    return "\n".join(lines)


def summary_counts(graded):
    """How many of a submission's exercises are in each status, in words:
    "2 passed, 1 failed, 1 did not build"."""
    counts = {}
    for es in graded.exercises:
        key = _status_key(es)
        counts[key] = counts.get(key, 0) + 1
    return ", ".join("%d %s" % (counts[k], _STATUS[k].split(" %")[0])
                     for k in _STATUS if k in counts)


def class_summary(graded_list):
    """One line per submission, for the end of a class's report."""
    if not graded_list:
        return ""
    width = max(len(g.submission.name) for g in graded_list)
    lines = ["== summary: %d submission%s" % (
        len(graded_list), "" if len(graded_list) == 1 else "s")]
    for g in graded_list:
        lines.append("%-*s %6s/%-4s %s%s" % (
            width, g.submission.name, ui.num(g.score), ui.num(g.max_score),
            summary_counts(g),
            "; look at %d file%s" % (len(g.warnings), "" if len(
                g.warnings) == 1 else "s") if g.warnings else ""))
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
    lines = list(graded.notes) + [header(graded)]
    for es in graded.exercises:
        lines.append(exercise_line(es))
        if not es.built and es.note:
            lines.append("    " + es.note.splitlines()[0] if
                         not_submitted(es) else
                         "    does not compile:\n" + "\n".join(
                             "      " + l for l in es.note.splitlines()))
        elif es.note:
            lines.append("    note: " + es.note)
    return "\n".join(lines)


def write_json(path, data):
    files.write_atomically(path, json.dumps(data, indent=2) + "\n")


def json_goes_to_directory(where, count):
    """Whether --json WHERE names a directory (NAME.json per submission):
    one that exists, a path ending in "/", or, when several submissions
    are graded, a path that does not exist and does not end in ".json".
    Otherwise it is the one results.json."""
    return (os.path.isdir(where) or where.endswith(os.sep) or
            (count > 1 and not os.path.exists(where) and
             not where.endswith(".json")))


def write_json_reports(where, graded, count=None):
    """Gradescope's results.json for each graded submission: `where` is
    the file (one submission) or a directory (NAME.json each, made if it
    does not exist); see json_goes_to_directory."""
    into_dir = json_goes_to_directory(where, count or len(graded))
    if into_dir:
        os.makedirs(where, exist_ok=True)
    for result in graded:
        path = (os.path.join(where, result.submission.name + ".json")
                if into_dir else where)
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
    points and status (passed, failed N of M, did not build, timed out,
    not submitted) and, where speed is graded, its speed points and
    index, then anything to look at."""
    if not graded_list:
        return ""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    first = graded_list[0].exercises
    header = ["submission", "score", "max_score"]
    for es in first:
        header += [es.exercise.dir, es.exercise.dir + " status"]
        if es.graded_on_speed:
            header += [es.exercise.dir + " speed",
                       es.exercise.dir + " speed index"]
    header.append("look at")
    w.writerow(header)
    for g in graded_list:
        row = [g.submission.name, ui.num(g.score), ui.num(g.max_score)]
        for es in g.exercises:
            row += [ui.num(es.correctness_score), exercise_status(es)]
            if es.graded_on_speed:
                p = es.performance
                row.append(ui.num(p.points) if p else 0)
                row.append("" if p is None or p.index is None else
                           round(p.index, 3))
        row.append("; ".join(g.warnings))
        w.writerow(row)
    return buf.getvalue()
