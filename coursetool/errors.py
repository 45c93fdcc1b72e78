"""The two ways a command fails other than by a check failing.

UsageError: the learner or instructor asked for something that cannot be
done as asked (an unknown exercise, a bad flag, a bad course.toml); the
message names the fix. `./course` exits 2.

ToolError: the tool itself could not do its job (Bazel failed, no sandbox,
no grading workspace free); not the code's fault. `./course` exits 3.
"""


class UsageError(Exception):
    pass


class ToolError(Exception):
    pass
