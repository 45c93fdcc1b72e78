"""The learner's commands: status, run, verify, bench, hint, reset
(watch is in watch.py).

They run the exercise tests in the checkout itself (the learner's own
files), through ./bazelw with Bazel's output kept in .course/ and out of
sight, and show each result in the learner's terms: which check failed and
what it said, or the compiler's first error."""

import datetime
import os
import shutil
import subprocess
import sys

from . import bazel
from . import results
from . import ui
from .progress import STATE_DIR, State, files_digest, speed_records
from .screens import (exercise_row, render_list, render_run, render_status,
                      speed_note)


def cmd_status(root, exercises, runner, style, out, everything=False):
    runs = runner.run(exercises)
    render = render_list if everything else render_status
    print(render(exercises, runs, State(root), style), file=out)
    return 0


def cmd_run(exercise, runner, style, out, fresh=False, show=None):
    run = runner.run([exercise], fresh=fresh, show=show)[exercise.dir]
    print(render_run(run, style), file=out)
    if run.solved:
        print("\n" + style.green("%s passes." % exercise.id), file=out)
        note = speed_note(exercise)
        if note:
            print(note, file=out)
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
    weakest = scoring.slowest(result, perf)
    if weakest:
        print(ui.wrap(weakest, ""), file=out)
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

