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

from . import argparse_zh
from . import catalog
from . import errors
from . import lang
from . import learner
from . import progress
from . import screens
from . import testrun
from . import ui
from . import watch
from .lang import T

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_TOOL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def repo_root():
    return os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def load(root):
    try:
        exercises = catalog.discover(root)
    except catalog.ConfigError as e:
        raise errors.UsageError(T("bad course.toml: {error}",
                                  "course.toml 有误：{error}",
                                  error=e)) from None
    if not exercises:
        raise errors.UsageError(T(
            "no exercises found (no exercises/*/course.toml under {root})",
            "找不到练习（{root} 下没有 exercises/*/course.toml）",
            root=root))
    return exercises


def pick(exercises, wanted):
    ex = catalog.find(exercises, wanted)
    if ex is None:
        raise errors.UsageError(T(
            "no exercise {wanted!r}; `./course` lists them (ids: {ids})",
            "没有练习 {wanted!r}；`./course` 会列出所有练习（编号：{ids}）",
            wanted=wanted, ids=", ".join(e.id for e in exercises)))
    return ex


class _Formatter(argparse.HelpFormatter):
    """argparse's help, wrapped by display width (Chinese characters take
    two columns, and a Chinese sentence breaks between them); a Chinese
    section title ends in a Chinese colon, and a long usage's further lines
    stand under its first argument after "用法："."""

    def _split_lines(self, text, width):
        return ui.fill(text, width, cut_long=False)

    def _fill_text(self, text, width, indent):
        return "\n".join(ui.fill(text, width, indent, indent,
                                 cut_long=False))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._headings = []

    def start_section(self, heading):
        if heading:
            self._headings.append(heading)
        super().start_section(heading)

    def _usage_extra(self):
        """How many more columns than characters argparse's usage prefix
        takes ("用法：": three)."""
        prefix = argparse._("usage: ")
        return prefix, ui.columns(prefix) - len(prefix)

    def _format_usage(self, *args):
        # argparse wraps a usage by characters: narrower by the prefix's
        # extra columns, it fits by columns.
        _, extra = self._usage_extra()
        self._width -= extra
        try:
            return super()._format_usage(*args)
        finally:
            self._width += extra

    def format_help(self):
        text = super().format_help()
        if not lang.chinese_wanted():
            return text
        # argparse puts an ASCII colon after a section's title.
        for heading in self._headings:
            text = text.replace("\n%s:\n" % heading, "\n%s：\n" % heading)
        # argparse indents a usage's further lines by the prefix's length
        # in characters.
        prefix, extra = self._usage_extra()
        lines = text.split("\n")
        if lines[0].startswith(prefix):
            more = " " * extra
            for i in range(1, len(lines)):
                if not lines[i].startswith(" "):
                    break
                lines[i] = more + lines[i]
        return "\n".join(lines)


class _Parser(argparse.ArgumentParser):
    """argparse's help, with -h's help in the reader's language; argparse's
    other words follow it through argparse_zh."""

    def __init__(self, *args, formatter_class=_Formatter, **kwargs):
        super().__init__(*args, formatter_class=formatter_class,
                         add_help=False, **kwargs)
        self.add_argument("-h", "--help", action="help",
                          default=argparse.SUPPRESS,
                          help=T("show this help and exit",
                                 "显示这份帮助并退出"))


def build_parser():
    # Before any parser exists: argparse looks its section titles up when
    # a parser is built.
    argparse_zh.install()
    p = _Parser(
        prog="./course",
        description=T("Exercises for the process pool: see where you are, "
                      "run and watch an exercise, get hints; grade "
                      "submissions.",
                      "进程池的练习：看看你做到了哪里，运行并监视一个练习，"
                      "获取提示；给提交的作业评分。"),
        epilog=T("With no command: the status of every exercise and what "
                 "to do next. Exit status: 0 all passed, 1 some check "
                 "failed, 2 usage error, 3 the tool failed, 130 "
                 "interrupted.",
                 "不带命令：每个练习的状态和下一步该做什么。退出状态：0 "
                 "全部通过，1 有检查失败，2 用法错误，3 工具本身出错，130 "
                 "被中断。"))
    p.add_argument("--lang", choices=("zh", "en"),
                   help=T("the language of the tool and the tests' "
                          "explanations: zh (Chinese) or en (English); "
                          "the same as COURSE_LANG",
                          "工具和测试说明所用的语言：zh（中文）或 en"
                          "（英文）；与 COURSE_LANG 相同"))
    sub = p.add_subparsers(dest="command", metavar="COMMAND",
                           parser_class=_Parser)

    s = sub.add_parser("status", help=T(
        "where you are and what to do next (the default)",
        "你做到了哪里、下一步做什么（默认命令）"),
        description=T(
            "Runs every exercise's tests (Bazel reuses results for "
            "unchanged files) and shows, on one screen, a progress bar, the "
            "current track's exercises (every other track on one line: "
            "./course list shows them all) and the next exercise with its "
            "first failing check.",
            "运行每个练习的测试（文件没变时 Bazel 沿用之前的结果），在一屏"
            "中显示进度条、当前路线的练习（其他路线各占一行：./course list "
            "列出全部）以及下一个练习和它第一项失败的检查。"))
    s.set_defaults(func=cmd_status)

    s = sub.add_parser("list", help=T("every exercise of every track",
                                      "所有路线的所有练习"),
                       description=T(
                           "Like ./course, with every exercise of every "
                           "track listed: its checks passed and the speed "
                           "index ./course bench last measured.",
                           "与 ./course 相同，但列出所有路线的每个练习：通过"
                           "的检查项数，以及 ./course bench 上次测得的速度"
                           "指数。"))
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("watch", help=T("rerun an exercise on every save",
                                       "每次保存都重新运行练习"),
                       description=T(
                           "Runs an exercise (the one named, else the first "
                           "unsolved one), then reruns whichever exercise "
                           "has a file saved, showing only the failing "
                           "check or the compiler's first error, and which "
                           "case is running while a test takes long; moves "
                           "on when it passes. Keys: h hint, r rerun, q "
                           "quit.",
                           "运行一个练习（指定的那个，否则是第一个未完成的），"
                           "之后哪个练习的文件被保存就重新运行哪个，只显示失败"
                           "的检查或编译器的第一个错误，测试耗时较长时显示正在"
                           "运行的用例；通过后转到下一个。按键：h 提示，r 重新"
                           "运行，q 退出。"))
    s.add_argument("exercise", nargs="?",
                   help=T("exercise id to start with, e.g. 03 or b01 "
                          "(default: the first unsolved one)",
                          "从哪个练习开始，例如 03 或 b01（默认：第一个未"
                          "完成的）"))
    s.add_argument("--poll", type=float, default=0.5,
                   help=T("seconds between checks for a save (default 0.5)",
                          "检查是否保存的间隔秒数（默认 0.5）"))
    s.set_defaults(func=cmd_watch)

    s = sub.add_parser("hint", help=T("the next hint for an exercise",
                                      "练习的下一条提示"),
                       description=T(
                           "Shows the next hint for the exercise, one at a "
                           "time from a nudge to a near-answer, and "
                           "remembers how many you have seen.",
                           "显示练习的下一条提示，一次一条，从轻轻一推到接近"
                           "答案，并记住你已经看过几条。"))
    s.add_argument("exercise", nargs="?",
                   help=T("exercise id, e.g. 03 (default: the next "
                          "unsolved)",
                          "练习编号，例如 03（默认：下一个未完成的）"))
    s.add_argument("--all", action="store_true",
                   help=T("show again every hint seen so far",
                          "重新显示已经看过的所有提示"))
    s.set_defaults(func=cmd_hint)

    s = sub.add_parser("run", help=T("run one exercise's tests",
                                     "运行一个练习的测试"),
                       description=T(
                           "Runs one exercise's tests and lists every "
                           "check, with the first failure in full.",
                           "运行一个练习的测试，列出每项检查，并完整显示第一"
                           "项失败。"))
    s.add_argument("exercise", help=T("exercise id, e.g. 03",
                                      "练习编号，例如 03"))
    s.add_argument("--fresh", action="store_true",
                   help=T("rerun even if nothing changed",
                          "即使没有改动也重新运行"))
    s.set_defaults(func=cmd_run)

    s = sub.add_parser("reset", help=T("put an exercise back to its "
                                       "starter", "把练习恢复为起始代码"),
                       description=T(
                           "Replaces the exercise's files with the starter "
                           "from git, after asking; your version is saved "
                           "under .course/backup/.",
                           "询问之后，用 git 中的起始代码替换练习的文件；你的"
                           "版本保存在 .course/backup/ 下。"))
    s.add_argument("exercise", help=T("exercise id, e.g. 03",
                                      "练习编号，例如 03"))
    s.add_argument("--yes", action="store_true", help=T("do not ask",
                                                        "不询问"))
    s.set_defaults(func=cmd_reset)

    s = sub.add_parser("verify", help=T("run every exercise; exit 0 if "
                                        "all pass",
                                        "运行所有练习；全部通过时退出状态为 0"),
                       description=T(
                           "Runs every exercise's tests and prints one line "
                           "each; the exit status is 0 only if all pass.",
                           "运行每个练习的测试，每个练习打印一行；只有全部"
                           "通过时退出状态才是 0。"))
    s.set_defaults(func=cmd_verify)

    s = sub.add_parser("bench", help=T("time an exercise against the "
                                       "reference",
                                       "把练习与参考答案比速度"),
                       description=T(
                           "For an exercise with a benchmark (a "
                           "[performance] table): runs its tests, builds its "
                           "benchmark with your code and with the reference "
                           "(-c opt), runs them interleaved (3 rounds each) "
                           "and prints the table, the speed index and the "
                           "points, as the grader scores them. ./course and "
                           "./course list show the index until your files "
                           "change.",
                           "用于带基准测试（[performance] 表）的练习：运行它"
                           "的测试，用你的代码和参考答案分别构建基准测试"
                           "（-c opt），交替运行（各 3 轮），按评分程序的算法"
                           "打印表格、性能指数和得分。在你的文件改动之前，"
                           "./course 和 ./course list 都显示这个指数。"))
    s.add_argument("exercise", help=T("exercise id, e.g. b05",
                                      "练习编号，例如 b05"))
    s.add_argument("--rounds", type=int, default=3,
                   help=T("interleaved rounds (default 3, as the grader)",
                          "交替运行的轮数（默认 3，与评分程序相同）"))
    s.add_argument("--min-time", type=float, metavar="S",
                   help=T("seconds each benchmark runs per round "
                          "(--benchmark_min_time; default Google "
                          "Benchmark's, 0.5)",
                          "每个基准测试每轮运行的秒数（--benchmark_min_time；"
                          "默认用 Google Benchmark 的 0.5）"))
    s.set_defaults(func=cmd_bench)

    s = sub.add_parser("trace", help=T("your pool beside the reference's, "
                                       "task by task",
                                       "逐个任务对比你的进程池与参考答案的进程池"),
                       description=T(
                           "Runs the exercise's tests on your code and on "
                           "the reference with POOL_TRACE set, and shows "
                           "each pool's timeline (a lane per worker, a "
                           "letter per task) side by side, with the SVG "
                           "pictures' paths. For b01 to b09, whose pool is "
                           "your own, says what you can watch instead.",
                           "设置 POOL_TRACE，分别在你的代码和参考答案上运行练习"
                           "的测试，并排显示每个进程池的时间线（每个工作进程一"
                           "条轨道，每个任务一个字母），并给出 SVG 图的路径。"
                           "b01 到 b09 的进程池是你自己写的，对它们则说明可以"
                           "观察什么。"))
    s.add_argument("exercise", help=T("exercise id, e.g. 03",
                                      "练习编号，例如 03"))
    s.add_argument("--pools", type=int, default=3,
                   help=T("how many pools to show (default 3; the tests "
                          "make several)",
                          "显示几个进程池（默认 3；测试会创建好几个）"))
    s.add_argument("--columns", type=int,
                   help=T("width of the output (default: the terminal's)",
                          "输出的宽度（默认：终端的宽度）"))
    s.set_defaults(func=cmd_trace)

    s = sub.add_parser(
        "grade", help=T("grade submissions (instructors)",
                        "给提交的作业评分（教师用）"),
        description=T(
            "Grades each SUBMISSION (a directory laid out like exercises/, "
            "e.g. ana/03_map/exercise.cc, or a copy of the whole "
            "repository) in a workspace of its own, never touching this "
            "checkout. Each test case runs in its own sandboxed process "
            "with a time limit; only the JUnit XML it records counts.",
            "在各自独立的工作区中给每份 SUBMISSION（目录结构与 exercises/ "
            "相同，例如 ana/03_map/exercise.cc，或整个仓库的副本）评分，"
            "从不改动当前检出。每个测试用例在自己的沙箱进程中运行，有时间"
            "限制；只以它记录的 JUnit XML 为准。"),
        epilog=T("Exit status: 0 every submission got full marks, 1 some "
                 "lost points, 2 usage error, 3 grading itself failed, 130 "
                 "interrupted (nothing written).",
                 "退出状态：0 每份作业都得满分，1 有作业失分，2 用法错误，"
                 "3 评分本身出错，130 被中断（什么也没写）。"))
    s.add_argument("submissions", nargs="+", metavar="SUBMISSION")
    s.add_argument("--json", metavar="FILE",
                   help=T("write Gradescope's results.json (with several "
                          "submissions, or a path ending in /: a directory, "
                          "one NAME.json each, made if needed)",
                          "写出 Gradescope 的 results.json（有多份作业，或"
                          "路径以 / 结尾时：一个目录，每份作业一个 "
                          "NAME.json，需要时创建）"))
    s.add_argument("--csv", metavar="FILE",
                   help=T("write one row per submission",
                          "写出 CSV，每份作业一行"))
    s.add_argument("--hidden", metavar="DIR",
                   help=T("instructor tests, laid out like exercises/ "
                          "(DIR/03_map/*_test.cc), compiled against each "
                          "submission and reported as hidden",
                          "教师的测试，目录结构与 exercises/ 相同"
                          "（DIR/03_map/*_test.cc），与每份作业一起编译，"
                          "作为隐藏测试报告"))
    s.add_argument("--timeout", type=int, metavar="S",
                   help=T("time limit in seconds for each test case's "
                          "process (default: each exercise's course.toml, "
                          "else {default})",
                          "每个测试用例进程的时间限制，单位秒（默认：各练习的 "
                          "course.toml，否则 {default}）",
                          default=catalog.DEFAULT_TIMEOUT))
    s.add_argument("--exercise", action="append", metavar="ID",
                   help=T("grade only these exercises: ids, ranges and "
                          "commas, e.g. 01-03,b01 (repeatable)",
                          "只给这些练习评分：编号、范围和逗号，例如 "
                          "01-03,b01（可重复）"))
    s.add_argument("--assignment", metavar="FILE",
                   help=T("grade only the exercises FILE names (ids or "
                          "ranges, e.g. 01-03, b01; # comments); with "
                          "--exercise, both",
                          "只给 FILE 列出的练习评分（编号或范围，例如 01-03、"
                          "b01；# 开始注释）；与 --exercise 同用时取两者"))
    s.add_argument("--base", default="HEAD", metavar="REV",
                   help=T("take the tests and starters from this commit "
                          "(default HEAD); `first-commit` is the "
                          "repository's first commit, as in a GitHub "
                          "Classroom repository made from the course's "
                          "template",
                          "从这个提交取测试和起始代码（默认 HEAD）；"
                          "`first-commit` 是仓库的第一个提交，用于从课程模板"
                          "创建的 GitHub Classroom 仓库"))
    s.add_argument("--sandbox", choices=("required", "auto", "off"),
                   default="required",
                   help=T("Bazel's linux-sandbox with a private /tmp: "
                          "required (default), auto (off when the machine "
                          "cannot run it), off",
                          "带私有 /tmp 的 Bazel linux-sandbox：required"
                          "（默认，必须有）、auto（机器不能运行时不用）、off"))
    s.add_argument("--cache", metavar="DIR",
                   help=T("grading workspaces (default "
                          "$COURSE_GRADER_CACHE, else "
                          "~/.cache/course-grader)",
                          "评分工作区（默认 $COURSE_GRADER_CACHE，否则 "
                          "~/.cache/course-grader）"))
    s.add_argument("--no-performance", action="store_true",
                   help=T("skip [performance] benchmarks",
                          "跳过 [performance] 基准测试"))
    s.add_argument("--bench-rounds", type=int, default=3, metavar="N",
                   help=T("interleaved rounds of each benchmark pair "
                          "(default 3; the index takes each benchmark's "
                          "median); one round runs first, and an index "
                          "clearly outside the scoring band stops there",
                          "每对基准测试交替运行的轮数（默认 3；性能指数取每个"
                          "基准测试的中位数）；先跑一轮，性能指数明显在计分"
                          "区间之外时就到此为止"))
    s.add_argument("--bench-min-time", type=float, metavar="S",
                   default=0.05,
                   help=T("seconds each benchmark runs per repetition "
                          "(--benchmark_min_time; default %(default)s; five "
                          "repetitions a round, the fastest counts)",
                          "每个基准测试每次重复运行的秒数"
                          "（--benchmark_min_time；默认 %(default)s；每轮"
                          "重复五次，取最快的一次）"))
    s.add_argument("--quiet", action="store_true",
                   help=T("one line per submission",
                          "每份作业一行"))
    s.set_defaults(func=cmd_grade)

    s = sub.add_parser("check", help=T("check every course.toml and the "
                                       "classroom workflow",
                                       "检查每个 course.toml 和课堂工作流"),
                       description=T(
                           "Reads every exercises/*/course.toml, checks that "
                           "each exercise and its solution exist and that "
                           ".github/workflows/classroom.yml names only real "
                           "exercises.",
                           "读取每个 exercises/*/course.toml，检查每个练习及"
                           "其参考答案都存在，且 "
                           ".github/workflows/classroom.yml 只列出真实存在的"
                           "练习。"))
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
            print(T("Every exercise passes; no hint needed.",
                    "所有练习都通过了，不需要提示。"), file=out)
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
        print(style.dim(T("checking every exercise to find where you "
                          "are ...", "正在检查每个练习，看看你做到了哪里 ……")),
              file=out, flush=True)
        runs = runner.run(exercises)
        solved = {ex.id for ex in exercises if runs[ex.dir].solved}
        if len(solved) == len(exercises):
            print(style.green(screens.all_pass()), file=out)
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
        raise errors.UsageError(T("the number of rounds must be at least 1",
                                  "轮数至少为 1"))
    if min_time is not None and min_time <= 0:
        raise errors.UsageError(T("the minimum time must be a positive "
                                  "number of seconds, e.g. 0.1",
                                  "最短时间必须是正的秒数，例如 0.1"))


def cmd_bench(args, root, out):
    exercises = load(root)
    ex = pick(exercises, args.exercise)
    if ex.performance is None:
        with_perf = [e.id for e in exercises if e.performance]
        raise errors.UsageError(T("exercise {id} has no benchmark{rest}",
                                  "练习 {id} 没有基准测试{rest}", id=ex.id,
                                  rest=T("; these do: ", "；有基准测试的是：")
                                  + ", ".join(with_perf) if with_perf
                                  else ""))
    check_bench_flags(args)
    return learner.cmd_bench(root, ex, _runner(root), ui.Style(out), out,
                             rounds=args.rounds, min_time=args.min_time)


def cmd_trace(args, root, out):
    from . import trace
    ex = pick(load(root), args.exercise)
    if args.pools < 1:
        raise errors.UsageError(T("--pools must be at least 1",
                                  "--pools 至少为 1"))
    return trace.cmd_trace(root, ex, ui.Style(out), out, pools=args.pools,
                           columns=args.columns)


def cmd_grade(args, root, out):
    from . import grader
    from . import report
    from . import submission
    from . import workspace
    exercises = assigned(load(root), args.exercise, args.assignment)
    if args.timeout is not None and args.timeout < 1:
        raise errors.UsageError(T("--timeout must be at least 1 second",
                                  "--timeout 至少为 1 秒"))
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
            raise errors.UsageError(T(
                "--json {where}: cannot make the directory for one "
                "NAME.json per submission ({why})",
                "--json {where}：无法创建存放每份作业一个 NAME.json 的目录"
                "（{why}）", where=where, why=e.strerror)) from None
        return
    if count > 1:
        raise errors.UsageError(T(
            "--json {where}: with several submissions give a directory "
            "(one NAME.json per submission, made if it does not exist)",
            "--json {where}：有多份作业时请给一个目录（每份作业一个 "
            "NAME.json，目录不存在时会创建）", where=where))
    parent = os.path.dirname(os.path.abspath(where))
    if not os.path.isdir(parent):
        raise errors.UsageError(T(
            "--json {where}: the directory {parent} does not exist",
            "--json {where}：目录 {parent} 不存在", where=where,
            parent=parent))


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
            print(T("course check: note: {workflow} does not grade "
                    "{ids}", "course check：注意：{workflow} 不给 {ids} 评分",
                    workflow=checks.WORKFLOW, ids=", ".join(left_out)),
                  file=out)
    if not problems:
        print(T("course check: every course.toml and the classroom "
                "workflow are consistent",
                "course check：每个 course.toml 和课堂工作流都一致"),
              file=out)
    return EXIT_OK if not problems else EXIT_FAILED


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    # --lang before the parser is built, so that its help is in that
    # language too.
    for i, a in enumerate(args):
        if a == "--":
            break
        if a.startswith("--lang="):
            code = a.split("=", 1)[1]
        elif a == "--lang" and i + 1 < len(args):
            code = args[i + 1]
        else:
            continue
        if code in ("zh", "en"):
            lang.choose(code)
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
        print("\n" + T("course: interrupted; nothing was written",
                       "course：已中断，什么也没写"), file=sys.stderr)
        return EXIT_INTERRUPTED
