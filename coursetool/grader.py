"""`./course grade`: grading submissions in workspaces of their own.

For each submission, in a claimed workspace (workspace.py):
  1. The tree is rewritten: the checkout's committed files, the
     submission's exercise files, and a generated package course_grading/
     (package.py) that runs every test case of every exercise in
     a process of its own (one Bazel test shard per case, each with the
     exercise's time limit), plus the instructor's hidden tests.
  2. One `bazel test` builds and runs all of it in Bazel's linux-sandbox,
     with a private /tmp and /dev/shm, and with the other workspaces, the
     other submissions and the hidden tests' directory hidden.
  3. Each case's verdict is read from the JUnit XML its process wrote, and
     only for the case names the grader listed itself from the reference
     solution's test binary. A case with no record failed, with the reason.

What a submission's code can still do is written down in
exercises/README.md ("What the grader trusts").
"""

import dataclasses
import os
import subprocess
import time

from . import bazel
from . import errors
from . import hidden as hidden_mod
from . import package
from . import results
from . import scoring
from . import slot_bazel
from . import speed_grading
from . import workspace
from .package import PACKAGE
from .lang import T


@dataclasses.dataclass
class Options:
    timeout: int | None = None  # overrides every exercise's limit
    hidden: str | None = None
    sandbox: str = "required"  # required | auto | off
    cache: str | None = None
    jobs: int | None = None
    performance: bool = True
    base: str = "HEAD"  # the revision whose tests and starters are used
    bench_rounds: int = 3  # interleaved rounds of each benchmark pair
    # Rounds run first; an index clearly outside the scoring band stops
    # there (scoring.measure). None: `bench_rounds` from the start.
    bench_probe: int | None = 1
    # --benchmark_min_time per repetition, seconds, and repetitions per
    # run (the fastest is taken: scoring.benchmark_times).
    bench_min_time: float | None = 0.05
    bench_repetitions: int = 5


@dataclasses.dataclass
class Graded:
    submission: object
    exercises: list  # scoring.ExerciseScore
    seconds: float
    warnings: list
    notes: list = dataclasses.field(default_factory=list)  # e.g. speed

    @property
    def score(self):
        return sum(e.score for e in self.exercises)

    @property
    def max_score(self):
        return sum(e.max_score for e in self.exercises)


def grade_all(checkout, exercises, submissions, options, on_graded,
              log=None):
    """Grades each submission in one claimed workspace, calling
    on_graded(index, Graded) after each; returns [Graded]. With
    options.sandbox "auto", a machine without linux-sandbox grades
    without it (and says so)."""
    log = log or (lambda msg: None)
    check_paths(options.cache or workspace.default_cache(),
                [s.path for s in submissions] +
                ([options.hidden] if options.hidden else []),
                sandboxed=options.sandbox != "off")
    g = Grader(checkout, exercises, options, log=log)
    graded = []
    try:
        for i, sub in enumerate(submissions):
            log("%d/%d %s" % (i + 1, len(submissions), sub.name))
            try:
                result = g.grade(sub, submissions)
            except errors.ToolError as e:
                if (options.sandbox != "auto" or
                        "linux-sandbox" not in str(e)):
                    raise
                log(T("no linux-sandbox here; grading without it "
                      "(--sandbox=auto)",
                      "这里没有 linux-sandbox；不用沙箱评分（--sandbox=auto）"))
                options.sandbox = "off"
                result = g.grade(sub, submissions)
            graded.append(result)
            on_graded(i, result)
    finally:
        g.close()
    return graded


class Grader:
    """Grades submissions one after another in one claimed workspace:
    lists the trusted test cases once, then for each submission rewrites
    the tree, builds, tests and scores."""

    def __init__(self, checkout, exercises, options, log=None):
        self.checkout = os.path.abspath(checkout)
        self.exercises = exercises
        self.options = options
        self.log = log or (lambda msg: None)
        self.cache = options.cache or workspace.default_cache()
        self.hidden = (hidden_mod.load_hidden(options.hidden, exercises)
                       if options.hidden else None)
        self.base_files, self.revision = workspace.committed_files(
            self.checkout, options.base)
        self.slot = workspace.claim(self.cache)
        # Bazel's logs and event files of the latest run in this slot, kept
        # for the instructor to read ("see the grader's Bazel log").
        self.bz = slot_bazel.SlotBazel(
            self.slot, self.cache,
            os.path.join(self.cache, "logs", str(self.slot.index)), options)
        # Speed needs CPUs to run a pool's workers in parallel; without
        # them it is left out of every submission's score, and said so.
        self.speed_note = (speed_grading.too_few_cpus_note(
            speed_grading.available_cpus()) if options.performance else "")
        if self.speed_note:
            self.log(self.speed_note)
        # The reference's benchmark timings, kept across submissions.
        self.reference_times = speed_grading.ReferenceTimes()
        self.cases = None  # exercise dir -> [case], once listed
        self.hidden_cases = {}
        self.deps = {}

    def close(self):
        self.slot.release()

    def limit(self, ex):
        return self.options.timeout or ex.timeout

    def _sandbox(self, submissions, for_tests):
        return self.bz.sandbox_flags(submissions, self.hidden, for_tests)

    # -- the trusted list of test cases

    def list_cases(self):
        """Builds the reference solutions' test binaries (and the hidden
        tests on the reference) and lists their test cases. Trusted code
        only: the committed tests and solutions."""
        if self.cases is not None:
            return
        self.log(T("listing the test cases from the reference solutions",
                   "正在从参考答案列出测试用例"))
        if self.hidden:
            # The hidden tests link against what the exercise's own test
            # links against (the learner's library or the solution's).
            workspace.sync_tree(self.slot.tree, self.base_files)
            labels = []
            for ex in self.exercises:
                if ex.dir in self.hidden.files:
                    labels += [ex.test_label, ex.solution_label]
            self.deps = self.bz.query_deps(labels)
        files = dict(self.base_files)
        files.update(package.grading_package([], self.hidden, self.deps,
                                             self.exercises))
        workspace.sync_tree(self.slot.tree, files)
        targets = [ex.solution_label for ex in self.exercises]
        if self.hidden:
            targets += ["//%s:%s_hidden_reference" % (PACKAGE, d)
                        for d in self.hidden.files]
        bep = self.bz.events_file("list")
        _, log = self.bz.run("build", self.bz.common_flags(bep) + targets,
                             "list")
        events = bazel.parse_events(bep)
        cases = {}
        for ex in self.exercises:
            cases[ex.dir] = list_binary(events, "solutions/%s/test" % ex.dir,
                                        log, self.slot.tree)
            if self.hidden and ex.dir in self.hidden.files:
                self.hidden_cases[ex.dir] = list_binary(
                    events, "%s/%s_hidden_reference" % (PACKAGE, ex.dir),
                    log, self.slot.tree)
        self.cases = cases

    # -- one submission

    def grade(self, sub, all_submissions):
        start = time.monotonic()
        self.list_cases()
        present = [ex for ex in self.exercises if sub.has(ex)]
        mapping, timeout_flag = package.timeout_plan(
            [self.limit(ex) for ex in self.exercises] or [60])
        plan = [(ex, self.cases[ex.dir], self.hidden_cases.get(ex.dir, []),
                 mapping[self.limit(ex)]) for ex in present]
        files = dict(self.base_files)
        for ex in present:
            for f, data in sub.files[ex.dir].items():
                files["%s/%s" % (ex.path, f)] = (data, False)
        files.update(package.grading_package(plan, self.hidden, self.deps,
                                             self.exercises))
        workspace.sync_tree(self.slot.tree, files)
        events, build_log = self._build_and_test(sub, plan, timeout_flag,
                                                 all_submissions)
        scores = []
        for ex in self.exercises:
            scores.append(score_exercise(
                ex, sub, events, build_log, self.cases[ex.dir],
                self.hidden_cases.get(ex.dir, []),
                self.hidden.weights.get(ex.dir, {}) if self.hidden else {},
                self.limit(ex)))
            scores[-1].speed_graded = self.grades_speed
        if self.grades_speed:
            timed = [s for s in scores if s.graded_on_speed and
                     sub.has(s.exercise)]
            speed_grading.not_timed([s for s in timed if not s.all_passed])
            speed_grading.measure_speed(
                self.bz, [s for s in timed if s.all_passed], self.options,
                self._sandbox(all_submissions, True), self.log,
                self.reference_times)
        return Graded(sub, scores, time.monotonic() - start,
                      list(sub.warnings),
                      [self.speed_note] if self.speed_note else [])

    @property
    def grades_speed(self):
        return self.options.performance and not self.speed_note

    def _build_and_test(self, sub, plan, timeout_flag, all_submissions):
        """(test events, build log) of the planned exercises, or (None,
        None) when nothing was submitted. Step 1 builds, with the
        submission's code compiled in the sandbox too; step 2 runs the
        tests (only test actions are left), with the hidden tests' sources
        hidden as well."""
        targets = []
        for ex, cases, hidden_cases, _ in plan:
            targets.append("//%s:%s" % (PACKAGE, ex.dir))
            if hidden_cases:
                targets.append("//%s:%s_hidden_graded" % (PACKAGE, ex.dir))
        if not targets:
            return None, None
        bz = self.bz
        t0 = time.monotonic()
        build_events, build_log = bz.run_checked(
            "build", bz.common_flags(bz.events_file("build")) +
            [timeout_flag] + self._sandbox(all_submissions, False) +
            slot_bazel.profile("build") + targets, "build")
        t1 = time.monotonic()
        events, _ = bz.run_checked(
            "test", bz.common_flags(bz.events_file("test")) +
            [timeout_flag] + self._sandbox(all_submissions, True) +
            slot_bazel.profile("test") + targets, "test")
        self.log(T("{name}: built in {built:.0f} s, tested in "
                   "{tested:.0f} s",
                   "{name}：构建用了 {built:.0f} 秒，测试用了 {tested:.0f} 秒",
                   name=sub.name, built=t1 - t0,
                   tested=time.monotonic() - t1))
        # Compiler output lives in the build step's records.
        events.failed_actions = build_events.failed_actions
        return events, build_log


def list_binary(events, rel, log, tree):
    """The test cases a trusted test binary lists."""
    binary = events.files.get(rel)
    if not binary or not os.path.exists(binary):
        raise errors.ToolError(T(
            "the reference {rel} did not build, so its test cases cannot "
            "be listed; the end of Bazel's output:\n{lines}",
            "参考答案 {rel} 无法构建，所以列不出它的测试用例；Bazel 输出的"
            "最后几行：\n{lines}", rel=rel,
            lines="\n".join(bazel.read_text(log).splitlines()[-25:])))
    out = subprocess.run([binary, "--gtest_list_tests"],
                         capture_output=True, text=True, timeout=120,
                         cwd=tree, stdin=subprocess.DEVNULL)
    if out.returncode != 0:
        raise errors.ToolError(T("{binary} --gtest_list_tests failed:\n"
                                 "{stderr}",
                                 "{binary} --gtest_list_tests 失败了：\n"
                                 "{stderr}", binary=binary,
                                 stderr=out.stderr[-2000:]))
    cases = results.parse_test_list(out.stdout)
    if not cases:
        raise errors.ToolError(T("{binary} lists no test cases",
                                 "{binary} 没有列出任何测试用例",
                                 binary=binary))
    return cases


def score_exercise(ex, sub, events, build_log, cases, hidden_cases,
                   hidden_weights, limit):
    """One exercise's ExerciseScore from the test events of its
    submission (None when nothing was built)."""
    notes = list(sub.notes.get(ex.dir, []))
    if not sub.has(ex):
        why = T("not submitted: {files} missing", "未提交：缺少 {files}",
                files=", ".join("%s/%s" % (ex.dir, f) for f in ex.files))
        if notes:
            why += " (" + "; ".join(notes) + ")"
        return scoring.ExerciseScore(
            ex, _all(cases, why), _all(hidden_cases, why), why, False,
            hidden_weights=hidden_weights)
    missing = sub.missing(ex)
    if missing:
        notes.append(T("graded with the starter's {files} (not in the "
                       "submission)",
                       "用起始代码的 {files} 评分（作业里没有）",
                       files=", ".join(missing)))
    runs = events.tests.get("//%s:%s" % (PACKAGE, ex.dir))
    if not runs:
        output = bazel.failed_build_output(events, build_log,
                                           {ex.path, PACKAGE})
        error = results.first_compiler_error(
            output, prefer=[ex.path + "/" + f for f in ex.files],
            read_line=results.line_reader(
                lambda path: _submitted_text(sub, ex, path)))
        why = T("does not compile", "无法编译")
        note = error or T("did not build (see the grader's Bazel log)",
                          "无法构建（见评分程序的 Bazel 日志）")
        return scoring.ExerciseScore(
            ex, _all(cases, why + ":\n" + note),
            _all(hidden_cases, why), note, False,
            hidden_weights=hidden_weights)
    got = cases_from_runs(runs, cases, limit)
    hidden_got = []
    if hidden_cases:
        hruns = events.tests.get("//%s:%s_hidden_graded" % (PACKAGE, ex.dir))
        if hruns:
            hidden_got = cases_from_runs(hruns, hidden_cases, limit)
        else:
            hidden_got = _all(hidden_cases, T(
                "the hidden tests did not build against this submission",
                "隐藏测试无法与这份作业一起构建"))
    return scoring.ExerciseScore(ex, got, hidden_got, "; ".join(notes),
                                 True, hidden_weights=hidden_weights)


def _submitted_text(sub, ex, path):
    """The text of a submitted file of `ex` at `path`, or None."""
    if not path.startswith(ex.path + "/"):
        return None
    data = sub.files.get(ex.dir, {}).get(path[len(ex.path) + 1:])
    return data.decode("utf-8", errors="replace") if data else None


def cases_from_runs(runs, cases, limit):
    """One CaseResult per case, from the shard runs (bazel.TestRun) of a
    generated test whose shards ran shard_filters(cases). Verdicts come
    from each shard's XML, for that shard's cases only; a case without one
    failed, with why its process recorded nothing."""
    filters = package.shard_filters(cases)
    out = {}
    for r in runs:
        idx = r.shard - 1
        if idx >= len(filters):
            continue
        shard_cases = filters[idx].split(":")
        xml = bazel.read_text(r.xml)
        recorded = results.parse_junit_xml(xml) if xml else {}
        recorded = {k: v for k, v in recorded.items() if k in shard_cases}
        ending = results.describe_ending(
            r.status, results.exit_code_from_xml(xml), limit)
        running = results.running_case(bazel.read_text(r.log))

        def reason(name, ending=ending, running=running,
                   alone=len(shard_cases) == 1):
            if alone or name == running:
                return T("no result: {ending}", "没有结果：{ending}",
                         ending=ending)
            return T("no result: the test process ended before this case "
                     "({ending})",
                     "没有结果：测试进程在这个用例之前就结束了（{ending}）",
                     ending=ending)
        for c in results.match_cases(shard_cases, recorded, reason):
            c.timed_out = (r.status == "TIMEOUT" and
                           c.status == results.NO_RESULT)
            out[c.name] = c
    return [out.get(name) or results.CaseResult(
        name, results.NO_RESULT,
        T("no result: the test did not run (the run was interrupted?)",
          "没有结果：测试没有运行（运行被中断了？）"))
        for name in cases]


def _all(cases, why):
    return [results.CaseResult(c, results.NO_RESULT, why) for c in cases]


def check_paths(cache, paths, sandboxed=True):
    """Refuses submission or hidden paths that hold the grader's own
    workspace (the test sandbox hides them, and that would hide the
    tests' own files too), and, with the sandbox, a workspace under a
    directory the sandbox makes private to each test (it cannot hide the
    directory that holds the workspace, so the tests would share it)."""
    for p in paths:
        if slot_bazel.is_within(cache, p):
            raise errors.UsageError(T(
                "{path} contains the grader's workspace ({cache}); grade a "
                "directory that holds only the submission, or pass "
                "--cache elsewhere",
                "{path} 包含评分程序的工作区（{cache}）；请给只含作业的目录"
                "评分，或用 --cache 指定别处", path=p, cache=cache))
    real = os.path.realpath(cache)
    for private in slot_bazel.PRIVATE_DIRS if sandboxed else ():
        if slot_bazel.is_within(real, private):
            raise errors.UsageError(T(
                "the grader's workspace {cache} is under {private}, which "
                "the sandbox gives each submission's tests empty and of "
                "their own; it cannot do that for a directory that holds "
                "the workspace, so the submissions would share it: pass "
                "--cache with a directory outside {private} (the default "
                "is ~/.cache/course-grader)",
                "评分程序的工作区 {cache} 在 {private} 之下；沙箱会给每份作业"
                "的测试一个空的、它们自己的 {private}，但对装着工作区的目录做"
                "不到这一点，作业之间就会共用它：请用 --cache 指定 {private} "
                "之外的目录（默认是 ~/.cache/course-grader）",
                cache=cache, private=private))
