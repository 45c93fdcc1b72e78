#!/usr/bin/env python3
"""Checks the speed points of two benchmark binaries, for a Bazel test.

    speed_check.py COURSE_TOML LEARNER_BENCH REFERENCE_BENCH
                   [--rounds N] [--min-time S]
                   [--points-at-most P] [--points-at-least P]
                   [--all-points]

Runs the two binaries interleaved and scores them exactly as `./course
bench` and `./course grade` do (bench_pair.run_pair, then
scoring.score_performance with the exercise's [performance] table), prints
the table and the index, and fails if the speed points are outside the
bounds given (--all-points: every point of the exercise's [performance]
table). exercises/testing/naive uses it to show that a correct but naive
solution earns no speed points; each reference's :speed_test, that the
reference earns them all (exercises/testing/speed.bzl).

Exit status: 0, or 1 if a bound does not hold, 2 on misuse or if a binary
fails or no benchmark ran in both.

What it prints is in the reader's language (coursetool/lang.py), as a
test's explanations are: it runs in `./bazelw test //...`, which a learner
runs too, and a reference timed on a crowded machine can fail there. Bazel
passes the language to a test only when asked
(--test_env=COURSE_LANG=zh). Its flags are for BUILD files and stay
English.
"""

import argparse
import os
import sys


def _package_parent():
    """Where the `coursetool` package is: Bazel's runfiles in a test, else the
    directory above this file."""
    srcdir, workspace = (os.environ.get("TEST_SRCDIR"),
                         os.environ.get("TEST_WORKSPACE"))
    if srcdir and workspace:
        return os.path.join(srcdir, workspace)
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(argv):
    parser = argparse.ArgumentParser(
        prog="speed_check.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("course_toml", help="the exercise's course.toml")
    parser.add_argument("learner", help="the benchmark on the code to check")
    parser.add_argument("reference", help="the same benchmark on the "
                        "reference")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--min-time", type=float,
                        help="--benchmark_min_time for every run, seconds")
    parser.add_argument("--points-at-most", type=float)
    parser.add_argument("--points-at-least", type=float)
    parser.add_argument("--all-points", action="store_true",
                        help="fail unless every speed point is earned")
    args = parser.parse_args(argv)

    sys.path.insert(0, _package_parent())
    from coursetool import bench_pair
    from coursetool import catalog
    from coursetool import scoring
    from coursetool.lang import T

    with open(args.course_toml, encoding="utf-8") as f:
        exercise = catalog.parse(f.read(), os.path.basename(
            os.path.dirname(os.path.abspath(args.course_toml))),
            where=args.course_toml)
    perf = exercise.performance
    if perf is None:
        print(T("speed_check: {toml} has no [performance] table",
                "speed_check：{toml} 没有 [performance] 表",
                toml=args.course_toml), file=sys.stderr)
        return 2
    at_least = args.points_at_least
    if args.all_points:
        if not perf.scored:
            print(T("speed_check: {id}'s benchmark earns no points "
                    "([performance] points = 0): there is nothing to check",
                    "speed_check：{id} 的基准测试不计分（[performance] "
                    "points = 0）：没有什么可检查的", id=exercise.id),
                  file=sys.stderr)
            return 2
        at_least = perf.points

    def run_rounds(rounds):
        return bench_pair.run_pair(
            args.learner, args.reference, rounds=rounds,
            extra_args=bench_pair.min_time_args(args.min_time))
    result, data = scoring.measure(perf, True, run_rounds, args.rounds)
    for error in data["errors"]:
        print(T("speed_check: a benchmark failed: {error}",
                "speed_check：有基准测试失败了：{error}", error=error),
              file=sys.stderr)
    print("%s:" % exercise.id)
    print(scoring.format_performance(result))
    if data["errors"] or result.index is None:
        return 2
    if (args.points_at_most is not None and
            result.points > args.points_at_most):
        print(T("speed_check: {points} speed points, expected at most "
                "{bound}", "speed_check：速度分为 {points}，应当至多 {bound} 分",
                points=result.points, bound=args.points_at_most),
              file=sys.stderr)
        return 1
    if at_least is not None and result.points < at_least:
        print(T("speed_check: {points} speed points, expected at least "
                "{bound}", "speed_check：速度分为 {points}，应当至少 {bound} 分",
                points=result.points, bound=at_least), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
