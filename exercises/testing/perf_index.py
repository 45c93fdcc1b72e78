#!/usr/bin/env python3
"""Computes an exercise's performance index from its two benchmark binaries.

    perf_index.py LEARNER_BENCH REFERENCE_BENCH [--config TOML] [--rounds N]
                  [--check-points-at-most P] [--check-points-at-least P]
                  [-- BENCHMARK_ARGS...]

The formula is the one in COURSE_SPEC.md, "Performance index": the two
binaries run interleaved (learner, reference, learner, reference, ...),
`--rounds` times each, with --benchmark_format=json; per benchmark name the
median real_time over the rounds; the index is the geometric mean, over
the names present in both except those starting with BM_Pool (pool::Pool
rows, shown and not scored), of reference time / learner time. With
--config (a course.toml, or a performance.toml holding just the
[performance] table) it also gives the points:
points * clamp((index - zero_at) / (full_at - zero_at), 0, 1).

This is the small stand-in that the course tool (./course bench) takes
over; the tests under exercises/testing/naive use it to show that a naive
solution loses the performance points. Build both binaries with -c opt for
figures that mean anything; arguments after -- go to both binaries (for
example --benchmark_min_time=0.1).

Exit status: 0, or 1 if a --check-points-* bound does not hold, 2 on
misuse or if a binary fails.
"""

import argparse
import json
import math
import statistics
import subprocess
import sys
import tomllib

_UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def run_benchmark(binary, extra_args):
    """Runs one binary once; returns {name: real_time in ns}."""
    out = subprocess.run(
        [binary, "--benchmark_format=json", *extra_args],
        check=True, capture_output=True, text=True).stdout
    times = {}
    for row in json.loads(out)["benchmarks"]:
        if row.get("run_type", "iteration") != "iteration":
            continue  # Aggregates (mean, median...) of --repetitions.
        times.setdefault(row["name"], []).append(
            row["real_time"] * _UNIT_NS[row.get("time_unit", "ns")])
    return {name: statistics.median(values) for name, values in times.items()}


def medians(runs):
    """[{name: time}, ...] -> {name: median over the runs that have it}."""
    names = {name for run in runs for name in run}
    return {name: statistics.median([run[name] for run in runs if name in run])
            for name in names}


def index_of(learner, reference):
    """The geometric mean of reference / learner over the scored names."""
    scored = sorted(name for name in learner.keys() & reference.keys()
                    if not name.startswith("BM_Pool"))
    if not scored:
        return None, scored
    logs = [math.log(reference[n] / learner[n]) for n in scored]
    return math.exp(sum(logs) / len(logs)), scored


def points_of(index, performance):
    """Points per the spec's formula, for a [performance] table."""
    full, zero = performance["full_at"], performance["zero_at"]
    fraction = min(1.0, max(0.0, (index - zero) / (full - zero)))
    return performance["points"] * fraction


def read_performance(path):
    with open(path, "rb") as f:
        return tomllib.load(f)["performance"]


def format_time(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def main(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("learner", help="the benchmark on the learner's code")
    parser.add_argument("reference", help="the same benchmark on the reference")
    parser.add_argument("--config", help="course.toml or performance.toml")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--check-points-at-most", type=float)
    parser.add_argument("--check-points-at-least", type=float)
    benchmark_args = []
    if "--" in argv:
        benchmark_args = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    args = parser.parse_args(argv)
    args.benchmark_args = benchmark_args

    learner_runs, reference_runs = [], []
    try:
        for _ in range(args.rounds):
            learner_runs.append(run_benchmark(args.learner, args.benchmark_args))
            reference_runs.append(
                run_benchmark(args.reference, args.benchmark_args))
    except (subprocess.CalledProcessError, OSError, ValueError) as e:
        print(f"perf_index: a benchmark failed: {e}", file=sys.stderr)
        return 2
    learner, reference = medians(learner_runs), medians(reference_runs)
    index, scored = index_of(learner, reference)

    print(f"{'benchmark':<44} {'yours':>10} {'reference':>10} {'ratio':>7}")
    for name in sorted(learner.keys() | reference.keys()):
        mine = format_time(learner[name]) if name in learner else "-"
        ref = format_time(reference[name]) if name in reference else "-"
        ratio = (f"{reference[name] / learner[name]:.2f}"
                 if name in learner and name in reference else "")
        note = "" if name in scored else "  (not scored)"
        print(f"{name:<44} {mine:>10} {ref:>10} {ratio:>7}{note}")
    if index is None:
        print("perf_index: no benchmark name is in both binaries",
              file=sys.stderr)
        return 2
    print(f"index: {min(index, 1.0):.2f} (uncapped {index:.3f}), "
          f"median of {args.rounds} interleaved rounds")

    if args.config is None:
        return 0
    performance = read_performance(args.config)
    points = points_of(index, performance)
    print(f"points: {points:.2f} of {performance['points']} "
          f"(full at {performance['full_at']}, none at "
          f"{performance['zero_at']})")
    if (args.check_points_at_most is not None
            and points > args.check_points_at_most):
        print(f"check failed: {points:.2f} points, expected at most "
              f"{args.check_points_at_most}", file=sys.stderr)
        return 1
    if (args.check_points_at_least is not None
            and points < args.check_points_at_least):
        print(f"check failed: {points:.2f} points, expected at least "
              f"{args.check_points_at_least}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
