"""Tests of the two languages (lang.py, and ui.py's display width): each
command's screen is in Chinese under COURSE_LANG=zh and in English
otherwise; text wraps and tables align by display width."""

import contextlib
import io
import os
import tempfile
import unicodedata
import unittest
from unittest import mock

from coursetool import catalog
from coursetool import cli
from coursetool import grader
from coursetool import lang
from coursetool import learner
from coursetool import progress
from coursetool import report
from coursetool import results
from coursetool import scoring
from coursetool import screens
from coursetool import submission
from coursetool import testrun
from coursetool import trace
from coursetool import ui
from coursetool import watch
from coursetool.cli_test import make_course, run_course
from coursetool.testutil import GOOD_TOML, read

STYLE = ui.Style(io.StringIO(), color=False)
CHINESE = "\u4e00-\u9fff"
ZH_TOML = GOOD_TOML + '''
[zh]
source = "x"
title = "映射"
hints = ["第一条提示", "第二条", "第三条"]
'''
PERF = """
[performance]
benchmark = "bench"
reference = "//solutions/03_map:bench"
points = 5
full_at = 0.7
zero_at = 0.25
"""
# An exercise whose benchmark says a likely cause, in both languages.
ZH_PERF_TOML = GOOD_TOML + PERF + '''
[performance.causes]
BM_A = "one round trip per item"

[zh]
source = "x"
title = "映射"
hints = ["第一条提示", "第二条", "第三条"]

[zh.causes]
BM_A = "每个元素一次往返"
'''


def has_chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def in_both(make):
    """(English, Chinese): make() called with COURSE_LANG=en, then zh."""
    got = []
    for code in ("en", "zh"):
        with mock.patch.dict(os.environ, {"COURSE_LANG": code}):
            got.append(make())
    return got


def exercise(toml=GOOD_TOML, dirname="03_map"):
    return catalog.parse(toml, dirname)


def run_of(ex, passed, total, built=True, message="expected 1, got 2"):
    cases = [results.CaseResult("S.C%d" % i, results.PASS if i < passed
                                else results.FAIL, "" if i < passed else
                                message) for i in range(total)]
    return testrun.Run(ex, built, "" if built else
                       "exercise.cc:3:1: error: boom", cases)


class ChooseTest(unittest.TestCase):

    def test_course_lang_then_the_locale(self):
        self.assertTrue(lang.chinese_wanted({"COURSE_LANG": "zh"}))
        self.assertFalse(lang.chinese_wanted({"COURSE_LANG": "en",
                                              "LANG": "zh_CN.UTF-8"}))
        self.assertTrue(lang.chinese_wanted({"LANG": "zh_CN.UTF-8"}))
        self.assertFalse(lang.chinese_wanted({"LC_ALL": "C",
                                              "LANG": "zh_CN.UTF-8"}))
        self.assertFalse(lang.chinese_wanted({}))

    def test_t_fills_the_same_fields_in_either_language(self):
        en, zh = in_both(lambda: lang.T("{n} of {total} pass",
                                        "{total} 个通过 {n} 个", n=2,
                                        total=3))
        self.assertEqual(en, "2 of 3 pass")
        self.assertEqual(zh, "3 个通过 2 个")

    def test_the_lang_flag_sets_course_lang_for_the_tests_too(self):
        with tempfile.TemporaryDirectory() as root, mock.patch.dict(
                os.environ, {"COURSE_ROOT": root, "LANG": "C"}):
            os.environ.pop("COURSE_LANG", None)
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                code = cli.main(["--lang", "zh", "hint", "03"])
            self.assertEqual(code, cli.EXIT_USAGE)
            self.assertIn("找不到练习", err.getvalue())
            self.assertEqual(os.environ.get("COURSE_LANG"), "zh")
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                cli.main(["--lang=en", "hint", "03"])
            self.assertIn("no exercises found", err.getvalue())

    def test_a_bad_command_line_says_error_in_the_language(self):
        for code, want in (("zh", "./course run：错误："),
                           ("en", "./course run: error: ")):
            err = io.StringIO()
            with mock.patch.dict(os.environ, {}), \
                    contextlib.redirect_stderr(err):
                with self.assertRaises(SystemExit) as e:
                    cli.main(["--lang", code, "run"])
            self.assertEqual(e.exception.code, 2)
            self.assertIn(want, err.getvalue())

    def test_help_follows_the_language(self):
        for argv, want in ((["--lang", "zh", "--help"], "进程池的练习"),
                           (["--lang", "zh", "--help"], "用法：./course"),
                           (["--lang", "zh", "hint", "--help"],
                            "-h, --help  显示这份帮助并退出"),
                           (["--lang", "en", "--help"], "Exercises for the "
                            "process pool"),
                           (["--lang", "zh", "run", "--help"],
                            "运行一个练习的测试")):
            out = io.StringIO()
            with mock.patch.dict(os.environ, {}), \
                    contextlib.redirect_stdout(out):
                with self.assertRaises(SystemExit):
                    cli.main(argv)
            self.assertIn(want, out.getvalue(), argv)


class CommandLineMistakesTest(unittest.TestCase):
    """A learner's mistake on the command line: argparse's words and the
    tool's own, in the learner's language, with argparse's exit status 2
    and what was wrong named."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        make_course(self.tmp.name)
        self.env = mock.patch.dict(os.environ, {"COURSE_ROOT": self.tmp.name,
                                                "NO_COLOR": "1"})
        self.env.start()

    def tearDown(self):
        self.env.stop()
        self.tmp.cleanup()

    def course(self, code, *argv):
        """(exit status, stderr) of ./course argv with COURSE_LANG=code;
        what it printed on stdout must be nothing."""
        os.environ["COURSE_LANG"] = code
        status, out, err = run_course(*argv)
        self.assertEqual(out, "", argv)
        return status, err

    def mistake(self, argv, zh_words, en_words):
        for code, words in (("zh", zh_words), ("en", en_words)):
            status, err = self.course(code, *argv)
            self.assertEqual(status, cli.EXIT_USAGE,
                             "%s under %s: %r" % (argv, code, err))
            for w in words:
                self.assertIn(w, err, "%s under %s" % (argv, code))
            if code == "en":
                self.assertFalse(has_chinese(err), err)
            else:
                self.assertNotRegex(err, r"\b(usage|error|argument|"
                                    r"arguments|invalid|required)\b")

    def test_an_unknown_exercise(self):
        self.mistake(["run", "99"],
                     ["course: 没有练习 '99'；", "（编号：03）"],
                     ["course: no exercise '99'; `./course` lists them "
                      "(ids: 03)"])

    def test_an_unknown_command(self):
        self.mistake(["rnu", "03"],
                     ["用法：./course [-h]",
                      "./course：错误：参数 COMMAND：无效的选择：'rnu'"
                      "（可选的有：'status', 'list', "],
                     ["usage: ./course [-h]",
                      "./course: error: argument COMMAND: invalid choice: "
                      "'rnu' (choose from 'status', 'list', "])

    def test_an_unrecognized_argument(self):
        self.mistake(["watch", "--bogus"],
                     ["./course：错误：无法识别的参数：--bogus"],
                     ["./course: error: unrecognized arguments: --bogus"])

    def test_a_missing_argument(self):
        self.mistake(["run"],
                     ["用法：./course run [-h] [--fresh] exercise",
                      "./course run：错误：缺少必需的参数：exercise"],
                     ["usage: ./course run [-h] [--fresh] exercise",
                      "./course run: error: the following arguments are "
                      "required: exercise"])

    def test_a_flag_without_its_value_or_with_a_bad_one(self):
        self.mistake(["bench", "03", "--rounds"],
                     ["./course bench：错误：参数 --rounds：需要一个值"],
                     ["./course bench: error: argument --rounds: expected "
                      "one argument"])
        self.mistake(["bench", "03", "--rounds", "x"],
                     ["参数 --rounds：'x' 不是有效的 int 值"],
                     ["argument --rounds: invalid int value: 'x'"])
        self.mistake(["run", "03", "--fresh=yes"],
                     ["参数 --fresh：这个选项不带值，却给了 'yes'"],
                     ["argument --fresh: ignored explicit argument 'yes'"])

    def test_a_long_chinese_usage_fits_and_lines_up_by_columns(self):
        os.environ["COLUMNS"] = "80"
        for code, prefix in (("zh", "用法："), ("en", "usage: ")):
            status, err = self.course(code, "grade")
            self.assertEqual(status, cli.EXIT_USAGE)
            usage = err.split("\n./course grade")[0].split("\n")
            self.assertTrue(usage[0].startswith(prefix + "./course grade ["),
                            usage[0])
            self.assertGreater(len(usage), 2, "a long usage wraps")
            first = ui.columns(prefix + "./course grade ")
            for line in usage:
                self.assertLessEqual(ui.columns(line), 78, line)
            for line in usage[1:]:
                self.assertEqual(len(line) - len(line.lstrip(" ")), first,
                                 "%s: %r under %r" % (code, line, usage[0]))

    def test_help_headings(self):
        for code, words in (("zh", ["用法：./course run", "\n位置参数：\n",
                                    "\n选项：\n", "显示这份帮助并退出"]),
                            ("en", ["usage: ./course run",
                                    "\npositional arguments:\n",
                                    "\noptions:\n",
                                    "show this help and exit"])):
            os.environ["COURSE_LANG"] = code
            out = io.StringIO()
            with contextlib.redirect_stdout(out), \
                    self.assertRaises(SystemExit) as e:
                cli.main(["run", "--help"])
            self.assertEqual(e.exception.code, 0)
            for w in words:
                self.assertIn(w, out.getvalue(), code)


class ScreensTest(unittest.TestCase):
    """A representative screen of each command, in both languages."""

    def setUp(self):
        self.ex = [exercise(GOOD_TOML.replace('"03"', '"%02d"' % n).replace(
            "30", str(n * 10)), "%02d_ex" % n) for n in (1, 2)]
        self.tmp = tempfile.TemporaryDirectory()
        self.state = progress.State(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def check(self, make, en_words, zh_words):
        en, zh = in_both(make)
        for w in en_words:
            self.assertIn(w, en)
        self.assertFalse(has_chinese(en), en)
        for w in zh_words:
            self.assertIn(w, zh)
        return en, zh

    def test_status_and_next(self):
        runs = {self.ex[0].dir: run_of(self.ex[0], 2, 2),
                self.ex[1].dir: run_of(self.ex[1], 1, 3)}
        self.check(lambda: screens.render_status(self.ex, runs, self.state,
                                                 STYLE),
                   ["1/2 solved", "Next: 02 map", "a hint (0 of 3 seen)"],
                   ["1/2 已完成", "下一个：02 map", "使用进程池", "提示（已看 0/3 条）",
                    "修改 exercises/02_ex/exercise.cc"])

    def test_status_fits_80_columns_in_chinese(self):
        from coursetool.learner_test import COURSE
        why = ("(exercise_test.cc line 5)\nApplyOne(pool, fn, 3) 应当返回 "
               "fn(3)，也就是 9；它返回了 0。任务在工作进程里运行，结果必须"
               "经过管道回到主进程。" * 2 + "\n\n(exercise_test.cc line 9)\n"
               "第二项检查")
        runs = {ex.dir: run_of(ex, 5 if i < 3 else 1, 5, message=why)
                for i, ex in enumerate(COURSE)}
        _, zh = in_both(lambda: screens.render_status(COURSE, runs,
                                                      self.state, STYLE))
        self.assertIn("应当返回", zh)

    def test_status_shows_the_first_failed_check_only(self):
        why = "第一项检查\n\n第二项检查"
        runs = {self.ex[0].dir: run_of(self.ex[0], 1, 2, message=why),
                self.ex[1].dir: run_of(self.ex[1], 0, 2)}
        en, zh = in_both(lambda: screens.render_status(self.ex, runs,
                                                       self.state, STYLE))
        for text in (en, zh):
            self.assertIn("第一项检查", text)
            self.assertNotIn("第二项检查", text)
            self.assertNotIn("more failed check", text)
            self.assertNotIn("这个用例还有", text)
        for line in zh.splitlines():
            self.assertLessEqual(ui.columns(line), 80, line)

    def test_list_and_verify(self):
        runs = {e.dir: run_of(e, 0, 2, built=False) for e in self.ex}
        self.check(lambda: screens.render_list(self.ex, runs, self.state,
                                               STYLE),
                   ["does not compile", "not started: 2 exercises"],
                   ["无法编译", "未开始：2 个练习"])

        class Runner:
            def run(self, exercises):
                return runs

        def verify():
            out = io.StringIO()
            learner.cmd_verify(self.tmp.name, self.ex, Runner(), STYLE, out)
            return out.getvalue()
        self.check(verify, ["0 of 2 exercises pass."],
                   ["2 个练习通过了 0 个。"])

    def test_run(self):
        run = run_of(self.ex[0], 1, 2)
        self.check(lambda: screens.render_run(run, STYLE),
                   ["1 of 2 checks pass", "First failing check: S.C1"],
                   ["2 项检查通过了 1 项", "第一项失败的检查：S.C1"])

    def test_a_pool_static_assert_points_to_its_chinese_explanation(self):
        run = testrun.Run(self.ex[0], False, (
            "exercises/01_ex/exercise.cc:15:20: this line of yours leads to "
            "the error below\n./pool/internal/task.h:281:24: error: static "
            "assertion failed: pool: the arguments (after the task) do not "
            "fit the task's parameters"), [])
        en, zh = in_both(lambda: screens.render_run(run, STYLE) + "\n" +
                         screens.describe_failure(run, STYLE))
        self.assertNotIn("compile_errors.zh-CN.md", en)
        self.assertEqual(zh.count("pool/compile_errors.zh-CN.md"), 2, zh)

    def test_watch(self):
        def watched():
            out = io.StringIO()
            watch.watch(self.tmp.name, self.ex[:1],
                        lambda ex: run_of(ex, 1, 2), self.state, STYLE, out,
                        NoKeys(), poll=0.01, max_cycles=1)
            return out.getvalue()
        self.check(watched, ["checking 01 map", "1 of 2 checks pass.",
                             "h: hint, r: rerun, q: quit"],
                   ["正在检查 01 map", "2 项检查通过了 1 项。",
                    "h：提示，r：重新运行，q：退出"])

    def test_hint_in_the_learners_language(self):
        ex_en, ex_zh = in_both(lambda: exercise(ZH_TOML))

        def hint(ex):
            out = io.StringIO()
            learner.cmd_hint(ex, progress.State(self.tmp.name), STYLE, out)
            return out.getvalue()
        with mock.patch.dict(os.environ, {"COURSE_LANG": "en"}):
            en = hint(ex_en)
        with mock.patch.dict(os.environ, {"COURSE_LANG": "zh"}):
            zh = hint(ex_zh)
        self.assertIn("Hint 1 of 3 for 03 map:", en)
        self.assertIn("  one", en)
        self.assertIn("03 映射 的提示（第 2 条，共 3 条）：", zh)
        self.assertIn("  第二条", zh)
        self.assertIn("再运行 ./course hint 03 看下一条", zh)

    def test_the_title_follows_the_language_on_every_screen(self):
        def screens_of_one_exercise():
            ex = exercise(ZH_TOML, "03_map")
            run = run_of(ex, 1, 2)
            runs = {ex.dir: run}
            out = io.StringIO()
            watch.watch(self.tmp.name, [ex], lambda e: run, self.state,
                        STYLE, out, NoKeys(), poll=0.01, max_cycles=1)
            hint = io.StringIO()
            learner.cmd_hint(ex, progress.State(self.tmp.name), STYLE, hint)
            return {
                "status": screens.render_status([ex], runs, self.state,
                                                STYLE),
                "list": screens.render_list([ex], runs, self.state, STYLE),
                "run": screens.render_run(run, STYLE),
                "watch": out.getvalue(),
                "hint": hint.getvalue(),
                "grade": report.exercise_line(scoring.ExerciseScore(
                    ex, run.cases)),
            }
        en, zh = in_both(screens_of_one_exercise)
        for name in en:
            self.assertIn("03 map", " ".join(en[name].split()), name)
            self.assertNotIn("映射", en[name], name)
            self.assertIn("映射", zh[name], name)
            self.assertNotIn(" map", zh[name], name)

    def test_the_likely_cause_follows_the_language(self):
        result = scoring.PerformanceResult(
            0.1, 0.0, 5.0, [("BM_A/real_time", 100e6, 2e6, 0.02, True)])

        def cause():
            return scoring.slowest(result, exercise(ZH_PERF_TOML).performance)
        self.check(cause, ["Likely cause: one round trip per item"],
                   ["可能的原因：每个元素一次往返"])

    def test_bench_table(self):
        ex = exercise(GOOD_TOML + PERF)
        runs = [read("bench_a_%d.json" % i) for i in (1, 2, 3)]
        slow = [read("bench_b_%d.json" % i) for i in (1, 2, 3)]

        def bench():
            result = scoring.score_performance(ex.performance, slow, runs,
                                               True)
            return scoring.format_performance(result)
        en, zh = self.check(bench, ["benchmark", "reference", "index: "],
                            ["基准测试", "参考答案", "性能指数："])
        # The header's columns line up with the rows' in both languages.
        for text in (en, zh):
            lines = text.splitlines()
            ends = {ui.columns(l.split("  (")[0].rstrip())
                    for l in lines[:-2]}
            self.assertEqual(len(ends), 1, text)

    def test_trace_of_a_build_your_own_exercise(self):
        ex = exercise(GOOD_TOML.replace('"03"', '"b03"').replace(
            "Using a pool", "Build your own pool"), "b03_framing")

        def traced():
            out = io.StringIO()
            trace.cmd_trace(self.tmp.name, ex, STYLE, out)
            return out.getvalue()
        self.check(traced, ["Exercise b03 builds a pool of your own"],
                   ["练习 b03 构建的是你自己的进程池",
                    "strace -f -e trace=process,pipe2"])

    def test_reset_without_a_terminal(self):
        def reset():
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                learner.cmd_reset(self.tmp.name, self.ex[0], STYLE,
                                  io.StringIO())
            return err.getvalue()
        self.check(reset, ["is not a git checkout"], ["不是 git 检出"])

    def test_usage_errors(self):
        def course(*argv):
            err = io.StringIO()
            with contextlib.redirect_stderr(err), \
                    contextlib.redirect_stdout(io.StringIO()):
                try:
                    cli.main(list(argv))
                except SystemExit:
                    pass
            return err.getvalue()
        os.makedirs(os.path.join(self.tmp.name, "exercises/03_map"))
        with open(os.path.join(self.tmp.name, "exercises/03_map/"
                               "course.toml"), "w") as f:
            f.write(GOOD_TOML)
        with mock.patch.dict(os.environ, {"COURSE_ROOT": self.tmp.name}):
            self.check(lambda: course("run", "99"),
                       ["no exercise '99'"], ["没有练习 '99'"])
            self.check(lambda: course("trace", "03", "--pools", "0"),
                       ["--pools must be at least 1"], ["--pools 至少为 1"])

    def test_the_live_line_and_the_first_build(self):
        self.check(lambda: screens.running_line("MapTest.A", 3.7, 20),
                   ["running MapTest.A: 3 s (stopped at 20 s)"],
                   ["正在运行 MapTest.A：3 秒（20 秒时停止）"])
        self.check(lambda: screens.first_build(24, ".course/bazel.log"),
                   ["the tests of 24 exercises"], ["24 个练习的测试"])

    def test_grading_speed_notes(self):
        from coursetool import speed_grading
        self.check(lambda: speed_grading.too_few_cpus_note(1),
                   ["speed not graded: the grader has 1 CPU here"],
                   ["速度不评分：评分程序在这里只有 1 个 CPU"])
        self.check(speed_grading.not_timed_note, ["not timed"], ["没有计时"])

    def test_reasons(self):
        self.check(lambda: results.describe_ending("", 139),
                   ["killed by SIGSEGV (a bad memory access)"],
                   ["被 SIGSEGV（非法内存访问） 杀死"])
        gtest = ("exercises/01_apply/exercise_test.cc:12: Failure\n"
                 'C++ exception with description "boom" thrown in the test '
                 "body.")
        self.check(lambda: results.tidy_failure(gtest),
                   ["(exercise_test.cc line 12)",
                    "your code threw an exception: boom"],
                   ["(exercise_test.cc 第 12 行)", "你的代码抛出了异常：boom"])
        # The report leaves the line out in either language.
        for code in ("en", "zh"):
            with mock.patch.dict(os.environ, {"COURSE_LANG": code}):
                case = results.CaseResult("A.B", results.FAIL,
                                          results.tidy_failure(gtest))
                self.assertNotIn("exercise_test.cc", report._reason(case))
        self.check(lambda: results.describe_hang(20),
                   ["did not finish within 20 s"], ["在 20 秒内没有结束"])


class NoKeys:
    def read(self, timeout):
        return None


class GraderReportTest(unittest.TestCase):

    def graded(self):
        ex = exercise(ZH_TOML)
        s1 = scoring.ExerciseScore(ex, [
            results.CaseResult("MapTest.A", results.PASS),
            results.CaseResult("MapTest.B", results.FAIL,
                               results.describe_ending("", 134))])
        sub = submission.Submission("李雷", "/x/li", {}, {}, [])
        other = submission.Submission("ana", "/x/ana", {}, {}, [])
        return [grader.Graded(sub, [s1], 3.0, []),
                grader.Graded(other, [s1], 4.0, [])]

    def test_the_table_totals_and_summary(self):
        def text():
            g = self.graded()
            return report.text_report(g[0]) + "\n" + report.class_summary(g)
        en, zh = in_both(text)
        self.assertIn("failed 1 of 2", en)
        self.assertIn("Score: 2/3", en)
        self.assertIn("== summary: 2 submissions", en)
        self.assertIn("失败 1/2", zh)
        self.assertIn("总分：2/3", zh)
        self.assertIn("== 汇总：2 份作业", zh)
        self.assertIn("03   映射", zh)
        self.assertIn("03   map", en)
        self.assertIn("测试进程在记录结果之前被 SIGABRT", zh)
        # The header's columns and a row's line up by display width.
        for t in (en, zh):
            lines = t.splitlines()
            head, row = lines[1], lines[2]
            cases = head.split()[3]  # cases / 用例
            at = ui.columns(head[:head.index(cases)])
            self.assertRegex(ui.cut(row, at + 4)[len(ui.cut(row, at - 1)):],
                             r"^ +\d/", t)
        # The summary's names are padded by display width.
        rows = [l for l in zh.splitlines() if "/3" in l and
                ("李雷" in l or "ana" in l)][-2:]
        self.assertEqual(ui.columns(rows[0].split("/")[0]),
                         ui.columns(rows[1].split("/")[0]), rows)

    def test_machine_files_keep_english_names_and_values(self):
        def files():
            g = self.graded()
            return report.results_json(g[0]), report.class_csv(g)
        (en_json, en_csv), (zh_json, zh_csv) = in_both(files)
        self.assertEqual(set(en_json), set(zh_json))
        self.assertEqual([t["name"] for t in en_json["tests"]],
                         [t["name"] for t in zh_json["tests"]])
        self.assertEqual(zh_json["tests"][0]["name"], "03 map: MapTest.A",
                         "results.json names the exercise by its English "
                         "title")
        self.assertEqual([t["status"] for t in zh_json["tests"]],
                         ["passed", "failed"])
        self.assertEqual(en_csv.splitlines()[0], zh_csv.splitlines()[0])
        self.assertIn("failed 1 of 2", zh_csv)
        # The reason, for a human, follows the language.
        self.assertIn("SIGABRT（abort", zh_json["tests"][1]["output"])


class DisplayWidthTest(unittest.TestCase):

    def test_columns(self):
        self.assertEqual(ui.columns("abc"), 3)
        self.assertEqual(ui.columns("进程池"), 6)
        self.assertEqual(ui.columns("（a）"), 5)  # full-width brackets
        self.assertEqual(ui.columns("\033[31mX\033[0m"), 1)

    def test_pad_and_cut_never_split_a_character(self):
        self.assertEqual(ui.pad("进程", 6), "进程  ")
        self.assertEqual(ui.cut("进程池", 5), "进程")
        self.assertEqual(ui.columns(ui.pad(ui.cut("进程池", 5), 5)), 5)

    def test_chinese_wraps_by_width_between_characters(self):
        text = ("每个练习都有自己的提示，一次一条：先是轻轻一推，最后几乎是"
                "答案（运行 ./course hint 03 查看下一条）。" * 3)
        for width in (20, 31, 40, 78):
            lines = ui.fill(text, width, "  ", "  ")
            for line in lines:
                self.assertLessEqual(ui.columns(line), width, line)
                # Closing punctuation never starts a line.
                self.assertNotIn(line.strip()[:1], "，。：、）", line)
                self.assertNotIn(line[-1:], "（", line)
            self.assertEqual("".join(l.strip().replace(" ", "")
                                     for l in lines),
                             text.replace(" ", ""))
            self.assertIn("./course", "".join(lines))  # a word stays whole

    def test_help_wraps_by_width(self):
        out = io.StringIO()
        with mock.patch.dict(os.environ, {"COLUMNS": "60"}), \
                contextlib.redirect_stdout(out):
            with self.assertRaises(SystemExit):
                cli.main(["--lang", "zh", "grade", "--help"])
        self.assertIn("只给这些练习评分", out.getvalue())
        for line in out.getvalue().splitlines():
            self.assertLessEqual(ui.columns(line), 60, line)

    def test_english_wraps_at_spaces(self):
        text = "the quick brown fox jumps over the lazy dog " * 4
        lines = ui.fill(text, 30)
        self.assertTrue(all(ui.columns(l) <= 30 for l in lines))
        self.assertEqual(" ".join(lines), text.strip())

    def test_a_long_word_is_cut_only_when_asked(self):
        word = "x" * 50
        self.assertEqual(ui.fill(word, 20, cut_long=False), [word])
        self.assertEqual(ui.fill(word, 20), ["x" * 20, "x" * 20, "x" * 10])

    def test_hint_wraps_to_the_terminal_by_width(self):
        hint = "提示" * 60
        with mock.patch.object(ui, "width", lambda: 50):
            wrapped = ui.wrap(hint, "  ")
        self.assertTrue(all(ui.columns(l) <= 50 for l in
                            wrapped.splitlines()), wrapped)
        self.assertGreater(len(wrapped.splitlines()), 4)

    def test_live_line_cuts_by_width(self):
        class Tty(io.StringIO):
            def isatty(self):
                return True
        out = Tty()
        with mock.patch.object(ui, "width", lambda: 21):
            ui.LiveLine(out).show("正在运行" * 10)
        shown = out.getvalue().split("\033[K")[1]
        self.assertEqual(ui.columns(shown), 20)


if __name__ == "__main__":
    unittest.main()
