"""The targets every exercise and its solution define, written once.

exercises/NN_name/BUILD calls exercise(); solutions/NN_name/BUILD calls
solution(). Both packages must hold exercise.cc; the exercise package also
holds exercise.h and exercise_test.cc. An exercise and its solution are
linked by name: the directory name NN_name under exercises/ and solutions/.

With mpi = True (lesson 13's exercise) the code under test is an MPI program:
the header may include <mpi.h>, and the test binary is built with
//exercises/testing:mpi_job, which runs each test case as its own
`mpirun -np 4` job (see mpi_job.h).
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library", "cc_test")
load("@rules_shell//shell:sh_test.bzl", "sh_test")
load("//i18n:defs.bzl", "i18n_files")
load(":speed.bzl", "reference_speed_test")

_TEST_DEPS = [
    "//exercises/testing",
    "//pool:test_util",
    "@googletest//:gtest_main",
]

# The naive solutions kept to show what the performance index measures
# (exercises/testing/naive) build on an exercise's header and tests too.
_NAIVE_PKG = "//exercises/testing/naive:__pkg__"

# So do the wrong solutions the tests must catch (exercises/testing/wrong).
_WRONG_PKG = "//exercises/testing/wrong:__pkg__"

_BENCH_DEPS = [
    "//exercises/testing:bench_util",
    "@google_benchmark//:benchmark_main",
]

_MPI_TEST_DEPS = [
    "//exercises/testing",
    "//exercises/testing:mpi_job",
    "@googletest//:gtest",
]

def _interface_deps(mpi):
    return ["@openmpi//:mpi"] if mpi else ["//pool"]

def _test_deps(mpi):
    return _MPI_TEST_DEPS if mpi else _TEST_DEPS

# An MPI test case runs 4 ranks under mpirun, and a job that hangs is only
# killed after mpi_job.h's guard (90 s), once per test case: give the whole
# binary room for that.
def _test_size(mpi):
    return "medium" if mpi else "small"

def _test_timeout(mpi):
    return "long" if mpi else None

def _this_directory():
    return native.package_name().split("/")[-1]

def exercise(name = None, bench = False, mpi = False):
    """Defines :interface, :exercise, :test (manual) and :starter_fails_test.

    Args:
      name: the exercise's name, NN_name; by default this package's directory.
      bench: whether the exercise has bench.cc, a Google Benchmark of the
        learner's functions; defines :bench (see exercises/README.md).
      mpi: the exercise is an MPI program (see the top of this file).
    """
    solution_pkg = "//solutions/%s:__pkg__" % (name or _this_directory())
    users = [solution_pkg, _NAIVE_PKG, _WRONG_PKG]

    # The functions to write. The solution implements the same header.
    cc_library(
        name = "interface",
        hdrs = ["exercise.h"],
        visibility = users,
        deps = _interface_deps(mpi),
    )

    # The learner's code: exercise.cc.
    cc_library(
        name = "exercise",
        srcs = ["exercise.cc"],
        deps = [":interface"],
    )

    # The tests, run against the learner's code:
    #   ./bazelw test //exercises/NN_name:test
    # "manual" keeps it out of //... (it fails until the exercise is solved).
    cc_test(
        name = "test",
        size = _test_size(mpi),
        timeout = _test_timeout(mpi),
        srcs = ["exercise_test.cc"],
        tags = ["manual"],
        deps = [":exercise"] + _test_deps(mpi),
    )

    # The same test source, graded against the reference solution.
    native.exports_files(
        ["exercise_test.cc"] + (["bench.cc", "course.toml"] if bench else []),
        visibility = users,
    )

    # The README, its translation, the hints and the test's messages, for
    # //i18n:sync_test.
    i18n_files(extra = [
        "course.toml",
        "exercise_test.cc",
    ])

    # Part of //...: the starter still compiles and still fails every test.
    sh_test(
        name = "starter_fails_test",
        size = _test_size(mpi),
        srcs = ["//exercises/testing:expect_failure.sh"],
        args = ["$(rootpath :test)"],
        data = [":test"],
    )

    if bench:
        # The learner's functions timed; //solutions/NN_name:bench is the
        # same source on the reference. ./bazelw run -c opt :bench
        cc_binary(
            name = "bench",
            testonly = True,
            srcs = ["bench.cc"],
            tags = ["benchmark"],
            deps = [":exercise"] + _BENCH_DEPS,
        )

def solution(name = None, bench = False, mpi = False):
    """Defines :solution and :test, the exercise's own test on the solution.

    Args:
      name: the exercise's name, NN_name; by default this package's directory.
      bench: with exercise(bench = True): defines :bench on the solution.
      mpi: as for exercise(); must match the exercise's.
    """
    exercise_pkg = "//exercises/" + (name or _this_directory())

    cc_library(
        name = "solution",
        srcs = ["exercise.cc"],
        deps = [exercise_pkg + ":interface"],
    )

    cc_test(
        name = "test",
        size = _test_size(mpi),
        timeout = _test_timeout(mpi),
        srcs = [exercise_pkg + ":exercise_test.cc"],
        deps = [":solution"] + _test_deps(mpi),
    )

    if bench:
        cc_binary(
            name = "bench",
            testonly = True,
            srcs = [exercise_pkg + ":bench.cc"],
            tags = ["benchmark"],
            visibility = [_NAIVE_PKG],
            deps = [":solution"] + _BENCH_DEPS,
        )

        # Part of //...: the reference earns every speed point.
        reference_speed_test(exercise_pkg)
