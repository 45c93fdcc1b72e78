"""The learner's commands: status, run, verify, watch, hint, reset.

They run the exercise tests in the checkout itself (the learner's own
files), through ./bazelw with Bazel's output kept in .course/ and out of
sight, and show each result in the learner's terms: which check failed and
what it said, or the compiler's first error.
"""

import dataclasses
import datetime
import hashlib
import json
import os
import re
import select
import shutil
import subprocess
import sys
import time

from . import bazel
from . import catalog
from . import results
from . import ui

STATE_DIR = ".course"  # gitignored; progress, logs, backups


# ------------------------------------------------------------ running tests


@dataclasses.dataclass
class Run:
    """One exercise's test run, as the learner sees it."""
    exercise: object
    built: bool = True
    compile_error: str = ""
    cases: list = dataclasses.field(default_factory=list)
    problem: str = ""  # why some cases have no result (crash, hang, ...)

    @property
    def passed(self):
        return sum(1 for c in self.cases if c.passed)

    @property
    def total(self):
        return len(self.cases)

    @property
    def solved(self):
        return self.built and self.total > 0 and self.passed == self.total

    def first_failure(self):
        for c in self.cases:
            if not c.passed:
                return c
        return None


def _exit_code_from_xml(text):
    m = re.search(r"exited with error code (\d+)", text)
    return int(m.group(1)) if m else None


def interpret_test_run(exercise, test_run, listed_cases):
    """A Run from one unsharded test run (bazel.TestRun).

    Verdicts come from the test's XML. When the process ended before
    writing it (exit, abort, crash, hang), every listed case without a
    record fails with the reason, and the log only says which case was
    running at the time."""
    xml = bazel.read_text(test_run.xml)
    log = bazel.read_text(test_run.log)
    recorded = results.parse_junit_xml(xml) if xml else {}
    expected = list(listed_cases) or list(recorded)
    problem = ""
    if any(name not in recorded for name in expected):
        ending = results.describe_ending(test_run.status,
                                         _exit_code_from_xml(xml),
                                         exercise.timeout)
        running = results.running_case(log)
        problem = ending + (" (while %s was running)" % running
                            if running else "")

    def reason(name):
        if name == results.running_case(log):
            return "no result: " + problem
        return ("never ran: the test process had ended before it (%s)" %
                problem)

    cases = results.match_cases(expected, recorded, reason)
    if not cases:
        problem = problem or results.describe_ending(
            test_run.status, _exit_code_from_xml(xml), exercise.timeout)
    return Run(exercise, True, "", cases, problem)


def list_cases(binary):
    """The learner's own binary's test list (their code, their machine)."""
    if not binary or not os.path.exists(binary):
        return []
    try:
        out = subprocess.run([binary, "--gtest_list_tests"],
                             capture_output=True, text=True, timeout=30,
                             stdin=subprocess.DEVNULL)
        return results.parse_test_list(out.stdout)
    except (subprocess.TimeoutExpired, ValueError, OSError):
        return []


class Runner:
    """Runs exercise tests with ./bazelw in the checkout at `root`."""

    def __init__(self, root, bazelw=None, out=sys.stderr):
        self.root = root
        self.bazelw = bazelw or os.path.join(root, "bazelw")
        self.state_dir = os.path.join(root, STATE_DIR)
        self.out = out

    def run(self, exercises, fresh=False):
        """{exercise dir: Run} for every exercise, in one Bazel call.

        Results are cached by Bazel on the inputs (--cache_test_results=yes,
        failures too), so unchanged exercises are not rerun; `fresh` reruns
        them all."""
        os.makedirs(self.state_dir, exist_ok=True)
        log = os.path.join(self.state_dir, "bazel.log")
        bep = os.path.join(self.state_dir, "events.json")
        if os.path.exists(bep):
            os.remove(bep)
        else:
            # The first run in this checkout builds the library and every
            # test (and ./bazelw may install Bazel first): say so, since
            # nothing else is shown meanwhile.
            print("course: building and running the tests of %d "
                  "exercise%s; the first time this takes a few minutes "
                  "(Bazel's output: %s)" % (
                      len(exercises), "" if len(exercises) == 1 else "s",
                      os.path.relpath(log)), file=self.out, flush=True)
        args = bazel.QUIET + [
            "--keep_going",
            "--build_event_json_file=" + bep,
            "--cache_test_results=" + ("no" if fresh else "yes"),
        ] + [ex.test_label for ex in exercises]
        code = bazel.run(self.bazelw, self.root, "test", args, log)
        events = bazel.parse_events(bep)
        if code not in (0, 1, 3, 4) or (not events.tests and
                                        not events.built):
            raise SystemExit(
                "course: Bazel failed (exit status %d) before running the "
                "tests; the last lines of %s:\n%s" % (
                    code, os.path.relpath(log),
                    "\n".join(bazel.read_text(log).splitlines()[-15:])))
        runs = {}
        for ex in exercises:
            runs[ex.dir] = self._interpret(ex, events, log)
        return runs

    def _interpret(self, ex, events, log):
        label = ex.test_label
        test_runs = events.tests.get(label)
        if not test_runs:
            output = bazel.failed_build_output(events, log, {ex.path})
            error = results.first_compiler_error(
                output, prefer=[ex.path + "/" + f for f in ex.files])
            if not error:
                reason = events.aborted.get(label) or ""
                error = (reason or "it did not build; see %s" %
                         os.path.relpath(log))
            return Run(ex, built=False, compile_error=error)
        listed = []
        xml = bazel.read_text(test_runs[0].xml)
        if not results.parse_junit_xml(xml):
            listed = list_cases(events.files.get(ex.path + "/test"))
        return interpret_test_run(ex, test_runs[0], listed)


# ------------------------------------------------------------ state


class State:
    """What the tool remembers between runs (.course/state.json)."""

    def __init__(self, root):
        self.root = root
        self.path = os.path.join(root, STATE_DIR, "state.json")
        try:
            with open(self.path, encoding="utf-8") as f:
                self.data = json.load(f)
            if not isinstance(self.data, dict):
                self.data = {}
        except (OSError, ValueError):
            self.data = {}

    def hints_shown(self, ex_id):
        return int(self.data.get("hints", {}).get(ex_id, 0))

    def set_hints_shown(self, ex_id, n):
        self.data.setdefault("hints", {})[ex_id] = n
        self.save()

    def speed(self, ex_id):
        """What `./course bench` last measured, or None."""
        record = self.data.get("speed", {}).get(ex_id)
        return record if isinstance(record, dict) else None

    def set_speed(self, ex_id, record):
        self.data.setdefault("speed", {})[ex_id] = record
        self.save()

    def save(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self.data, f, indent=1, sort_keys=True)
        os.replace(tmp, self.path)


def files_digest(root, exercise):
    """A digest of the learner's files of one exercise, to tell whether a
    speed measured earlier is still theirs."""
    h = hashlib.sha256()
    for f in exercise.files:
        h.update(f.encode() + b"\0")
        try:
            with open(os.path.join(root, exercise.path, f), "rb") as fh:
                h.update(fh.read())
        except OSError:
            h.update(b"(missing)")
        h.update(b"\0")
    return h.hexdigest()


def speed_records(exercises, state):
    """{exercise id: speed record} for the exercises whose files have not
    changed since `./course bench` measured them."""
    out = {}
    for ex in exercises:
        record = state.speed(ex.id) if ex.performance else None
        if record and record.get("digest") == files_digest(state.root, ex):
            out[ex.id] = record
    return out


# ------------------------------------------------------------ rendering


def describe_failure(run, style, max_lines=12):
    """What to fix first in one exercise, in a few lines."""
    if not run.built:
        return "%s does not compile:\n%s" % (
            run.exercise.path, ui.indent(ui.shorten(run.compile_error,
                                                    max_lines)))
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
        text += " (%s/%s)" % (_num(record["points"]),
                              _num(ex.performance.points))
    else:
        text += " (not scored)"
    return text


def _num(x):
    return ("%d" % x) if float(x).is_integer() else ("%.1f" % x)


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
        return "%s %s: does not compile\n%s" % (
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


# ------------------------------------------------------------ commands


def cmd_status(root, exercises, runner, style, out, everything=False):
    runs = runner.run(exercises)
    render = render_list if everything else render_status
    print(render(exercises, runs, State(root), style), file=out)
    return 0


def cmd_run(exercise, runner, style, out, fresh=False):
    run = runner.run([exercise], fresh=fresh)[exercise.dir]
    print(render_run(run, style), file=out)
    if run.solved:
        print("\n" + style.green("%s passes." % exercise.id), file=out)
        return 0
    print("\nHint: ./course hint %s" % exercise.id, file=out)
    return 1


def cmd_verify(root, exercises, runner, style, out):
    runs = runner.run(exercises)
    speeds = speed_records(exercises, State(root))
    bad = 0
    for ex in exercises:
        r = runs[ex.dir]
        bad += not r.solved
        print(exercise_row(ex, r, speeds.get(ex.id), style)[2:], file=out)
    print("\n%d of %d exercises pass." % (len(exercises) - bad,
                                          len(exercises)), file=out)
    if any(ex.performance for ex in exercises):
        print("(speed: the index ./course bench ID last measured on your "
              "current files; it never changes whether an exercise passes)",
              file=out)
    return 0 if bad == 0 else 1


def cmd_bench(root, exercise, runner, style, out, rounds=3, min_time=None,
              err=sys.stderr):
    """`./course bench ID`: the exercise's benchmark on the learner's code
    and on the reference, built with -c opt and run interleaved, scored as
    the grader scores it. Returns 0 when an index was measured."""
    from . import bench_pair
    from . import scoring
    ex, perf = exercise, exercise.performance
    correct = True
    if perf.scored:
        run = runner.run([ex])[ex.dir]
        correct = run.solved
        if not correct:
            print("%s %s %s: %s; speed points only count once every check "
                  "passes (./course run %s). Timing it anyway." % (
                      style.bad, ex.id, ex.title, "it does not compile"
                      if not run.built else "%d of %d checks pass" % (
                          run.passed, run.total), ex.id), file=out,
                  flush=True)
    learner_label = "//%s:%s" % (ex.path, perf.benchmark)
    state_dir = os.path.join(root, STATE_DIR)
    os.makedirs(state_dir, exist_ok=True)
    bep = os.path.join(state_dir, "bench.bep")
    log = os.path.join(state_dir, "bench.log")
    if os.path.exists(bep):
        os.remove(bep)
    print(style.dim("building %s and %s with -c opt ..." % (
        learner_label, perf.reference)), file=err, flush=True)
    code = bazel.run(os.path.join(root, "bazelw"), root, "build",
                     bazel.QUIET + ["-c", "opt", "--keep_going",
                                    "--build_event_json_file=" + bep,
                                    learner_label, perf.reference], log)
    events = bazel.parse_events(bep)

    def binary(label):
        pkg, name = label.lstrip("/").split(":")
        return events.files.get(pkg + "/" + name)
    lb, rb = binary(learner_label), binary(perf.reference)
    if code != 0 or not lb or not rb:
        error = results.first_compiler_error(
            bazel.read_text(log), prefer=[ex.path + "/" + f
                                          for f in ex.files])
        print("The benchmark did not build:\n%s" % ui.indent(
            error or "\n".join(bazel.read_text(log).splitlines()[-15:])),
            file=out)
        return 1
    batches = []

    def run_rounds(n):
        if batches:
            print(style.dim("the index is between %g and %g, where noise "
                            "moves points: %d more rounds" % (
                                perf.zero_at, perf.full_at, n)),
                  file=err, flush=True)
        batches.append(n)
        return bench_pair.run_pair(
            lb, rb, rounds=n, extra_args=bench_pair.min_time_args(min_time),
            log=lambda m: print(style.dim(m), file=err, flush=True))
    result, data = scoring.measure(perf, correct, run_rounds, rounds)
    for e in data["errors"]:
        if e.startswith("learner"):
            print("Your code's benchmark failed (%s): ./course run %s shows "
                  "which check fails; to run the benchmark itself:\n"
                  "  ./bazelw run -c opt %s" % (e.split(": ", 1)[-1], ex.id,
                                                learner_label), file=out)
        else:
            print("The reference's benchmark failed (%s): ./bazelw run -c "
                  "opt %s" % (e.split(": ", 1)[-1], perf.reference),
                  file=out)
    print(scoring.format_performance(result), file=out)
    if result.index is None:
        return 1
    State(root).set_speed(ex.id, {
        "index": round(result.index, 4), "points": result.points,
        "digest": files_digest(root, ex), "rounds": rounds,
        "when": datetime.datetime.now().isoformat(timespec="seconds")})
    return 0


def cmd_hint(exercise, state, style, out):
    shown = state.hints_shown(exercise.id)
    total = len(exercise.hints)
    if shown < total:
        shown += 1
        state.set_hints_shown(exercise.id, shown)
    print(style.bold("Hint %d of %d for %s %s:" % (shown, total, exercise.id,
                                                   exercise.title)), file=out)
    print(ui.wrap(exercise.hints[shown - 1], "  "), file=out)
    if shown < total:
        print("\n(./course hint %s again for the next one)" % exercise.id,
              file=out)
    else:
        print("\nThat was the last hint. Earlier ones: ./course hint %s "
              "--all" % exercise.id, file=out)
    return 0


def cmd_hint_all(exercise, state, style, out):
    shown = state.hints_shown(exercise.id)
    if shown == 0:
        print("No hint shown yet for %s: ./course hint %s" %
              (exercise.id, exercise.id), file=out)
    for i in range(shown):
        print(style.bold("Hint %d of %d:" % (i + 1, len(exercise.hints))),
              file=out)
        print(ui.wrap(exercise.hints[i], "  "), file=out)
    return 0


def _git(root, *args):
    return subprocess.run(["git", "-C", root, *args], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL)


def starter_revision(root):
    """(revision, description) of the commit whose files are the starters:
    the merge base with the upstream branch when there is one (the course
    as cloned), else HEAD."""
    up = _git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name",
              "@{upstream}")
    if up.returncode == 0 and up.stdout.strip():
        base = _git(root, "merge-base", "HEAD", "@{upstream}")
        if base.returncode == 0:
            return base.stdout.strip(), "the course as cloned (%s)" % (
                up.stdout.strip())
    head = _git(root, "rev-parse", "HEAD")
    if head.returncode != 0:
        return None, None
    return head.stdout.strip(), "the last commit (HEAD)"


def cmd_reset(root, exercise, style, out, yes=False, stdin=None):
    stdin = stdin or sys.stdin
    rev, what = starter_revision(root)
    if rev is None:
        print("course: %s is not a git checkout, so the starter cannot be "
              "restored; download the course again and copy %s from it." %
              (root, exercise.path), file=sys.stderr)
        return 2
    starters = {}
    for f in exercise.files:
        path = exercise.path + "/" + f
        shown = _git(root, "show", "%s:%s" % (rev, path))
        if shown.returncode != 0:
            print("course: %s is not in %s; nothing to restore it from." %
                  (path, what), file=sys.stderr)
            return 2
        starters[path] = shown.stdout
    changed = [p for p, text in starters.items()
               if bazel.read_text(os.path.join(root, p)) != text]
    if not changed:
        print("%s is already the starter." % ", ".join(starters), file=out)
        return 0
    if not yes:
        if not (hasattr(stdin, "isatty") and stdin.isatty()):
            print("course: reset replaces %s; run it in a terminal to be "
                  "asked, or pass --yes." % ", ".join(changed),
                  file=sys.stderr)
            return 2
        print("Replace %s with the starter from %s? Your version is kept "
              "in %s/backup/. [y/N] " % (", ".join(changed), what,
                                        STATE_DIR), end="", file=out,
              flush=True)
        answer = stdin.readline().strip().lower()
        if answer not in ("y", "yes"):
            print("Nothing changed.", file=out)
            return 1
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    for path in changed:
        full = os.path.join(root, path)
        if os.path.exists(full):
            backup = os.path.join(root, STATE_DIR, "backup", stamp, path)
            os.makedirs(os.path.dirname(backup), exist_ok=True)
            shutil.copy2(full, backup)
            print("saved your %s as %s" % (path, os.path.relpath(
                backup, root)), file=out)
        with open(full, "w", encoding="utf-8") as f:
            f.write(starters[path])
        print("restored %s" % path, file=out)
    return 0


# ------------------------------------------------------------ watch


def snapshot(root, paths):
    """(mtime_ns, size) of each path; None for a missing file."""
    out = {}
    for p in paths:
        try:
            st = os.stat(os.path.join(root, p))
            out[p] = (st.st_mtime_ns, st.st_size)
        except OSError:
            out[p] = None
    return out


def watched_files(exercise):
    return [exercise.path + "/" + f for f in exercise.files]


class Keys:
    """Single key presses from a terminal (h, r, l, q), or nothing when
    stdin is not a terminal."""

    def __init__(self, stdin):
        self.stdin = stdin
        self.old = None
        if hasattr(stdin, "isatty") and stdin.isatty():
            import termios
            import tty
            self.termios = termios
            self.old = termios.tcgetattr(stdin.fileno())
            tty.setcbreak(stdin.fileno())

    def read(self, timeout):
        if self.old is None:
            time.sleep(timeout)
            return None
        ready, _, _ = select.select([self.stdin], [], [], timeout)
        if ready:
            return os.read(self.stdin.fileno(), 1).decode(errors="ignore")
        return None

    def close(self):
        if self.old is not None:
            self.termios.tcsetattr(self.stdin.fileno(),
                                   self.termios.TCSADRAIN, self.old)


def watch(root, exercises, run_one, state, style, out, keys, poll=0.5,
          max_cycles=None):
    """Reruns the current exercise on every save and moves on when it
    passes. run_one(exercise) -> Run. Returns 0 when every exercise
    passes, or when the learner quits."""
    solved_ids = set()

    def current():
        for ex in exercises:
            if ex.id not in solved_ids:
                return ex
        return None

    def check(ex):
        print(style.dim("%s checking %s %s ..." % (
            time.strftime("%H:%M:%S"), ex.id, ex.title)), file=out,
            flush=True)
        run = run_one(ex)
        if run.solved:
            solved_ids.add(ex.id)
            print("%s %s passes (%d/%d)." % (style.ok, style.bold(
                "%s %s" % (ex.id, ex.title)), run.passed, run.total),
                file=out, flush=True)
            return True
        print(describe_failure(run, style), file=out)
        print(style.dim("  %d of %d checks pass. Edit %s and save; "
                        "h: hint, r: rerun, q: quit" % (
                            run.passed, run.total,
                            ", ".join(watched_files(ex)))),
              file=out, flush=True)
        return False

    ex = current()
    cycles = 0
    while ex is not None:
        stamp = snapshot(root, watched_files(ex))
        if check(ex):
            ex = current()
            continue
        while True:
            cycles += 1
            if max_cycles is not None and cycles > max_cycles:
                return 1
            key = keys.read(poll)
            if key in ("q", "\x04"):
                return 0
            if key == "h":
                cmd_hint(ex, state, style, out)
            now = snapshot(root, watched_files(ex))
            if now != stamp or key == "r":
                break
        # A save: rerun (after a short pause, so an editor's write of
        # several files lands as one change).
        time.sleep(min(poll, 0.2))
    print(style.green("Every exercise passes. Well done!"), file=out)
    return 0
