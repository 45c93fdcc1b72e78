"""Known-wrong solutions, and the check that the exercise tests catch them."""

load("@rules_cc//cc:defs.bzl", "cc_library", "cc_test")
load("@rules_shell//shell:sh_test.bzl", "sh_test")

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
