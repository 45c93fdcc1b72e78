"""Known-wrong solutions, and the check that the exercise tests catch them."""

load("@rules_cc//cc:defs.bzl", "cc_library", "cc_test")
load("@rules_shell//shell:sh_test.bzl", "sh_test")
load("//exercises/testing:track.bzl", "track_variant")

def wrong_solution(name, exercise, src, failing):
    """Builds exercise's tests against src and checks `failing` all fail.

    Args:
      name: the check's name; the target is `name`.
      exercise: the exercise directory, e.g. "04_map_async".
      src: the wrong exercise.cc.
      failing: test cases ("Suite.Case") that must fail against it.
    """
    cc_library(
        name = name + "_lib",
        testonly = True,
        srcs = [src],
        deps = ["//exercises/%s:interface" % exercise],
    )
    cc_test(
        name = name + "_bin",
        srcs = ["//exercises/%s:exercise_test.cc" % exercise],
        tags = ["manual"],
        deps = [
            ":%s_lib" % name,
            "//exercises/testing",
            "@googletest//:gtest_main",
        ],
    )
    sh_test(
        name = name,
        size = "small",
        srcs = ["expect_cases_fail.sh"],
        args = ["$(rootpath :%s_bin)" % name] + failing,
        data = [":%s_bin" % name],
    )

def wrong_track_solution(name, step, src, failing):
    """A wrong file of a build-your-own-pool step, and the check.

    The step's tests are built on `src` and the reference code of every
    other step, as for a learner's submission; `failing` must all fail.

    Args:
      name: the check's name; the target is `name`.
      step: the step's directory, e.g. "b10_deadline".
      src: the wrong file, named as the learner's is (in a directory of
        its own: b10_leaves_worker_running/deadline.cc).
      failing: test cases ("Suite.Case") that must fail against it.
    """
    track_variant(
        name = name + "_variant",
        step = step,
        srcs = [src],
        bench = False,
        tags = ["manual"],
    )
    sh_test(
        name = name,
        size = "medium",
        srcs = ["expect_cases_fail.sh"],
        args = ["$(rootpath :%s_variant_test)" % name] + failing,
        data = [":%s_variant_test" % name],
    )
