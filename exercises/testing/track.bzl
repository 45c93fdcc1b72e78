"""The targets of the build-your-own-pool track (exercises b01..b09).

exercises/bNN_name/BUILD calls track_exercise(); solutions/bNN_name/BUILD
calls track_solution(). Each step's learner writes its `srcs` (the files
listed in its course.toml); its headers are given. Steps build on one
another's headers, and each step's tests and benchmark link the learner's
files with the REFERENCE code of every other step it needs, so a step is
graded on its own files alone: a mistake in b03 never costs marks in b05.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library", "cc_test")
load("@rules_shell//shell:sh_test.bzl", "sh_test")
load("//i18n:defs.bzl", "i18n_files")
load(":speed.bzl", "reference_speed_test")

# The steps that make up the pool from b04 on, and what the earlier steps
# need. Values: the steps whose code a step's code calls (and so whose
# reference code its tests link).
_POOL = [
    "b01_fork_wait",
    "b02_result_pipe",
    "b03_framing",
    "b04_worker_loop",
    "b05_many_workers",
    "b06_apply_async",
    "b07_map_chunks",
    "b08_shutdown",
    "b09_survive_crash",
]

_USES = {
    "b01_fork_wait": [],
    "b02_result_pipe": ["b01_fork_wait"],
    "b03_framing": [],
    "b04_worker_loop": ["b01_fork_wait", "b02_result_pipe", "b03_framing"],
}

_TRACK_VISIBILITY = [
    "//exercises:__subpackages__",
    "//solutions:__subpackages__",
]

_TEST_DEPS = [
    "//exercises/testing:track",
    "@googletest//:gtest_main",
]

_BENCH_DEPS = [
    "//exercises/testing:bench_util",
    "//pool",
    "@google_benchmark//:benchmark_main",
]

def _step():
    return native.package_name().split("/")[-1]

def _others(step):
    """The other steps whose code `step`'s code needs."""
    return [s for s in _USES.get(step, _POOL) if s != step]

def _interfaces(step):
    return ["//exercises/%s:interface" % s for s in [step] + _others(step)]

def _references(step):
    return ["//solutions/%s:solution" % s for s in _others(step)]

def _learners(step):
    return ["//exercises/%s:exercise" % s for s in _others(step)]

def _test_source(srcs):
    """A step's test source is named after its (first) learner file."""
    return srcs[0].replace(".cc", "_test.cc")

def _library(name, step, srcs, testonly = False):
    """One implementation of a step, linked whole.

    alwayslink: the steps call one another both ways (b05's engine calls
    b09's HandleDeath, b09 restarts b04's workers), so every object file
    must be in the link whatever the archive order.
    """
    cc_library(
        name = name,
        testonly = testonly,
        srcs = srcs,
        alwayslink = True,
        visibility = _TRACK_VISIBILITY,
        deps = _interfaces(step),
    )

def _test_and_bench(lib, others, test_src, bench_src, test_name = "test", bench_name = "bench", tags = [], size = "small"):
    """The step's tests, and its benchmark if any, on `lib` and `others`.

    A right answer passes in seconds ("small"); a wrong one may wait out
    several 15 s hang guards, so the learner's tests are "medium".
    """
    cc_test(
        name = test_name,
        size = size,
        srcs = [test_src],
        tags = tags,
        deps = [":" + lib] + others + _TEST_DEPS,
    )
    if bench_src:
        # Only meaningful optimised: ./bazelw run -c opt :bench
        cc_binary(
            name = bench_name,
            testonly = True,
            srcs = [bench_src],
            tags = ["benchmark"],
            visibility = _TRACK_VISIBILITY,
            deps = [":" + lib] + others + _BENCH_DEPS,
        )

def track_exercise(name, srcs, hdrs = [], interface_deps = [], bench = False):
    """The targets of one step's exercise package.

    Defines :interface (the given headers), :exercise (the learner's srcs),
    :test (manual), :test_mine (manual), :starter_fails_test and, with
    `bench`, :bench. The test source is the first src's name with _test
    (child.cc: child_test.cc); the benchmark source is bench.cc.

    Args:
      name: the learner's library, "exercise".
      srcs: the learner's files, as listed in course.toml.
      hdrs: the given headers of this step.
      interface_deps: the :interface targets the headers include.
      bench: whether the step has a benchmark (bench.cc).
    """
    step = _step()
    test = _test_source(srcs)

    # The contract: the given headers. Every step's headers are visible to
    # the whole track (later steps include earlier ones).
    cc_library(
        name = "interface",
        hdrs = hdrs,
        visibility = _TRACK_VISIBILITY,
        deps = interface_deps,
    )

    _library(name, step, srcs)

    # :test, the tests on the learner's code and the other steps' reference
    # code: ./bazelw test //exercises/bNN_name:test. "manual" keeps it out
    # of //... (it fails until the step is done). :bench, the speed of the
    # learner's code, beside the reference's (//solutions/bNN_name:bench,
    # same source) and pool::Pool's.
    _test_and_bench(
        name,
        _references(step),
        test,
        "bench.cc" if bench else None,
        tags = ["manual"],
        size = "medium",
    )

    # The same tests with YOUR code of every other step too (manual): once
    # all your steps pass, this is your own pool under every step's tests.
    #   ./bazelw test //exercises/bNN_name:test_mine
    _test_and_bench(
        name,
        _learners(step),
        test,
        None,
        test_name = "test_mine",
        tags = ["manual"],
        size = "medium",
    )

    exported = [test, "course.toml"] + (["bench.cc"] if bench else [])
    native.exports_files(exported, visibility = _TRACK_VISIBILITY)

    # The README, its translation, the hints and the test's messages, for
    # //i18n:sync_test.
    i18n_files(extra = [
        "course.toml",
        test,
    ])

    # Part of //...: the starter still compiles and still fails every test.
    sh_test(
        name = "starter_fails_test",
        size = "small",
        srcs = ["//exercises/testing:expect_failure.sh"],
        args = ["$(rootpath :test)"],
        data = [":test"],
    )

def track_solution(name, srcs, bench = False, scored = True):
    """The reference solution of one step: :solution, :test and :bench.

    Args:
      name: the reference library, "solution" (other steps link it).
      srcs: the reference files, named as the learner's are.
      bench: whether the step has a benchmark.
      scored: whether that benchmark earns speed points (course.toml's
        [performance] points above 0); if so, :speed_test (part of //...)
        checks that the reference earns them all.
    """
    step = _step()
    exercise_pkg = "//exercises/" + step
    _library(name, step, srcs)

    # The step's own test source and benchmark, on the reference code of
    # every step.
    _test_and_bench(
        name,
        _references(step),
        exercise_pkg + ":" + _test_source(srcs),
        exercise_pkg + ":bench.cc" if bench else None,
    )
    if bench and scored:
        reference_speed_test(exercise_pkg)

def track_variant(name, step, srcs):
    """Another solution of one step, built like the learner's code.

    Defines <name>_test (the step's tests on `srcs` and the other steps'
    reference code) and <name>_bench (the step's benchmark, likewise), as
    the course tool builds a submission. exercises/testing/naive uses it.

    Args:
      name: prefix of the two targets.
      step: the step's directory name, e.g. "b05_many_workers".
      srcs: the variant's files, in place of the learner's.
    """
    exercise_pkg = "//exercises/" + step
    _library(name, step, srcs, testonly = True)
    _test_and_bench(
        name,
        _references(step),
        exercise_pkg + ":" + _test_source([s.split("/")[-1] for s in srcs]),
        exercise_pkg + ":bench.cc",
        test_name = name + "_test",
        bench_name = name + "_bench",
    )
