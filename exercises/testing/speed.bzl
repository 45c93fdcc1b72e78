"""The test that a reference solution earns every speed point.

solution() and track_solution() call it for an exercise graded on speed.
"""

load("@rules_shell//shell:sh_test.bzl", "sh_test")

def reference_speed_test(exercise_pkg):
    """:speed_test, the reference's :bench timed against itself.

    It is scored with the course tool's own runner and formula
    (coursetool/speed_check.py, the code behind ./course bench and
    ./course grade) and the exercise's [performance] table, and must earn
    every speed point, as the reference graded as a submission does. A
    program timed against itself scores about 1.0; full points come at
    full_at (0.5), and an index between zero_at and full_at is measured
    again. Five rounds of 0.2 s per benchmark, and "exclusive" (no other
    test of the same run competes for the two cores meanwhile), keep a
    reference well clear of full_at on a loaded machine.

    Args:
      exercise_pkg: the exercise's package, "//exercises/NN_name".
    """
    sh_test(
        name = "speed_test",
        size = "medium",
        srcs = ["//coursetool:speed_check.py"],
        args = [
            "$(rootpath %s:course.toml)" % exercise_pkg,
            "$(rootpath :bench)",
            "$(rootpath :bench)",
            "--all-points",
            "--rounds=5",
            "--min-time=0.2",
        ],
        data = [
            ":bench",
            exercise_pkg + ":course.toml",
            "//coursetool:tool",
        ],
        tags = ["exclusive"],
    )
