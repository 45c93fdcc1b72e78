"""The two targets every lesson defines, written once.

lessons/NN_name/BUILD calls lesson(). The package holds main.cc, the lesson
program, and main_test.cc, its test; both targets are named after the
package's directory, so the lesson runs as ./bazelw run //lessons/NN_name.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_test")
load("//i18n:defs.bzl", "i18n_files")

def lesson(name = None):
    """Defines :NN_name (the lesson) and :NN_name_test (what it prints).

    Args:
      name: the lesson target's name; by default the package's directory.
    """
    name = name or native.package_name().split("/")[-1]

    # The lesson: ./bazelw run //lessons/NN_name
    cc_binary(
        name = name,
        srcs = ["main.cc"],
        deps = [
            "//lessons/common:print",
            "//pool",
        ],
    )

    # Runs the lesson binary above and checks what it prints.
    cc_test(
        name = name + "_test",
        size = "small",
        srcs = ["main_test.cc"],
        data = [":" + name],
        tags = ["lesson"],
        deps = [
            "//lessons/common:run_lesson",
            "@googletest//:gtest_main",
        ],
    )

    # The README and its translation, for //i18n:sync_test.
    i18n_files()
