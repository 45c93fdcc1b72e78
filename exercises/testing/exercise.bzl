"""The targets every exercise and its solution define, written once.

exercises/NN_name/BUILD calls exercise(); solutions/NN_name/BUILD calls
solution(). Both packages must hold exercise.cc; the exercise package also
holds exercise.h and exercise_test.cc.
"""

load("@rules_cc//cc:defs.bzl", "cc_library", "cc_test")

_TEST_DEPS = [
    "//exercises/testing",
    "@googletest//:gtest_main",
]

def exercise():
    """Defines :interface, :exercise, :test (manual) and :starter_fails_test."""
    name = native.package_name().split("/")[-1]
    solution_pkg = "//solutions/%s:__pkg__" % name
    users = [solution_pkg, "//exercises/testing/wrong:__pkg__"]

    # The functions to write. The solution implements the same header.
    cc_library(
        name = "interface",
        hdrs = ["exercise.h"],
        visibility = users,
        deps = ["//pool"],
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
        srcs = ["exercise_test.cc"],
        tags = ["manual"],
        deps = [":exercise"] + _TEST_DEPS,
    )

    # The same test source, graded against the reference solution.
    native.exports_files(["exercise_test.cc"], visibility = users)

    # Part of //...: the starter still compiles and still fails every test.
    native.sh_test(
        name = "starter_fails_test",
        size = "small",
        srcs = ["//exercises/testing:expect_failure.sh"],
        args = ["$(rootpath :test)"],
        data = [":test"],
    )

def solution():
    """Defines :solution and :test, the exercise's own test on the solution."""
    exercise_pkg = "//exercises/" + native.package_name().split("/")[-1]

    cc_library(
        name = "solution",
        srcs = ["exercise.cc"],
        deps = [exercise_pkg + ":interface"],
    )

    cc_test(
        name = "test",
        srcs = [exercise_pkg + ":exercise_test.cc"],
        deps = [":solution"] + _TEST_DEPS,
    )
