"""What the learner's commands show: the status screen, the list, one
exercise's run, the first failure in a few lines."""

import re
import textwrap
import time

from . import results
from . import ui
from .progress import speed_records


def first_build(count, log):
    """What the first run in a checkout says before it starts."""
    return ("course: building and running the tests of %d exercise%s; the "
            "first time this takes a few minutes (Bazel's output: %s)" % (
                count, "" if count == 1 else "s", log))


def running_line(case, seconds, limit):
    """The live line while a test case runs (None: no case is running)."""
    if case is None:
        return ""
    return "  running %s: %d s (stopped at %d s)" % (case, seconds, limit)


ALL_PASS = "Every exercise passes. Well done!"

# At most this many lines of a compiler's error in watch, so that with the
# heading above it and the footer below, a build failure fits in 10 lines.
COMPILE_ERROR_LINES = 8


def checking(ex):
    return "%s checking %s %s ..." % (time.strftime("%H:%M:%S"), ex.id,
                                      ex.title)


def passes(run, style):
    """An exercise passes: say so, and, when speed earns points, how to
    measure it."""
    ex = run.exercise
    text = "%s %s passes (%d/%d)." % (style.ok, style.bold(
        "%s %s" % (ex.id, ex.title)), run.passed, run.total)
    note = speed_note(ex)
    return text + ("\n  " + note if note else "")


def speed_note(ex):
    """What to run next when a passing exercise also has speed points."""
    perf = ex.performance
    if perf is None or not perf.scored:
        return ""
    return ("Speed earns up to %s more points here: ./course bench %s times "
            "your code against the reference (about a minute)." % (
                ui.num(perf.points), ex.id))


def watch_footer(run, files):
    """The line under a failure in watch: where it stands, what to do."""
    if not run.built:
        where = "It does not build."
    elif run.total == 0:
        where = "No test ran."
    else:
        where = "%d of %d checks pass." % (run.passed, run.total)
    return "  %s Edit %s and save; h: hint, r: rerun, q: quit" % (
        where, ", ".join(files))


def describe_failure(run, style, max_lines=12):
    """What to fix first in one exercise, in a few lines."""
    if not run.built:
        return "%s %s does not build:\n%s" % (
            style.bad, style.bold("%s %s" % (run.exercise.id,
                                             run.exercise.title)),
            ui.indent(ui.shorten(run.compile_error, COMPILE_ERROR_LINES),
                      "  "))
    c = run.first_failure()
    if c is None:
        if run.problem:
            return run.problem
        return "no test ran"
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
    return blocks[0] + "\n(and %d more failed check%s in this case: " \
        "./course run shows them)" % (len(blocks) - 1,
                                      "" if len(blocks) == 2 else "s")


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
        mark, tests = style.bad, "does not compile"
    else:
        mark, tests = style.bad, "%d/%d" % (run.passed, run.total)
    line = "  %s %-4s %-26s %-7s" % (mark, ex.id, ex.title[:26], tests)
    if ex.performance is not None:
        line += " " + speed_cell(ex, speed, run.solved)
    if here:
        line += "  " + style.yellow("%s next" % style.arrow)
    return line.rstrip()


def speed_cell(ex, record, solved):
    """The speed column: the index `./course bench` last measured on the
    exercise's current files, or how to measure it once it is solved."""
    if record is None:
        if solved:
            return "speed: ./course bench"
        return "+ speed points" if ex.performance.scored else ""
    if record.get("index") is None:
        return "speed: -"
    text = "speed %.2f" % min(record["index"], 1.0)
    if ex.performance.scored:
        text += " (%s/%s)" % (ui.num(record["points"]),
                              ui.num(ex.performance.points))
    else:
        text += " (not scored)"
    return text


def track_progress(exs, runs, style):
    """How far a track is, in a few words."""
    solved = sum(1 for ex in exs if runs[ex.dir].solved)
    if solved == len(exs):
        return "%s all %d solved" % (style.ok, len(exs))
    if not any(runs[ex.dir].passed for ex in exs):
        return "not started: %d exercise%s" % (len(exs), "" if len(exs) == 1
                                                else "s")
    return "%d of %d solved" % (solved, len(exs))


def title_line(exercises, runs, style):
    solved = sum(1 for ex in exercises if runs[ex.dir].solved)
    return (style.bold("Process pools in C++: exercises") + "  " +
            ui.progress_bar(solved, len(exercises), 24, style.unicode) +
            " solved")


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
            lines.append("%-22s %s%s" % (track, track_progress(
                exs, runs, style), "" if done else "   (./course list)"))
            continue
        lines.append(style.bold("%-22s" % track) + " " + track_progress(
            exs, runs, style))
        for ex in exs:
            lines.append(exercise_row(ex, runs[ex.dir], speeds.get(ex.id),
                                      style, here=ex is nxt))
    if nxt is None:
        lines.append("")
        lines.append(style.green("Every exercise passes. Well done!"))
        if any(ex.performance for ex in exercises):
            lines.append("Your speed beside the reference's: ./course bench "
                         "ID; every exercise: ./course list")
        return "\n".join(lines)
    lines.append(style.bold(style.yellow("Next: %s %s" % (nxt.id,
                                                           nxt.title))) +
                 ("   lesson: %s/" % nxt.lesson if nxt.lesson else ""))
    lines.append(brief_failure(runs[nxt.dir], style))
    lines.append("  edit %s" % ", ".join(nxt.path + "/" + f
                                         for f in nxt.files))
    shown = state.hints_shown(nxt.id)
    lines.append("  ./course watch: rerun on every save   ./course hint "
                 "%s: a hint (%d of %d seen)" % (nxt.id, shown,
                                                 len(nxt.hints)))
    return "\n".join(lines)


def render_list(exercises, runs, state, style):
    """`./course list`: every exercise of every track, with its checks and
    its speed."""
    lines = [title_line(exercises, runs, style)]
    nxt = next_exercise(exercises, runs)
    speeds = speed_records(exercises, state)
    for track, exs in tracks_of(exercises):
        lines.append("")
        lines.append(style.bold(track) + "   " + track_progress(
            exs, runs, style))
        for ex in exs:
            lines.append(exercise_row(ex, runs[ex.dir], speeds.get(ex.id),
                                      style, here=ex is nxt))
    lines.append("")
    if nxt is None:
        lines.append(style.green("Every exercise passes. Well done!"))
    else:
        lines.append("Next: %s %s   (./course shows its first failing "
                     "check)" % (nxt.id, nxt.title))
    if any(ex.performance for ex in exercises):
        lines.append("speed: the index ./course bench ID measured on your "
                     "files (1.00: the reference's)")
    return "\n".join(lines)


def brief_failure(run, style, max_lines=3, width=76):
    """What fails first in an exercise, in at most max_lines lines: the
    case and the test's own explanation (gtest's restating of the check
    left out), or the compiler's first error. When something is left out,
    the first line says where to see all of it."""
    import textwrap
    ex = run.exercise
    if not run.built:
        head = "%s does not compile:" % ex.path
        said = run.compile_error.strip().splitlines() or ["(no message)"]
    else:
        c = run.first_failure()
        if c is None:
            return "  " + (run.problem or "no test ran")
        block = first_block(_tidy(c.message or c.status)).split(
            "\n(and ")[0]
        lines = [l for l in block.splitlines() if l.strip()]
        # gtest restates a failed check in indented lines and lines of its
        # own; the rest is the test's explanation.
        said = [l.strip() for l in lines if not l.startswith(" ") and
                not _GTEST_LINE.match(l)] or [l.strip() for l in lines]
        head = style.bold(c.name)
        failing = len(run.cases) - run.passed
        if failing > 1:
            head += " (and %d more failing)" % (failing - 1)
    body = []
    for line in said:
        body += textwrap.wrap(line, width - 6, break_on_hyphens=False)
    if len(body) > max_lines - 1:
        body = body[:max_lines - 1]
        body[-1] = body[-1][:width - 10] + " ..."
        head += "   ./course run %s: all of it" % ex.id
    return "\n".join(["  %s %s" % (style.bad, head)] +
                     ["      " + l for l in body])


# gtest's own lines in a failure: where, and the check restated.
_GTEST_LINE = re.compile(r"^\((\w+_test\.cc) line \d+\)$|^Expected|^Value of|"
                         r"^Which is|^  Actual|^Actual|^Failed$|^With diff")


def render_run(run, style):
    """Every case of one exercise, and the first failure in full."""
    ex = run.exercise
    head = "%s %s" % (ex.id, ex.title)
    if not run.built:
        return "%s %s: does not build\n%s" % (
            style.bad, style.bold(head),
            ui.indent(ui.shorten(run.compile_error, 20)))
    lines = ["%s %s: %d of %d checks pass" % (
        style.ok if run.solved else style.bad, style.bold(head), run.passed,
        run.total)]
    for c in run.cases:
        lines.append("  %s %s" % (style.ok if c.passed else style.bad,
                                  c.name))
    if run.problem:
        lines.append("")
        lines.append("  " + run.problem)
    first = run.first_failure()
    if first is not None and first.message:
        lines.append("")
        lines.append(style.bold("First failing check: " + first.name))
        lines.append(ui.indent(ui.shorten(_tidy(first.message), 25)))
    return "\n".join(lines)

