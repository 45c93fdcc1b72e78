"""The two targets every lesson defines, written once.

lessons/NN_name/BUILD calls lesson(). The package holds main.cc, the lesson
program, and main_test.cc, its test; both targets are named after the
package's directory, so the lesson runs as ./bazelw run //lessons/NN_name.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_test")
load("@rules_shell//shell:sh_binary.bzl", "sh_binary")
load("//i18n:defs.bzl", "i18n_files")

def lesson(name = None, timeline = None, timeline_args = []):
    """Defines :NN_name (the lesson) and :NN_name_test (what it prints).

    Args:
      name: the lesson target's name; by default the package's directory.
      timeline: a title for the lesson's picture. If set, also defines
        :timeline, which runs the lesson with tracing on and writes
        lessons/NN_name/timeline.svg (see common/timeline.py).
      timeline_args: arguments for the lesson when :timeline runs it.
    """
    name = name or native.package_name().split("/")[-1]

    if timeline:
        # The picture in the README: ./bazelw run //lessons/NN_name:timeline
        sh_binary(
            name = "timeline",
            srcs = ["//lessons/common:timeline.py"],
            args = [
                "$(rootpath //tools:trace_view.py)",
                "$(rootpath :%s)" % name,
                native.package_name() + "/timeline.svg",
                "'%s'" % timeline,
            ] + timeline_args,
            data = [
                ":" + name,
                "//tools:trace_view.py",
            ],
        )

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
            "//pool:trace_reader",
            "@googletest//:gtest_main",
        ],
    )

    # The README and its translation, for //i18n:sync_test.
    i18n_files()
