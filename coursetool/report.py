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
from .lang import T

_VISIBLE = "visible"
_HIDDEN = "hidden"


# The statuses, as the CSV writes them (stable English values; the text
# report says them in the reader's language, shown_status).
_NOT_SUBMITTED = "not submitted"
_STATUS = {
    "passed": "passed",
    "failed": "failed %d of %d",
    "no build": "did not build",
    "timed out": "timed out",
    "not submitted": _NOT_SUBMITTED,
}


def _shown_statuses():
    return {
        "passed": T("passed", "通过"),
        "failed": T("failed {failed} of {total}", "失败 {failed}/{total}"),
        "no build": T("did not build", "无法构建"),
        "timed out": T("timed out", "超时"),
        "not submitted": T("not submitted", "未提交"),
    }


def header_line(speed):
    """The table's column names, padded by display width to the columns
    of exercise_line."""
    line = " ".join([ui.pad(T("id", "编号"), 4),
                     ui.pad(T("exercise", "练习"), 26),
                     ui.pad(T("status", "状态"), 18),
                     ui.pad(T("cases", "用例"), 8), T("points", "得分")])
    return line + ("        " + T("speed", "速度") if speed else "")


def _legend():
    return T("""\
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
Every submission ends with its score; the last lines sum up the class.""",
             """\
下面的表格怎么读：
  状态     通过；失败 N/M（M 个测试用例中 N 个失败）；无法构建（后面是编译器
           的第一个错误）；超时（有用例超过了时间限制：挂起）；未提交（它的
           文件一个都没有）
  用例     通过的测试用例数 / 列出的数目（来自参考答案自己的测试）
  得分     得到的分数 / 可得的分数；每个用例 1 分，除非练习的 [weights] 另有
           规定；包括隐藏测试
  速度     性能指数（参考答案的时间 / 作业的时间：1.00 即与参考答案一样快）
           和速度分，只在所有用例都通过时才给
  x 名称   失败的用例及原因（原因相同的用例共用一行；每个练习最多 4 行）
  值得一看 提交的文件做了正确的练习从来不需要做的事（调用 exit、打开文件、
           打印测试结果行……）：相信它的分数之前先读一读；这不扣分
每份作业最后是它的总分；最后几行是全班的汇总。""")


_WIDTH = 100  # columns of the text report (reasons wrap to it)
_MAX_FAILURES = 4  # reasons shown per exercise; results.json has them all
_REASON_LINES = 6  # lines of each reason shown


def legend():
    """What the text report's columns mean, printed once before it."""
    return _legend()


def not_submitted(es):
    # grader.py's note, in either language (T("not submitted: ...",
    # "未提交：...")).
    return es.note.startswith((_NOT_SUBMITTED, "未提交"))


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


def shown_status(es):
    """exercise_status in the reader's language."""
    key = _status_key(es)
    cases = es.cases + es.hidden
    return _shown_statuses()[key].format(
        failed=sum(1 for c in cases if not c.passed), total=len(cases))


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
    line = "%s %s %s %3d/%-3d  %6s/%-4s" % (
        ui.pad(ex.id, 4), ui.pad(ui.cut(ex.title, 26), 26),
        ui.pad(shown_status(es), 18), c, len(es.cases),
        ui.num(es.correctness_score), ui.num(es.correctness_max))
    speed = speed_column(es)
    if speed:
        line += "   " + speed
    return line.rstrip()


def _wrapped(text, prefix, first=None):
    """text wrapped at _WIDTH columns, by display width, between words
    (a word longer than a line is left whole) or Chinese characters, each
    line after the first indented by prefix."""
    lead = text[:len(text) - len(text.lstrip())]
    first = (first if first is not None else prefix) + lead
    return "\n".join(ui.fill(text, _WIDTH, first, prefix + lead,
                             cut_long=False))


def _reason(c):
    """A failed case's reason, its lines kept (a gtest message is laid out
    in lines), without the test file's own line numbers."""
    return "\n".join(l.rstrip() for l in (c.message or c.status).strip(
    ).splitlines() if l.strip() and not re.fullmatch(
        r"\(\w+_test\.cc (?:line \d+|第 \d+ 行)\)", l.strip()))


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
    return header_line(any(es.graded_on_speed for es in graded.exercises))


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
        lines.append(_wrapped(note, "      ", T("   note: ", "   注意：")))
    for es in graded.exercises:
        lines.append(exercise_line(es))
        if not verbose:
            continue
        if not_submitted(es):
            if "(" in es.note:  # something was there but refused
                lines.append(_wrapped(es.note, "            ",
                                      T("      note: ", "      注意：")))
            continue
        if not es.built and es.note:
            lines += ["      " + l for l in es.note.splitlines()[:8]]
        elif es.note:
            lines.append(_wrapped(es.note, "            ",
                                  T("      note: ", "      注意：")))
        if es.built:
            failed = failures(es.cases + es.hidden)
            for names, why in failed[:_MAX_FAILURES]:
                lines += _failure_lines(names, why)
            if len(failed) > _MAX_FAILURES:
                lines.append(T(
                    "      x ... {n} more failed (every reason is in "
                    "results.json)",
                    "      x ……另有 {n} 个失败（所有原因都在 results.json "
                    "中）", n=sum(len(n) for n, _ in failed[_MAX_FAILURES:])))
    for w in graded.warnings:
        lines.append(_wrapped(w, "           ", T("  look at: ",
                                                  "  值得一看：")))
    lines.append(T("Score: {score}/{max}  ({seconds:.0f} s)",
                   "总分：{score}/{max}  （{seconds:.0f} 秒）",
                   score=ui.num(graded.score), max=ui.num(graded.max_score),
                   seconds=graded.seconds))
    return "\n".join(lines)


def summary_counts(graded):
    """How many of a submission's exercises are in each status, in words:
    "2 passed, 1 failed, 1 did not build"."""
    counts = {}
    for es in graded.exercises:
        key = _status_key(es)
        counts[key] = counts.get(key, 0) + 1
    words = {
        "passed": T("{n} passed", "{n} 个通过"),
        "failed": T("{n} failed", "{n} 个失败"),
        "no build": T("{n} did not build", "{n} 个无法构建"),
        "timed out": T("{n} timed out", "{n} 个超时"),
        "not submitted": T("{n} not submitted", "{n} 个未提交"),
    }
    return T(", ", "，").join(words[k].format(n=counts[k])
                             for k in _STATUS if k in counts)


def class_summary(graded_list):
    """One line per submission, for the end of a class's report."""
    if not graded_list:
        return ""
    width = max(ui.columns(g.submission.name) for g in graded_list)
    lines = [T("== summary: {n} submission{s}", "== 汇总：{n} 份作业",
               n=len(graded_list), s="" if len(graded_list) == 1 else "s")]
    for g in graded_list:
        lines.append("%s %6s/%-4s %s%s" % (
            ui.pad(g.submission.name, width), ui.num(g.score),
            ui.num(g.max_score), summary_counts(g),
            T("; look at {n} file{s}", "；有 {n} 个文件值得一看",
              n=len(g.warnings), s="" if len(g.warnings) == 1 else "s")
            if g.warnings else ""))
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
                    "name": "%s %s%s: %s" % (ex.id, ex.title_en, " (hidden)"
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
                "name": "%s %s: speed" % (ex.id, ex.title_en),
                "score": ui.num(p.points if p else 0),
                "max_score": ui.num(ex.performance.points),
                "status": ("passed" if p and p.points >=
                           ex.performance.points else "failed"),
                "output": (scoring.format_performance(p) if p and p.rows
                           else (p.note if p else T("not measured",
                                                    "没有测量"))),
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
                         T("    does not compile:\n",
                           "    无法编译：\n") + "\n".join(
                             "      " + l for l in es.note.splitlines()))
        elif es.note:
            lines.append(T("    note: ", "    注意：") + es.note)
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
    return "%s %s/%s  %s" % (ui.pad(graded.submission.name, 30),
                             ui.num(graded.score), ui.num(graded.max_score),
                             T("({seconds:.0f} s)", "（{seconds:.0f} 秒）",
                               seconds=graded.seconds))


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
