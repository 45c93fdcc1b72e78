"""./course: the exercises' command-line tool.

Exit status, for every subcommand:
  0  done; for run, verify and grade: everything passed (full marks)
  1  some check failed (run, verify, watch quit early; grade: a
     submission lost points; reset: declined)
  2  a usage error: unknown exercise, bad flag, bad course.toml
  3  the tool itself could not do its job (Bazel failed, no sandbox)
  130 interrupted (Ctrl-C): nothing was written
"""

import argparse
import os
import sys

from . import catalog
from . import errors
from . import learner
from . import progress
from . import screens
from . import testrun
from . import ui
from . import watch

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_TOOL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def repo_root():
    return os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def load(root):
    try:
        exercises = catalog.discover(root)
    except catalog.ConfigError as e:
        raise errors.UsageError("bad course.toml: %s" % e) from None
    if not exercises:
        raise errors.UsageError("no exercises found (no "
                                "exercises/*/course.toml under %s)" %
                                root)
    return exercises


def pick(exercises, wanted):
    ex = catalog.find(exercises, wanted)
    if ex is None:
        raise errors.UsageError(
            "no exercise %r; `./course` lists them (ids: %s)" %
            (wanted, ", ".join(e.id for e in exercises)))
    return ex


def build_parser():
    p = argparse.ArgumentParser(
        prog="./course",
        description="Exercises for the process pool: see where you are, "
        "run and watch an exercise, get hints; grade submissions.",
        epilog="With no command: the status of every exercise and what to "
        "do next. Exit status: 0 all passed, 1 some check failed, 2 usage "
        "error, 3 the tool failed, 130 interrupted.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("status", help="where you are and what to do next "
                       "(the default)",
                       description="Runs every exercise's tests (Bazel "
                       "reuses results for unchanged files) and shows, on "
                       "one screen, a progress bar, the current track's "
                       "exercises (every other track on one line: ./course "
                       "list shows them all) and the next exercise with its "
                       "first failing check.")
    s.set_defaults(func=cmd_status)

    s = sub.add_parser("list", help="every exercise of every track",
                       description="Like ./course, with every exercise of "
                       "every track listed: its checks passed and the speed "
                       "index ./course bench last measured.")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("watch", help="rerun an exercise on every save",
                       description="Runs an exercise (the one named, else "
                       "the first unsolved one), then reruns whichever "
                       "exercise has a file saved, showing only the failing "
                       "check or the compiler's first error, and which case "
                       "is running while a test takes long; moves on when "
                       "it passes. Keys: h hint, r rerun, q quit.")
    s.add_argument("exercise", nargs="?",
                   help="exercise id to start with, e.g. 03 or b01 "
                   "(default: the first unsolved one)")
    s.add_argument("--poll", type=float, default=0.5,
                   help="seconds between checks for a save (default 0.5)")
    s.set_defaults(func=cmd_watch)

    s = sub.add_parser("hint", help="the next hint for an exercise",
                       description="Shows the next hint for the exercise, "
                       "one at a time from a nudge to a near-answer, and "
                       "remembers how many you have seen.")
    s.add_argument("exercise", nargs="?",
                   help="exercise id, e.g. 03 (default: the next unsolved)")
    s.add_argument("--all", action="store_true",
                   help="show again every hint seen so far")
    s.set_defaults(func=cmd_hint)

    s = sub.add_parser("run", help="run one exercise's tests",
                       description="Runs one exercise's tests and lists "
                       "every check, with the first failure in full.")
    s.add_argument("exercise", help="exercise id, e.g. 03")
    s.add_argument("--fresh", action="store_true",
                   help="rerun even if nothing changed")
    s.set_defaults(func=cmd_run)

    s = sub.add_parser("reset", help="put an exercise back to its starter",
                       description="Replaces the exercise's files with the "
                       "starter from git, after asking; your version is "
                       "saved under .course/backup/.")
    s.add_argument("exercise", help="exercise id, e.g. 03")
    s.add_argument("--yes", action="store_true", help="do not ask")
    s.set_defaults(func=cmd_reset)

    s = sub.add_parser("verify", help="run every exercise; exit 0 if all "
                       "pass",
                       description="Runs every exercise's tests and prints "
                       "one line each; the exit status is 0 only if all "
                       "pass.")
    s.set_defaults(func=cmd_verify)

    s = sub.add_parser("bench", help="time an exercise against the "
                       "reference",
                       description="For an exercise with a benchmark "
                       "(a [performance] table): runs its tests, builds its "
                       "benchmark with your code and with the reference "
                       "(-c opt), runs them interleaved (3 rounds each) and "
                       "prints the table, the speed index and the points, "
                       "as the grader scores them. ./course and ./course "
                       "list show the index until your files change.")
    s.add_argument("exercise", help="exercise id, e.g. b05")
    s.add_argument("--rounds", type=int, default=3,
                   help="interleaved rounds (default 3, as the grader)")
    s.add_argument("--min-time", type=float, metavar="S",
                   help="seconds each benchmark runs per round "
                   "(--benchmark_min_time; default Google Benchmark's, "
                   "0.5)")
    s.set_defaults(func=cmd_bench)

    s = sub.add_parser("trace", help="your pool beside the reference's, "
                       "task by task",
                       description="Runs the exercise's tests on your code "
                       "and on the reference with POOL_TRACE set, and shows "
                       "each pool's timeline (a lane per worker, a letter "
                       "per task) side by side, with the SVG pictures' "
                       "paths. For b01 to b09, whose pool is your own, says "
                       "what you can watch instead.")
    s.add_argument("exercise", help="exercise id, e.g. 03")
    s.add_argument("--pools", type=int, default=3,
                   help="how many pools to show (default 3; the tests make "
                   "several)")
    s.add_argument("--columns", type=int,
                   help="width of the output (default: the terminal's)")
    s.set_defaults(func=cmd_trace)

    s = sub.add_parser(
        "grade", help="grade submissions (instructors)",
        description="Grades each SUBMISSION (a directory laid out like "
        "exercises/, e.g. ana/03_map/exercise.cc, or a copy of the whole "
        "repository) in a workspace of its own, never touching this "
        "checkout. Each test case runs in its own sandboxed process with a "
        "time limit; only the JUnit XML it records counts.",
        epilog="Exit status: 0 every submission got full marks, 1 some "
        "lost points, 2 usage error, 3 grading itself failed, 130 "
        "interrupted (nothing written).")
    s.add_argument("submissions", nargs="+", metavar="SUBMISSION")
    s.add_argument("--json", metavar="FILE",
                   help="write Gradescope's results.json (with several "
                   "submissions, or a path ending in /: a directory, one "
                   "NAME.json each, made if needed)")
    s.add_argument("--csv", metavar="FILE",
                   help="write one row per submission")
    s.add_argument("--hidden", metavar="DIR",
                   help="instructor tests, laid out like exercises/ "
                   "(DIR/03_map/*_test.cc), compiled against each "
                   "submission and reported as hidden")
    s.add_argument("--timeout", type=int, metavar="S",
                   help="time limit in seconds for each test case's "
                   "process (default: each exercise's course.toml, else "
                   "%d)" % catalog.DEFAULT_TIMEOUT)
    s.add_argument("--exercise", action="append", metavar="ID",
                   help="grade only these exercises: ids, ranges and "
                   "commas, e.g. 01-03,b01 (repeatable)")
    s.add_argument("--assignment", metavar="FILE",
                   help="grade only the exercises FILE names (ids or "
                   "ranges, e.g. 01-03, b01; # comments); with --exercise, "
                   "both")
    s.add_argument("--base", default="HEAD", metavar="REV",
                   help="take the tests and starters from this commit "
                   "(default HEAD); `first-commit` is the repository's "
                   "first commit, as in a GitHub Classroom repository made "
                   "from the course's template")
    s.add_argument("--sandbox", choices=("required", "auto", "off"),
                   default="required",
                   help="Bazel's linux-sandbox with a private /tmp: "
                   "required (default), auto (off when the machine cannot "
                   "run it), off")
    s.add_argument("--cache", metavar="DIR",
                   help="grading workspaces (default $COURSE_GRADER_CACHE, "
                   "else ~/.cache/course-grader)")
    s.add_argument("--no-performance", action="store_true",
                   help="skip [performance] benchmarks")
    s.add_argument("--bench-rounds", type=int, default=3, metavar="N",
                   help="interleaved rounds of each benchmark pair "
                   "(default 3; the index takes each benchmark's median); "
                   "one round runs first, and an index clearly outside the "
                   "scoring band stops there")
    s.add_argument("--bench-min-time", type=float, metavar="S",
                   default=0.05,
                   help="seconds each benchmark runs per repetition "
                   "(--benchmark_min_time; default %(default)s; five "
                   "repetitions a round, the fastest counts)")
    s.add_argument("--quiet", action="store_true",
                   help="one line per submission")
    s.set_defaults(func=cmd_grade)

    s = sub.add_parser("check", help="check every course.toml and the "
                       "classroom workflow",
                       description="Reads every exercises/*/course.toml, "
                       "checks that each exercise and its solution exist "
                       "and that .github/workflows/classroom.yml names only "
                       "real exercises.")
    s.set_defaults(func=cmd_check)
    return p


# ------------------------------------------------------------ commands


def _runner(root, out=None):
    """The checkout's Runner; with `out`, its runs of several exercises
    show the case running longest on a live line there."""
    return testrun.Runner(root, follow=_live(out)[0] if out else None)


def cmd_status(args, root, out):
    exercises = load(root)
    return learner.cmd_status(root, exercises, _runner(root, out),
                              ui.Style(out), out)


def cmd_run(args, root, out):
    exercises = load(root)
    ex = pick(exercises, args.exercise)
    show, line = _live(out)
    try:
        return learner.cmd_run(ex, _runner(root), ui.Style(out), out,
                               fresh=args.fresh, show=show)
    finally:
        line.clear()


def cmd_verify(args, root, out):
    return learner.cmd_verify(root, load(root), _runner(root, out),
                              ui.Style(out), out)


def cmd_list(args, root, out):
    exercises = load(root)
    return learner.cmd_status(root, exercises, _runner(root, out),
                              ui.Style(out), out, everything=True)


def _next_unsolved(root, exercises):
    runs = _runner(root).run(exercises)
    return screens.next_exercise(exercises, runs), runs


def cmd_hint(args, root, out):
    exercises = load(root)
    state = progress.State(root)
    if args.exercise:
        ex = pick(exercises, args.exercise)
    else:
        ex, _ = _next_unsolved(root, exercises)
        if ex is None:
            print("Every exercise passes; no hint needed.", file=out)
            return 0
    if args.all:
        return learner.cmd_hint_all(ex, state, ui.Style(out), out)
    return learner.cmd_hint(ex, state, ui.Style(out), out)


def cmd_reset(args, root, out):
    ex = pick(load(root), args.exercise)
    return learner.cmd_reset(root, ex, ui.Style(out), out, yes=args.yes)


def _live(out):
    """show(case, seconds, limit) for Runner.run: a live line on `out`."""
    line = ui.LiveLine(out)

    def show(case, seconds, limit):
        if case is None:
            line.clear()
        else:
            line.show(screens.running_line(case, seconds, limit), case)
    return show, line


def _run_one(runner, out):
    """run_one(exercise) -> Run, following a running test on `out`."""
    show, line = _live(out)

    def run_one(ex):
        try:
            return runner.run([ex], show=show)[ex.dir]
        finally:
            line.clear()
    return run_one


def cmd_watch(args, root, out):
    exercises = load(root)
    runner = _runner(root, out)
    style = ui.Style(out)
    start, solved = None, ()
    if args.exercise:
        start = pick(exercises, args.exercise)
    else:
        print(style.dim("checking every exercise to find where you are ..."),
              file=out, flush=True)
        runs = runner.run(exercises)
        solved = {ex.id for ex in exercises if runs[ex.dir].solved}
        if len(solved) == len(exercises):
            print(style.green(screens.ALL_PASS), file=out)
            return 0
    keys = watch.Keys(sys.stdin)
    try:
        return watch.watch(
            root, exercises, _run_one(runner, out), progress.State(root),
            style, out, keys, poll=args.poll, start=start, solved=solved)
    finally:
        keys.close()


def check_bench_flags(args):
    grading = args.command == "grade"
    rounds = args.bench_rounds if grading else args.rounds
    min_time = args.bench_min_time if grading else args.min_time
    if rounds is not None and rounds < 1:
        raise errors.UsageError("the number of rounds must be at least 1")
    if min_time is not None and min_time <= 0:
        raise errors.UsageError("the minimum time must be a positive "
                                "number of seconds, e.g. 0.1")


def cmd_bench(args, root, out):
    exercises = load(root)
    ex = pick(exercises, args.exercise)
    if ex.performance is None:
        with_perf = [e.id for e in exercises if e.performance]
        raise errors.UsageError("exercise %s has no benchmark%s" % (
            ex.id, "; these do: " + ", ".join(with_perf) if with_perf
            else ""))
    check_bench_flags(args)
    return learner.cmd_bench(root, ex, _runner(root), ui.Style(out), out,
                             rounds=args.rounds, min_time=args.min_time)


def cmd_trace(args, root, out):
    from . import trace
    ex = pick(load(root), args.exercise)
    if args.pools < 1:
        raise errors.UsageError("--pools must be at least 1")
    return trace.cmd_trace(root, ex, ui.Style(out), out, pools=args.pools,
                           columns=args.columns)


def cmd_grade(args, root, out):
    from . import grader
    from . import report
    from . import submission
    from . import workspace
    exercises = assigned(load(root), args.exercise, args.assignment)
    if args.timeout is not None and args.timeout < 1:
        raise errors.UsageError("--timeout must be at least 1 second")
    check_bench_flags(args)
    subs = submission.load_all(args.submissions, exercises)
    if args.json:
        prepare_json(args.json, len(subs))
    base = args.base
    if base == "first-commit":
        base = workspace.first_commit(root)
    options = grader.Options(
        timeout=args.timeout, hidden=args.hidden, sandbox=args.sandbox,
        cache=args.cache or os.environ.get("COURSE_GRADER_CACHE"),
        performance=not args.no_performance, base=base,
        bench_rounds=args.bench_rounds, bench_min_time=args.bench_min_time)

    def show(i, result):
        if i == 0 and not args.quiet:
            print(report.legend() + "\n", file=out, flush=True)
        print(report.one_line(result) if args.quiet else
              report.text_report(result), file=out, flush=True)
    graded = grader.grade_all(
        root, exercises, subs, options, show,
        log=lambda m: print("course grade: " + m, file=sys.stderr,
                            flush=True))
    if not args.quiet and len(graded) > 1:
        print("\n" + report.class_summary(graded), file=out)
    if args.json:
        report.write_json_reports(args.json, graded)
    if args.csv:
        report.write_csv(args.csv, graded)
    full = all(r.score >= r.max_score for r in graded)
    return EXIT_OK if full else EXIT_FAILED


def assigned(exercises, flags, path):
    """The exercises --exercise (each a list, see assignment.py) and
    --assignment FILE name, in the course's order; all with neither."""
    from . import assignment
    if not flags and not path:
        return exercises
    text = "\n".join(flags or [])
    try:
        chosen = assignment.parse(text, exercises, "--exercise") if \
            flags else []
        if path:
            try:
                with open(path, encoding="utf-8") as f:
                    chosen += assignment.parse(f.read(), exercises, path)
            except OSError as e:
                raise errors.UsageError("--assignment %s: %s" % (
                    path, e.strerror)) from None
    except assignment.AssignmentError as e:
        raise errors.UsageError(str(e)) from None
    dirs = {ex.dir for ex in chosen}
    return [ex for ex in exercises if ex.dir in dirs]


def prepare_json(where, count):
    """Checks --json before anything is graded: the directory it names is
    made; a file's directory must exist."""
    from . import report
    if report.json_goes_to_directory(where, count):
        try:
            os.makedirs(where, exist_ok=True)
        except OSError as e:
            raise errors.UsageError(
                "--json %s: cannot make the directory for one NAME.json "
                "per submission (%s)" % (where, e.strerror)) from None
        return
    if count > 1:
        raise errors.UsageError(
            "--json %s: with several submissions give a directory (one "
            "NAME.json per submission, made if it does not exist)" % where)
    parent = os.path.dirname(os.path.abspath(where))
    if not os.path.isdir(parent):
        raise errors.UsageError("--json %s: the directory %s does not "
                                "exist" % (where, parent))


def cmd_check(args, root, out):
    from . import checks
    exercises = load(root)
    problems = checks.check_repo(root, exercises)
    for p in problems:
        print("course check: " + p, file=out)
    wf = os.path.join(root, checks.WORKFLOW)
    if os.path.exists(wf):
        with open(wf, encoding="utf-8") as f:
            left_out = checks.workflow_notes(f.read(), exercises)
        if left_out:
            print("course check: note: %s does not grade %s" % (
                checks.WORKFLOW, ", ".join(left_out)), file=out)
    if not problems:
        print("course check: every course.toml and the classroom workflow "
              "are consistent", file=out)
    return EXIT_OK if not problems else EXIT_FAILED


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args.func = cmd_status
    root = os.environ.get("COURSE_ROOT") or repo_root()
    out = sys.stdout
    try:
        return args.func(args, root, out)
    except errors.UsageError as e:
        print("course: %s" % e, file=sys.stderr)
        return EXIT_USAGE
    except errors.ToolError as e:
        print("course: %s" % e, file=sys.stderr)
        return EXIT_TOOL
    except KeyboardInterrupt:
        print("\ncourse: interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
