"""What the learner's commands show: the status screen, the list, one
exercise's run, the first failure in a few lines."""

import re
import time

from . import results
from . import ui
from .lang import T
from .progress import speed_records


def first_build(count, log):
    """What the first run in a checkout says before it starts."""
    return T("course: building and running the tests of {n} exercise{s}; "
             "the first time this takes a few minutes (Bazel's output: "
             "{log})",
             "course：正在构建并运行 {n} 个练习的测试；第一次需要几分钟"
             "（Bazel 的输出：{log}）",
             n=count, s="" if count == 1 else "s", log=log)


def running_line(case, seconds, limit):
    """The live line while a test case runs (None: no case is running)."""
    if case is None:
        return ""
    return T("  running {case}: {seconds} s (stopped at {limit} s)",
             "  正在运行 {case}：{seconds} 秒（{limit} 秒时停止）",
             case=case, seconds=int(seconds), limit=limit)


def all_pass():
    return T("Every exercise passes. Well done!", "所有练习都通过了，做得好！")

# At most this many lines of a compiler's error in watch, so that with the
# heading above it and the footer below, a build failure fits in 10 lines.
COMPILE_ERROR_LINES = 8


def checking(ex):
    return T("{time} checking {id} {title} ...",
             "{time} 正在检查 {id} {title} ……",
             time=time.strftime("%H:%M:%S"), id=ex.id, title=ex.title)


def passes(run, style):
    """An exercise passes: say so, and, when speed earns points, how to
    measure it."""
    ex = run.exercise
    text = T("{ok} {name} passes ({passed}/{total}).",
             "{ok} {name} 通过了（{passed}/{total}）。", ok=style.ok,
             name=style.bold("%s %s" % (ex.id, ex.title)),
             passed=run.passed, total=run.total)
    note = speed_note(ex)
    return text + ("\n  " + note if note else "")


def speed_note(ex):
    """What to run next when a passing exercise also has speed points."""
    perf = ex.performance
    if perf is None or not perf.scored:
        return ""
    return T("Speed earns up to {points} more points here: ./course bench "
             "{id} times your code against the reference (about a minute).",
             "这里速度最多还能再得 {points} 分：./course bench {id} "
             "把你的代码与参考答案比速度（约一分钟）。",
             points=ui.num(perf.points), id=ex.id)


def watch_footer(run, files):
    """The line under a failure in watch: where it stands, what to do."""
    if not run.built:
        where = T("It does not build.", "无法构建。")
    elif run.total == 0:
        where = T("No test ran.", "没有测试运行。")
    else:
        where = T("{passed} of {total} checks pass.",
                  "{total} 项检查通过了 {passed} 项。",
                  passed=run.passed, total=run.total)
    return T("  {where} Edit {files} and save; h: hint, r: rerun, q: quit",
             "  {where}修改 {files} 并保存；h：提示，r：重新运行，q：退出",
             where=where, files=", ".join(files))


def compile_error_note(error):
    """Where a pool::Pool static_assert's message is explained in Chinese
    (the message itself stays English, as the C++ API); "" for English
    readers and other errors."""
    if "static assertion failed: pool:" not in error:
        return ""
    return T("", "\n  （这条 static_assert 消息的中文解释："
                 "pool/compile_errors.zh-CN.md）")


def describe_failure(run, style, max_lines=12):
    """What to fix first in one exercise, in a few lines."""
    if not run.built:
        return T("{bad} {name} does not build:\n{error}",
                 "{bad} {name} 无法构建：\n{error}", bad=style.bad,
                 name=style.bold("%s %s" % (run.exercise.id,
                                            run.exercise.title)),
                 error=ui.indent(ui.shorten(run.compile_error,
                                            COMPILE_ERROR_LINES), "  ")) + \
            compile_error_note(run.compile_error)
    c = run.first_failure()
    if c is None:
        if run.problem:
            return run.problem
        return T("no test ran", "没有测试运行")
    text = first_block(_tidy(c.message or c.status))
    return "%s %s\n%s" % (style.bad, style.bold(c.name),
                          ui.indent(ui.shorten(text, max_lines)))


def first_block(message):
    """The first of a case's failures (gtest reports each failed check of
    a case in a block of its own, separated by a blank line): what to fix
    first, on one screen."""
    blocks = [b for b in message.strip().split("\n\n") if b.strip()]
    if len(blocks) <= 1:
        return message.strip()
    return blocks[0] + "\n" + T(
        "(and {n} more failed check{s} in this case: ./course run shows "
        "them)", "(这个用例还有 {n} 项检查失败：./course run 会显示)",
        n=len(blocks) - 1, s="" if len(blocks) == 2 else "s")


def _tidy(message):
    return results.tidy_failure(message)


def next_exercise(exercises, runs):
    for ex in exercises:
        r = runs.get(ex.dir)
        if r is None or not r.solved:
            return ex
    return None


def tracks_of(exercises):
    """[(track, [exercise, ...])] in the order the exercises come."""
    out = []
    for ex in exercises:
        if not out or out[-1][0] != ex.track:
            out.append((ex.track, []))
        out[-1][1].append(ex)
    return out


def exercise_row(ex, run, speed, style, here=False):
    """One exercise's line: mark, id, title, checks passed, speed."""
    if run.solved:
        mark, tests = style.ok, "%d/%d" % (run.passed, run.total)
    elif not run.built:
        mark, tests = style.bad, T("does not compile", "无法编译")
    else:
        mark, tests = style.bad, "%d/%d" % (run.passed, run.total)
    line = "  %s %-4s %s %s" % (mark, ex.id, ui.pad(ui.cut(ex.title, 26),
                                                     26), ui.pad(tests, 7))
    if ex.performance is not None:
        line += " " + speed_cell(ex, speed, run.solved)
    if here:
        line += "  " + style.yellow(T("{arrow} next", "{arrow} 下一个",
                                      arrow=style.arrow))
    return line.rstrip()


def speed_cell(ex, record, solved):
    """The speed column: the index `./course bench` last measured on the
    exercise's current files, or how to measure it once it is solved."""
    if record is None:
        if solved:
            return T("speed: ./course bench", "速度：./course bench")
        return (T("+ speed points", "+ 速度分") if ex.performance.scored
                else "")
    if record.get("index") is None:
        return T("speed: -", "速度：-")
    text = T("speed {index:.2f}", "速度 {index:.2f}",
             index=min(record["index"], 1.0))
    if ex.performance.scored:
        text += " (%s/%s)" % (ui.num(record["points"]),
                              ui.num(ex.performance.points))
    else:
        text += T(" (not scored)", "（不计分）")
    return text


def track_name(track):
    """A track's name (catalog.TRACKS) in the reader's language."""
    names = {
        "Using a pool": lambda: T("Using a pool", "使用进程池"),
        "Build your own pool": lambda: T("Build your own pool",
                                         "自己动手写进程池"),
        "Beyond one machine": lambda: T("Beyond one machine",
                                        "走出一台机器"),
    }
    return names[track]() if track in names else track


def track_progress(exs, runs, style):
    """How far a track is, in a few words."""
    solved = sum(1 for ex in exs if runs[ex.dir].solved)
    if solved == len(exs):
        return T("{ok} all {n} solved", "{ok} {n} 个全部完成", ok=style.ok,
                 n=len(exs))
    if not any(runs[ex.dir].passed for ex in exs):
        return T("not started: {n} exercise{s}", "未开始：{n} 个练习",
                 n=len(exs), s="" if len(exs) == 1 else "s")
    return T("{solved} of {n} solved", "{n} 个完成了 {solved} 个",
             solved=solved, n=len(exs))


def title_line(exercises, runs, style):
    solved = sum(1 for ex in exercises if runs[ex.dir].solved)
    return (style.bold(T("Process pools in C++: exercises",
                         "C++ 进程池：练习")) + "  " +
            ui.progress_bar(solved, len(exercises), 24, style.unicode) +
            T(" solved", " 已完成"))


def render_status(exercises, runs, state, style):
    """The one screen `./course` shows: progress, the current track in
    full, every other track on one line, and the next exercise with its
    first failing check and what to type. Fits a 24-line terminal."""
    lines = [title_line(exercises, runs, style)]
    nxt = next_exercise(exercises, runs)
    speeds = speed_records(exercises, state)
    for track, exs in tracks_of(exercises):
        if nxt is None or nxt not in exs:
            done = all(runs[ex.dir].solved for ex in exs)
            lines.append("%s %s%s" % (
                ui.pad(track_name(track), 22),
                track_progress(exs, runs, style),
                "" if done else "   (./course list)"))
            continue
        lines.append(style.bold(ui.pad(track_name(track), 22)) + " " +
                     track_progress(exs, runs, style))
        for ex in exs:
            lines.append(exercise_row(ex, runs[ex.dir], speeds.get(ex.id),
                                      style, here=ex is nxt))
    if nxt is None:
        lines.append("")
        lines.append(style.green(all_pass()))
        if any(ex.performance for ex in exercises):
            lines.append(T("Your speed beside the reference's: ./course "
                           "bench ID; every exercise: ./course list",
                           "你的速度与参考答案的对比：./course bench ID；"
                           "所有练习：./course list"))
        return "\n".join(lines)
    lines.append(style.bold(style.yellow(T(
        "Next: {id} {title}", "下一个：{id} {title}", id=nxt.id,
        title=nxt.title))) + (T("   lesson: {lesson}/", "   课：{lesson}/",
                                lesson=nxt.lesson) if nxt.lesson else ""))
    lines.append(brief_failure(runs[nxt.dir], style))
    lines.append(T("  edit {files}", "  修改 {files}", files=", ".join(
        nxt.path + "/" + f for f in nxt.files)))
    shown = state.hints_shown(nxt.id)
    lines.append(T("  ./course watch: rerun on every save   ./course hint "
                   "{id}: a hint ({shown} of {total} seen)",
                   "  ./course watch：保存即重新运行   ./course hint "
                   "{id}：提示（已看 {shown}/{total} 条）",
                   id=nxt.id, shown=shown, total=len(nxt.hints)))
    return "\n".join(lines)


def render_list(exercises, runs, state, style):
    """`./course list`: every exercise of every track, with its checks and
    its speed."""
    lines = [title_line(exercises, runs, style)]
    nxt = next_exercise(exercises, runs)
    speeds = speed_records(exercises, state)
    for track, exs in tracks_of(exercises):
        lines.append("")
        lines.append(style.bold(track_name(track)) + "   " + track_progress(
            exs, runs, style))
        for ex in exs:
            lines.append(exercise_row(ex, runs[ex.dir], speeds.get(ex.id),
                                      style, here=ex is nxt))
    lines.append("")
    if nxt is None:
        lines.append(style.green(all_pass()))
    else:
        lines.append(T("Next: {id} {title}   (./course shows its first "
                       "failing check)",
                       "下一个：{id} {title}   （./course 显示它第一项失败的"
                       "检查）", id=nxt.id, title=nxt.title))
    if any(ex.performance for ex in exercises):
        lines.append(T("speed: the index ./course bench ID measured on "
                       "your files (1.00: the reference's)",
                       "速度：./course bench ID 在你的文件上测得的性能指数"
                       "（1.00：与参考答案一样快）"))
    return "\n".join(lines)


def brief_failure(run, style, max_lines=3, width=76):
    """What fails first in an exercise, in at most max_lines lines: the
    case and the test's own explanation (gtest's restating of the check
    left out), or the compiler's first error. When something is left out,
    the first line says where to see all of it."""
    ex = run.exercise
    if not run.built:
        head = T("{path} does not compile:", "{path} 无法编译：",
                 path=ex.path)
        said = run.compile_error.strip().splitlines() or [
            T("(no message)", "（没有消息）")]
    else:
        c = run.first_failure()
        if c is None:
            return "  " + (run.problem or T("no test ran", "没有测试运行"))
        # Without first_block's note of the case's other failed checks.
        block = _MORE_CHECKS.split(first_block(_tidy(c.message or
                                                     c.status)))[0]
        lines = [l for l in block.splitlines() if l.strip()]
        # gtest restates a failed check in indented lines and lines of its
        # own; the rest is the test's explanation.
        said = [l.strip() for l in lines if not l.startswith(" ") and
                not _GTEST_LINE.match(l)] or [l.strip() for l in lines]
        head = style.bold(c.name)
        failing = len(run.cases) - run.passed
        if failing > 1:
            head += T(" (and {n} more failing)", "（另有 {n} 项失败）",
                      n=failing - 1)
    body = []
    for line in said:
        body += ui.fill(line, width - 6)
    if len(body) > max_lines - 1:
        body = body[:max_lines - 1]
        body[-1] = ui.cut(body[-1], width - 10) + " ..."
        head += T("   ./course run {id}: all of it",
                  "   ./course run {id}：查看全部", id=ex.id)
    return "\n".join(["  %s %s" % (style.bad, head)] +
                     ["      " + l for l in body])


# The start of first_block's note, in either language.
_MORE_CHECKS = re.compile(r"\n\((?:and |这个用例还有)")

# gtest's own lines in a failure: where, and the check restated.
_GTEST_LINE = re.compile(r"^\((\w+_test\.cc) (?:line \d+|第 \d+ 行)\)$|"
                         r"^Expected|^Value of|"
                         r"^Which is|^  Actual|^Actual|^Failed$|^With diff")


def render_run(run, style):
    """Every case of one exercise, and the first failure in full."""
    ex = run.exercise
    head = "%s %s" % (ex.id, ex.title)
    if not run.built:
        return T("{bad} {name}: does not build\n{error}",
                 "{bad} {name}：无法构建\n{error}", bad=style.bad,
                 name=style.bold(head),
                 error=ui.indent(ui.shorten(run.compile_error, 20))) + \
            compile_error_note(run.compile_error)
    lines = [T("{mark} {name}: {passed} of {total} checks pass",
               "{mark} {name}：{total} 项检查通过了 {passed} 项",
               mark=style.ok if run.solved else style.bad,
               name=style.bold(head), passed=run.passed, total=run.total)]
    for c in run.cases:
        lines.append("  %s %s" % (style.ok if c.passed else style.bad,
                                  c.name))
    if run.problem:
        lines.append("")
        lines.append(ui.wrap(run.problem, "  "))
    first = run.first_failure()
    if first is not None and first.message:
        lines.append("")
        lines.append(style.bold(T("First failing check: {name}",
                                  "第一项失败的检查：{name}",
                                  name=first.name)))
        lines.append(ui.indent(ui.shorten(_tidy(first.message), 25)))
    return "\n".join(lines)

