"""Speed points in `./course grade`: each exercise's benchmark pair timed
in the grading workspace, and scored."""

import os
import shutil
import time

from . import bench_pair
from . import scoring
from .package import PACKAGE, bench_targets


def measure_speed(bz, scores, options, sandbox_flags, log):
    """Times each exercise's benchmark pair (bench_pair.py, as a test of
    the generated package) and sets each score's performance. bz: the
    workspace's slot_bazel.SlotBazel; sandbox_flags: its flags for the
    test step.

    All the pairs are built first, with -c opt, in one step; then they run
    one at a time (--local_test_jobs=1), so no compile and no other
    benchmark shares the machine with a timed run. An index between the
    thresholds is measured again (scoring.measure)."""
    if not scores:
        return
    start = time.monotonic()
    targets, build = bench_targets(scores, options)
    package = os.path.join(bz.slot.tree, PACKAGE)
    with open(os.path.join(package, "BUILD"), "ab") as f:
        f.write(build.encode())
    dest = os.path.join(package, "bench_pair.py")
    shutil.copyfile(bench_pair.__file__, dest)
    os.chmod(dest, 0o755)
    flags = ["-c", "opt", "--test_timeout=1800"] + sandbox_flags
    bz.run_checked("build", bz.common_flags(bz.events_file("bench_build")) +
                   flags + sorted(targets.values()), "bench_build")
    built = time.monotonic()

    def run(dirs):
        """{exercise dir: bench_pair data or a reason it has none}."""
        events, _ = bz.run_checked(
            "test", bz.common_flags(bz.events_file("bench")) + flags + [
                "--local_test_jobs=1", "--nocache_test_results"] +
            sorted(targets[d] for d in dirs), "bench")
        out = {}
        for d in dirs:
            runs = events.tests.get(targets[d])
            data = bench_pair.read_outputs(runs[0].xml) if runs else None
            out[d] = data if data is not None else (
                "the benchmark did not build (see the grader's Bazel log)"
                if not runs else
                "the benchmark run recorded nothing (%s)" % runs[0].status)
        return out

    first = run([es.exercise.dir for es in scores])
    for es in scores:
        perf = es.exercise.performance
        data = first[es.exercise.dir]
        if isinstance(data, str):
            es.performance = scoring.PerformanceResult(
                None, 0.0, perf.points, [], data)
            continue

        def again(_, d=es.exercise.dir):
            more = run([d])[d]
            return more if not isinstance(more, str) else {
                "learner": [], "reference": [], "errors": [more]}
        es.performance, data = scoring.measure(
            perf, es.all_passed, again, options.bench_rounds, first=data)
        if data.get("errors") and es.performance.index is None:
            es.performance.note = "; ".join(data["errors"])
    log("timed %d benchmark pair%s: built in %.0f s, ran in %.0f s" % (
        len(scores), "" if len(scores) == 1 else "s", built - start,
        time.monotonic() - built))
