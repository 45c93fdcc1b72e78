"""Speed points in `./course grade`: each exercise's benchmark pair timed
in the grading workspace, and scored."""

import math
import os
import shutil
import time

from . import bench_pair
from . import lang
from . import scoring
from . import slot_bazel
from .lang import T
from .package import PACKAGE, bench_targets


# The benchmarks time a pool of worker processes against the reference's:
# with fewer CPUs than this, parallel work cannot be told from serial work,
# so the index means nothing and no speed points are given.
CPUS_NEEDED = 2


def _cgroup_quota(cgroup_file, root):
    """The CPU quota (in CPUs) of this process's cgroup and its parents,
    the smallest one, or None: cgroup v2's cpu.max ("QUOTA PERIOD" or
    "max PERIOD"), v1's cpu.cfs_quota_us / cpu.cfs_period_us."""
    limits = []
    try:
        with open(cgroup_file, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":
            base, names = root, ("cpu.max",)
        elif "cpu" in controllers.split(","):
            base = os.path.join(root, controllers)
            if not os.path.isdir(base):
                base = os.path.join(root, "cpu,cpuacct")
            names = ("cpu.cfs_quota_us", "cpu.cfs_period_us")
        else:
            continue
        rel = path.strip("/")
        while True:
            d = os.path.join(base, rel)
            limits.append(_read_quota(d, names))
            if not rel:
                break
            rel = os.path.dirname(rel)
    limits = [x for x in limits if x is not None]
    return min(limits) if limits else None


def _read_quota(d, names):
    try:
        if len(names) == 1:
            with open(os.path.join(d, names[0]), encoding="utf-8") as f:
                quota, period = f.read().split()[:2]
        else:
            with open(os.path.join(d, names[0]), encoding="utf-8") as f:
                quota = f.read().strip()
            with open(os.path.join(d, names[1]), encoding="utf-8") as f:
                period = f.read().strip()
        if quota in ("max", "-1"):
            return None
        return int(quota) / int(period)
    except (OSError, ValueError, ZeroDivisionError):
        return None


def available_cpus(cgroup_file="/proc/self/cgroup", root="/sys/fs/cgroup"):
    """How many CPUs this process may use: the CPUs it may run on
    (sched_getaffinity, e.g. `taskset`), capped by its cgroup's CPU quota
    (a container's --cpus, Gradescope's 0.5 vCPU)."""
    try:
        cpus = float(len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        cpus = float(os.cpu_count() or 1)
    quota = _cgroup_quota(cgroup_file, root)
    return min(cpus, quota) if quota is not None else cpus


def too_few_cpus_note(cpus):
    """Why speed is not graded on a machine with `cpus` CPUs, or "" when
    there are enough."""
    if cpus >= CPUS_NEEDED:
        return ""
    shown = ("%g" % cpus) if cpus != math.floor(cpus) else "%d" % cpus
    return T("speed not graded: the grader has {cpus} CPU{s} here and the "
             "benchmarks need {needed} (a pool's workers must run in "
             "parallel to be timed), so no speed points are given or "
             "counted in the total; give the grader {needed} CPUs (e.g. "
             "Gradescope's autograder settings) to grade speed",
             "速度不评分：评分程序在这里只有 {cpus} 个 CPU，而基准测试需要 "
             "{needed} 个（进程池的工作进程必须并行运行才能计时），所以不给"
             "速度分，也不计入总分；给评分程序 {needed} 个 CPU（例如在 "
             "Gradescope 的自动评分程序设置中）才能给速度评分",
             cpus=shown, s="" if cpus == 1 else "s", needed=CPUS_NEEDED)


def not_timed_note():
    return T("not timed: speed is only scored once every test case passes",
             "没有计时：所有测试用例都通过后速度才计分")


def not_timed(scores):
    """Sets the performance of exercises whose cases did not all pass:
    they can earn no speed points, so their benchmarks are not built or
    run (the learner's `./course bench` times them for information)."""
    for es in scores:
        es.performance = scoring.PerformanceResult(
            None, 0.0, es.exercise.performance.points, [],
            not_timed_note())


class ReferenceTimes:
    """The reference's benchmark timings, kept across the submissions of
    one grading run, so that the reference is not timed again beside
    every submission.

    Each exercise's reference is timed alone (its own test, trusted
    binaries only: no submission's code runs in it), options.bench_rounds
    rounds. Each submission's benchmarks then run with one of the
    reference's benchmarks beside them, a canary rotating over the
    benchmarks from one submission to the next: when the canary's time is
    off the kept one by more than a factor of DRIFT (the machine got
    faster or slower: other work started or stopped), the reference is
    timed again and the submission's benchmarks run again. Kept timings
    also expire after REFRESH_EVERY submissions. A submission whose index
    falls inside the scoring band is topped up with interleaved rounds of
    both binaries, as without kept timings."""

    REFRESH_EVERY = 5
    DRIFT = 1.25

    def __init__(self):
        self.kept = {}  # exercise dir -> {"runs": [json], "uses": int}
        self.submissions = 0  # the canary's index

    def stale(self, d):
        e = self.kept.get(d)
        return e is None or e["uses"] >= self.REFRESH_EVERY

    def store(self, d, runs):
        self.kept[d] = {"runs": list(runs), "uses": 0}

    def drop(self, d):
        self.kept.pop(d, None)

    def runs(self, d):
        return self.kept[d]["runs"] if d in self.kept else None

    def use(self, d):
        self.kept[d]["uses"] += 1

    def drift(self, d, canary_runs):
        """The largest factor by which a benchmark of canary_runs (the
        reference's JSON texts taken beside a submission) is off the kept
        median, or None when none can be compared."""
        kept = scoring.median_times([scoring.benchmark_times(t)
                                     for t in self.runs(d) or []])
        now = scoring.median_times([scoring.benchmark_times(t)
                                    for t in canary_runs])
        factors = [max(now[n] / kept[n], kept[n] / now[n])
                   for n in now if n in kept]
        return max(factors) if factors else None


def measure_speed(bz, scores, options, sandbox_flags, log, kept=None):
    """Times each exercise's benchmarks (bench_pair.py, as tests of the
    generated package) and sets each score's performance. bz: the
    workspace's slot_bazel.SlotBazel; sandbox_flags: its flags for the
    test step; kept: the ReferenceTimes of this grading run (None: the
    reference is timed beside this submission only).

    All the benchmarks are built first, with -c opt, in one step; then
    they run one at a time (--local_test_jobs=1), so no compile and no
    other benchmark shares the machine with a timed run. The reference's
    timings come from `kept` (see ReferenceTimes). Each submission first
    runs options.bench_probe rounds; one whose index is not clearly
    outside the scoring band runs more, interleaved with the reference
    (scoring.rounds_needed). The pool::Pool rows (shown, not scored) are
    not run."""
    if not scores:
        return
    kept = kept if kept is not None else ReferenceTimes()
    start = time.monotonic()
    targets, references, build = bench_targets(
        scores, options, skip=[scoring.UNSCORED_PREFIX])
    package = os.path.join(bz.slot.tree, PACKAGE)
    with open(os.path.join(package, "BUILD"), "ab") as f:
        f.write(build.encode())
    dest = os.path.join(package, "bench_pair.py")
    shutil.copyfile(bench_pair.__file__, dest)
    os.chmod(dest, 0o755)
    flags = ["-c", "opt", "--test_timeout=1800"] + sandbox_flags
    bz.run_checked("build", bz.common_flags(bz.events_file("bench_build")) +
                   flags + sorted(targets.values()) +
                   sorted(references.values()), "bench_build")
    built = time.monotonic()

    def run(labels, args):
        """{exercise dir: bench_pair data} of the tests labels[dir]; a
        test that recorded nothing has the reason in its errors."""
        events, _ = bz.run_checked(
            "test", bz.common_flags(bz.events_file("bench")) + flags + [
                "--local_test_jobs=1", "--nocache_test_results",
                # bench_pair.py's notes in the grader's language.
                "--test_env=COURSE_LANG=" + (
                    "zh" if lang.chinese_wanted() else "en")] +
            ["--test_arg=" + a for a in args] + slot_bazel.profile("bench") +
            sorted(labels.values()),
            "bench")
        out = {}
        for d, label in labels.items():
            runs = events.tests.get(label)
            data = bench_pair.read_outputs(runs[0].xml) if runs else None
            out[d] = data if data is not None else {
                "learner": [], "reference": [], "errors": [
                    T("the benchmark did not build (see the grader's Bazel "
                      "log)", "基准测试无法构建（见评分程序的 Bazel 日志）")
                    if not runs else
                    T("the benchmark run recorded nothing ({status})",
                      "基准测试的运行什么也没有记录（{status}）",
                      status=runs[0].status)]}
        return out

    def time_reference(dirs):
        got = run({d: references[d] for d in dirs},
                  ["--rounds=%d" % options.bench_rounds])
        for d in dirs:
            if got[d]["reference"] and not got[d]["errors"]:
                kept.store(d, got[d]["reference"])
            else:
                kept.drop(d)  # timed beside the submission instead

    by_dir = {es.exercise.dir: es for es in scores}
    probe = options.bench_probe or options.bench_rounds
    stale = sorted(d for d in by_dir if kept.stale(d))
    if stale:
        time_reference(stale)
    canary = ["--rounds=%d" % probe,
              "--reference-canary=%d" % kept.submissions]
    kept.submissions += 1
    with_kept = {d: targets[d] for d in by_dir if kept.runs(d)}
    data = run(with_kept, canary) if with_kept else {}
    moved = {}
    for d in with_kept:
        f = kept.drift(d, data[d]["reference"])
        if f is not None and f > kept.DRIFT and d not in stale:
            moved[d] = f
    if moved:
        log(T("the reference's timings moved ({moved}): timing it again",
              "参考答案的计时变了（{moved}）：重新计时",
              moved=", ".join("%s %.2fx" % (d, f)
                              for d, f in sorted(moved.items()))))
        time_reference(sorted(moved))
        data.update(run({d: targets[d] for d in moved if kept.runs(d)},
                        canary))
    alone = {d: targets[d] for d in by_dir if not kept.runs(d)}
    if alone:
        data.update(run(alone, ["--rounds=%d" % probe]))
    for d in by_dir:
        if kept.runs(d):
            data[d]["reference"] = list(kept.runs(d))
            kept.use(d)
    # The pairs that need more rounds (scoring.rounds_needed) run them
    # with the reference interleaved, in one Bazel run per number of
    # rounds.
    while True:
        need = {}
        for d, es in by_dir.items():
            perf = es.exercise.performance
            es.performance = scoring.score_performance(
                perf, data[d]["learner"], data[d]["reference"],
                es.all_passed)
            n = scoring.rounds_needed(perf, es.all_passed, data[d],
                                      es.performance, options.bench_rounds,
                                      options.bench_probe)
            if n:
                need.setdefault(n, []).append(d)
        if not need:
            break
        for n, dirs in sorted(need.items()):
            more = run({d: targets[d] for d in dirs}, ["--rounds=%d" % n])
            for d in dirs:
                data[d] = scoring.merge_rounds(data[d], more[d])
    for d, es in by_dir.items():
        if data[d]["errors"] and es.performance.index is None:
            es.performance.note = "; ".join(data[d]["errors"])
    log(T("timed {n} benchmark pair{s}: built in {built:.0f} s, ran in "
          "{ran:.0f} s",
          "给 {n} 对基准测试计了时：构建用了 {built:.0f} 秒，运行用了 "
          "{ran:.0f} 秒", n=len(scores), s="" if len(scores) == 1 else "s",
          built=built - start, ran=time.monotonic() - built))
